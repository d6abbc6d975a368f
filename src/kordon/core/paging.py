"""Pages of long lists whose total is counted only up to a limit.

Counting every match of a filter over a million records costs more than showing a page of them;
beyond the limit a list says "more than 1,000" and the analyst narrows the filters (or turns to
the analytics pages, which count in full). Measured: counting up to 1,000 keeps a filtered list of a
million seizures under 50 ms on SQLite; up to 10,000 took 150–300 ms (docs/benchmarks.md).
"""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Q, QuerySet

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


class KeyedPaginator(Paginator):
    """Pages of `queryset` read one key at a time (see policy.record_keys): each key's first rows in
    the list's order come from its own index range, and one UNION ALL merges them, which finds the
    few rows a user may see among a million without scanning the others.

    The keys must be disjoint. Merging is then exact: page n holds the rows at positions
    (n-1)*size..n*size of the whole list, and each key contributes its own first n*size rows, so
    no row of the page can be missing. Counting adds up the keys' counts and stops as soon as the
    sum passes COUNT_LIMIT.
    """

    def __init__(self, queryset: QuerySet[Any], keys: list[Q], per_page: int) -> None:
        super().__init__(queryset, per_page)
        self.queryset = queryset
        order = [str(field) for field in queryset.query.order_by]
        self.order = [field.lstrip("-") for field in order]
        if "id" not in self.order:
            raise ValueError("a keyed list must be ordered down to the id")
        self.primary = self.order.index("id")
        self.directions = ", ".join(
            f"{position} {'DESC' if field.startswith('-') else 'ASC'}"
            for position, field in enumerate(order, 1)
        )
        self.keys = keys
        self._capped: CappedCount | None = None

    def _count_keys(self) -> CappedCount:
        total, live = 0, list[Q]()
        for position, key in enumerate(self.keys):
            counted = capped_count(self.queryset.filter(key), limit=COUNT_LIMIT - total)
            if not counted.exact:
                # Past the limit: the keys not counted yet may still hold rows of the page.
                self.keys = live + self.keys[position:]
                return CappedCount(COUNT_LIMIT, False)
            total += counted.value
            if counted.value:
                live.append(key)
        self.keys = live
        return CappedCount(total, True)

    @property
    def count(self) -> int:
        if self._capped is None:
            self._capped = self._count_keys()
        return self._capped.value

    @property
    def count_exact(self) -> bool:
        self.count  # noqa: B018 (counting settles exactness)
        return self._capped.exact if self._capped else True

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ids: list[Any] = []
        if self.keys:
            parts, params = [], []
            for position, key in enumerate(self.keys):
                keyed = self.queryset.filter(key).values_list(*self.order)
                sql, key_params = keyed.query.get_compiler(using=keyed.db).as_sql()
                parts.append(f"SELECT * FROM ({sql} LIMIT %s) key{position}")  # noqa: S608
                params += [*key_params, start + self.per_page]
            # Only compiled SQL and integers are joined here; every value is a parameter.
            sql = " UNION ALL ".join(parts) + f" ORDER BY {self.directions} LIMIT %s OFFSET %s"
            with connections[self.queryset.db].cursor() as cursor:
                cursor.execute(sql, [*params, self.per_page, start])
                ids = [row[self.primary] for row in cursor.fetchall()]
        return Page(self.queryset.filter(pk__in=ids), number, self)


def keyed_page(queryset: QuerySet[Any], keys: list[Q] | None, number: Any, per_page: int) -> Page:
    """A page of `queryset` read by keys when the policy gives some, else by the capped count."""
    if keys is None:
        return capped_page(queryset, number, per_page)
    return KeyedPaginator(queryset, keys, per_page).get_page(number)
