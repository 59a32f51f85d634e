"""``?format=csv``: the same page as the JSON, one row per result, columns in the serializer's
order (a client asking for ``Accept: text/csv`` gets it too).

Cells are what the JSON holds: numbers as numbers, text as text, empty for null, ``true`` and
``false`` as JSON writes them, and a list or object (statistical neighbours, a snapshot) as its
JSON text. A cell starting with = + - @ or a tab is prefixed with an apostrophe when it is text,
so Excel never runs it as a formula.
"""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:  # an error: one row of its fields
            rows = [data]
        out = io.StringIO()
        view = (renderer_context or {}).get("view")
        columns = list(getattr(view, "csv_columns", None) or [])
        if not columns:
            for row in rows:
                for name in row:
                    if name not in columns:
                        columns.append(name)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(name)) for name in columns])
        return out.getvalue().encode("utf-8")
