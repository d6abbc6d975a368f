"""Fast bulk writes for large imports, portable across SQLite and PostgreSQL.

Model instances cost tens of microseconds each; a million-row import cannot afford them. Rows are
plain tuples here: PostgreSQL receives them through COPY, SQLite through executemany. Both run
inside the caller's transaction, so an import is still all or nothing.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Converter = Callable[[Any], Any]


def _sqlite_converters(model: type[models.Model], columns: Sequence[str]) -> list[tuple[int, Converter]]:
    """(column index, converter) for the columns whose Python values SQLite cannot take as they are."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    converters: list[tuple[int, Converter]] = []
    for index, column in enumerate(columns):
        field = fields[column]
        if isinstance(field, models.DateTimeField):
            converters.append((index, _memoised(connection.ops.adapt_datetimefield_value)))
        elif isinstance(field, models.DateField | models.TimeField):
            converters.append((index, _isoformat))
        elif isinstance(field, models.DecimalField):
            converters.append((index, str))
    return converters


def _isoformat(value: Any) -> Any:
    return value.isoformat()


def _memoised(convert: Converter) -> Converter:
    """Imports stamp every row with the same moment; convert it once."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows of values (in `columns` order, JSON already serialised) into the model's table.

    Values are Python values: dates, times, aware datetimes, Decimals, strings, ints, None.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        converters = _sqlite_converters(model, columns)
        prepared = []
        for row in rows:
            values = list(row)
            for index, convert in converters:
                if values[index] is not None:
                    values[index] = convert(values[index])
            prepared.append(values)
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608
        return len(prepared)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, so that child rows can point at them before insert.

    Must run inside the transaction that inserts them. On SQLite that transaction holds the
    write lock from its start (IMMEDIATE), so nobody else can take the same numbers.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
        highest = cursor.fetchone()[0]
        # AUTOINCREMENT never reuses the number of a deleted row; neither do we.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        sequence = cursor.fetchone()
        if sequence is not None:
            highest = max(highest, sequence[0])
        return list(range(highest + 1, highest + 1 + count))
