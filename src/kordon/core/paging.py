"""Pages of long lists whose total is counted only up to a limit.

Counting every match of a filter over a million records costs more than showing a page of them;
beyond the limit a list says "more than 1,000" and the analyst narrows the filters (or turns to
the analytics pages, which count in full). Measured: counting up to 1,000 keeps a filtered list of a
million seizures under 50 ms on SQLite; up to 10,000 took 150–300 ms (docs/benchmarks.md).
"""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

COUNT_LIMIT = 1_000


@dataclass
class CappedCount:
    value: int
    exact: bool


def capped_count(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> CappedCount:
    counted = queryset.order_by()[: limit + 1].count()
    return CappedCount(min(counted, limit), counted <= limit)


class CappedPaginator(Paginator):
    """A Paginator whose count stops at COUNT_LIMIT; `count_exact` says whether it did."""

    def __init__(self, queryset: QuerySet[Any], per_page: int) -> None:
        super().__init__(queryset, per_page)
        self._capped = capped_count(queryset)

    @property
    def count(self) -> int:
        return self._capped.value

    @property
    def count_exact(self) -> bool:
        return self._capped.exact


def capped_page(queryset: QuerySet[Any], number: Any, per_page: int) -> Page:
    return CappedPaginator(queryset, per_page).get_page(number)
