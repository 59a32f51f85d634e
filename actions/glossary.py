"""Plain words for members: the papers' abbreviations marked up where a page shows text.

Each page gets one `PageGlossary` (careprog.context_processors.service): it reads the
abbreviations once, when the page first marks some text (one query, none for pages that mark
nothing), and remembers which it has spelt out, so the first use on the page reads
"children looked after (CLA)" and later ones just "CLA"; every use is an
``<abbr title="…">`` for those who hover or read it aloud.
"""

from __future__ import annotations

import re
from functools import cached_property

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from actions.models import Abbreviation


class PageGlossary:
    """The abbreviations known to one page, and those it has already spelt out."""

    def __init__(self):
        self.spelt_out: set[str] = set()

    @cached_property
    def expansions(self) -> dict[str, str]:
        return dict(Abbreviation.objects.order_by().values_list("abbreviation", "expansion"))

    @cached_property
    def pattern(self) -> re.Pattern | None:
        if not self.expansions:
            return None
        # Longest first, so "CLA" is not read as "CL"; a whole word, case for case ("CLASS"
        # and "Cla" are left alone), allowing a plural "s" ("PEPs").
        names = sorted(self.expansions, key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in names)
        return re.compile(rf"(?<![A-Za-z0-9])({alternatives})(s?)(?![A-Za-z0-9])")

    def mark(self, text, *, spell_out: bool = True) -> SafeString:
        """``text`` escaped, then each known abbreviation in it marked up; with ``spell_out``,
        its first use on the page spelt out too. Without, the words stay as written (the
        report's table: the council's own words, read against its papers) and the ``<abbr>``
        carries the expansion."""
        escaped = escape(text)  # first: the text is the user's; nothing in it is markup
        if self.pattern is None:
            return escaped

        def abbr(match: re.Match) -> str:
            name, plural = match.groups()
            title = escape(self.expansions[name])
            marked = f'<abbr title="{title}">{name}</abbr>{plural}'
            if not spell_out:
                return marked
            before = match.string[: match.start()].lower()
            # Spelt out already by the text itself: "Keeping Families Together (KFT)".
            if name in self.spelt_out or before.endswith(f"{title.lower()} ("):
                self.spelt_out.add(name)
                return marked
            self.spelt_out.add(name)
            # "SGOs (Special Guardianship Order)": an expansion's plural is not always "+s".
            return f"{marked} ({title})" if plural else f"{title} ({marked})"

        # Safe: the text was escaped above, and an abbreviation is capitals and digits only.
        return mark_safe(self.pattern.sub(abbr, escaped))  # noqa: S308
