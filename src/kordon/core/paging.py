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

# A key of a keyed list (access.policy.record_keys): exact values of indexed columns
# ({"owner_agency_id": 5, "distribution": 2}), or a condition of its own for what no such key holds.
Key = dict[str, int] | Q

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
    no row of the page can be missing. Counting reads the keys' rows in one statement, stopped at
    COUNT_LIMIT + 1 in all.
    """

    def __init__(self, queryset: QuerySet[Any], keys: list[Key], per_page: int) -> None:
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
        self.templates: dict[tuple[str, ...], tuple[str, list[Any], list[str], list[int]]] = {}
        self._capped: CappedCount | None = None

    def _sql(self, key: Key) -> tuple[str, list[Any]]:
        """The key's rows in the list's order, as SQL. Keys of column values share one compiled
        statement per set of columns (a list may have dozens of keys, and compiling the policy's
        condition costs more than running it): the columns are compiled with stand-in values,
        which are then swapped for each key's own."""
        if not isinstance(key, dict):
            keyed = self.queryset.filter(key).values_list(*self.order)
            sql, params = keyed.query.get_compiler(using=keyed.db).as_sql()
            return sql, list(params)
        columns = tuple(sorted(key))
        if columns not in self.templates:
            # Compiled twice with different stand-ins: the parameters that differ are the key's.
            compiled = []
            for shift in (0, 100):
                stand_ins = {column: 32_700 - shift - number for number, column in enumerate(columns)}
                keyed = self.queryset.filter(**stand_ins).values_list(*self.order)
                sql, params = keyed.query.get_compiler(using=keyed.db).as_sql()
                compiled.append((sql, list(params), stand_ins))
            (sql, params, stand_ins), (other_sql, other_params, _other) = compiled
            positions = [
                index
                for index, pair in enumerate(zip(params, other_params, strict=True))
                if pair[0] != pair[1]
            ]
            by_value = {value: column for column, value in stand_ins.items()}
            if other_sql != sql or len(positions) != len(columns):
                raise ValueError(f"cannot compile a statement for keys of {columns}")
            self.templates[columns] = (
                sql,
                params,
                [by_value[params[index]] for index in positions],
                positions,
            )
        sql, params, named, positions = self.templates[columns]
        params = list(params)
        for column, position in zip(named, positions, strict=True):
            params[position] = key[column]
        return sql, params

    def _execute(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def _count_keys(self) -> CappedCount:
        """The keys' rows counted in one statement that stops at COUNT_LIMIT + 1 rows in all: the
        keys are read one after another (UNION ALL) until the limit ends the reading, so once the
        first keys hold more than the limit the others are never read. Counting every key up to
        the limit instead took a partner's slowest counts 120-180 ms, against 60-70 ms now."""
        if not self.keys:
            return CappedCount(0, True)
        parts, params = [], []
        for position, key in enumerate(self.keys):
            sql, key_params = self._sql(key)
            # Only compiled SQL and the key's position are joined here; every value is a parameter.
            parts.append(f"SELECT {position} AS key_position FROM ({sql} LIMIT %s) key{position}")  # noqa: S608
            params += [*key_params, COUNT_LIMIT + 1]
        rows = self._execute(
            f"SELECT key_position, COUNT(*) FROM ({' UNION ALL '.join(parts)} LIMIT %s) counted "  # noqa: S608
            "GROUP BY key_position",
            [*params, COUNT_LIMIT + 1],
        )
        counts = dict(rows)
        total = sum(counts.values())
        if total > COUNT_LIMIT:
            # Stopped at the limit: a key not read (no count) may still hold rows of the page.
            return CappedCount(COUNT_LIMIT, False)
        # Every key was read to its end: a key without a count has no row to show.
        self.keys = [key for position, key in enumerate(self.keys) if counts.get(position)]
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
                sql, key_params = self._sql(key)
                parts.append(f"SELECT * FROM ({sql} LIMIT %s) key{position}")  # noqa: S608
                params += [*key_params, start + self.per_page]
            sql = " UNION ALL ".join(parts) + f" ORDER BY {self.directions} LIMIT %s OFFSET %s"
            ids = [row[self.primary] for row in self._execute(sql, [*params, self.per_page, start])]
        return Page(self.queryset.filter(pk__in=ids), number, self)


def keyed_page(queryset: QuerySet[Any], keys: list[Key] | None, number: Any, per_page: int) -> Page:
    """A page of `queryset` read by keys when the policy gives some, else by the capped count."""
    if keys is None:
        return capped_page(queryset, number, per_page)
    return KeyedPaginator(queryset, keys, per_page).get_page(number)
