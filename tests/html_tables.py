"""Reads the committee report's tables back into rows, resolving rowspans as a reader does."""

from html.parser import HTMLParser


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = []  # each: list of rows; each row: list of (text, rowspan)
        self._cell = None
        self._in_tbody = False
        self._in_report = False  # other tables (the measures under an objective) are not read

    def handle_starttag(self, tag, attrs):
        self._separate(tag)
        attrs = dict(attrs)
        if tag == "table":
            self._in_report = "app-report-table" in (attrs.get("class") or "")
            if self._in_report:
                self.tables.append([])
        elif tag == "tbody" and self._in_report:
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self._in_tbody:
            self._cell = {"text": [], "rowspan": int(attrs.get("rowspan", 1))}

    def _separate(self, tag):
        """Words either side of a tag are separate words, except around an ``<abbr>``: the
        glossary's markup sits inside the words ("<abbr>SGO</abbr>s")."""
        if self._cell is not None and tag != "abbr":
            self._cell["text"].append(" ")

    def handle_endtag(self, tag):
        self._separate(tag)
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell["text"]).split())
            self.tables[-1][-1].append((text, self._cell["rowspan"]))
            self._cell = None
        elif tag == "tbody":
            self._in_tbody = False
        elif tag == "table":
            self._in_report = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"].append(data)


def report_grids(html: str) -> list[list[list[str]]]:
    """Each report table as a full grid: a merged cell's text repeated on every row it spans."""
    parser = _TableParser()
    parser.feed(html)
    grids = []
    for table in parser.tables:
        grid, pending = [], {}  # pending: column -> (text, rows left)
        for cells in table:
            row, cells = [], list(cells)
            column = 0
            while cells or column in pending:
                if column in pending:
                    text, left = pending.pop(column)
                    row.append(text)
                    if left > 1:
                        pending[column] = (text, left - 1)
                else:
                    text, rowspan = cells.pop(0)
                    row.append(text)
                    if rowspan > 1:
                        pending[column] = (text, rowspan - 1)
                column += 1
            grid.append(row)
        grids.append(grid)
    return grids
