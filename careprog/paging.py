"""Pages of a long list that cost one query whatever the list's length.

Django's Paginator counts the whole list first (a second query, which grows with the
table); these pages fetch one row more than they show instead, which says whether a next
page exists. They give no page count: the GOV.UK pagination shows previous and next.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, QueryDict


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    has_next: bool
    query: str  # the request's other parameters (filters), for the links to keep

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1

    @property
    def is_whole_list(self) -> bool:
        """Whether the page holds every row: then ``len(items)`` is the list's length."""
        return not self.has_other_pages

    def link(self, number: int) -> str:
        return "?" + "&".join(filter(None, [self.query, f"page={number}"]))

    @property
    def previous_link(self) -> str:
        return self.link(self.number - 1)

    @property
    def next_link(self) -> str:
        return self.link(self.number + 1)


def page_number(text: str | None) -> int:
    """``?page=`` as a number: anything that is not a whole number from 1 reads as 1."""
    try:
        number = int(text or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= 1_000_000 else 1


def page_of(rows, query: QueryDict, *, per_page: int) -> Page:
    """The page ``?page=`` asks for of ``rows`` (an ordered queryset or list): one query. A
    page number past the end is a 404 (there is nothing to show); anything not a number, the
    first page."""
    number = page_number(query.get("page"))
    start = (number - 1) * per_page
    fetched = list(rows[start : start + per_page + 1])
    if number > 1 and not fetched:
        raise Http404("No such page")
    others = query.copy()
    others.pop("page", None)
    return Page(
        items=fetched[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(fetched) > per_page,
        query=others.urlencode(),
    )
