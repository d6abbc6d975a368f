"""Fast bulk writes for large imports, portable across SQLite and PostgreSQL.

Model instances cost tens of microseconds each; a million-row import cannot afford them. Rows are
prepared for the database first (possibly in another process), then written in bulk inside the
caller's transaction, so an import is still all or nothing:

- PostgreSQL: a prepared row is a line of COPY text format; the writer sends the lines as they are.
- SQLite: a prepared row is a tuple of values SQLite takes directly; the writer uses executemany.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# A row, or a run of columns of a row, prepared for this database: a tuple (SQLite) or text (PostgreSQL).
Prepared = Any
Converter = Callable[[Any], Any]

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_escape(value: Any) -> str:
    return str(value).translate(_COPY_ESCAPES)


def _copy_boolean(value: Any) -> str:
    return "t" if value else "f"


def _copy_converters(model: type[models.Model], columns: Sequence[str]) -> list[Converter]:
    """For each column, how a value of that column is written in PostgreSQL's COPY text format."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    converters: list[Converter] = []
    for column in columns:
        field = fields[column]
        if isinstance(field, models.BooleanField):
            converters.append(_copy_boolean)
        elif isinstance(field, models.DateTimeField | models.DateField | models.TimeField):
            converters.append(_isoformat)
        elif isinstance(
            field, models.IntegerField | models.FloatField | models.DecimalField | models.AutoField
        ) or (isinstance(field, models.ForeignKey) and not isinstance(field.target_field, models.CharField)):
            converters.append(str)
        else:  # text, JSON (already serialised), character keys
            converters.append(_copy_escape)
    return converters


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


def row_preparer(model: type[models.Model], columns: Sequence[str]) -> Callable[[Sequence[Any]], Prepared]:
    """A function that prepares rows of Python values (dates, times, aware datetimes, Decimals,
    strings, numbers, None; JSON already serialised), in `columns` order, for this database."""
    if connection.vendor == "postgresql":
        writers = _copy_converters(model, columns)
        return lambda row: "\t".join(
            ["\\N" if value is None else write(value) for write, value in zip(writers, row, strict=True)]
        )
    converters = _sqlite_converters(model, columns)

    def prepare(row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        return tuple(values)

    return prepare


def keyed_rows(keys: Sequence[int], shared: Prepared, rows: Sequence[Prepared]) -> list[Prepared]:
    """Prepared rows that begin with a key (an id, or the id of the row they belong to), then the
    prepared columns every row shares, then each row's own prepared columns. `shared` may be empty."""
    if connection.vendor == "postgresql":
        if shared:
            return [f"{key}\t{shared}\t{row}" for key, row in zip(keys, rows, strict=True)]
        return [f"{key}\t{row}" for key, row in zip(keys, rows, strict=True)]
    return [(key, *shared, *row) for key, row in zip(keys, rows, strict=True)]


def insert_prepared(model: type[models.Model], columns: Sequence[str], rows: list[Prepared]) -> int:
    """Insert prepared rows, in `columns` order, into the model's table."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write("\n".join(rows) + "\n")
            return len(rows)
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608
        return len(rows)


def insert_instances(model: type[models.Model], instances: Sequence[object]) -> int:
    """Insert new model instances whose primary keys are already set (reserve_ids), all columns,
    by the same fast path: no per-row work by the ORM, which costs more than the insert itself
    for thousands of rows. The caller sets what auto_now would. Any object with the model's
    attributes will do, and is cheaper to make than an instance."""
    fields = list(model._meta.concrete_fields)
    columns = [field.attname for field in fields]
    prepare = row_preparer(model, columns)
    json_columns = [index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
    rows = []
    for instance in instances:
        values = [getattr(instance, column) for column in columns]
        for index in json_columns:
            values[index] = None if values[index] is None else json.dumps(values[index], ensure_ascii=False)
        rows.append(prepare(values))
    return insert_prepared(model, columns, rows)


def any_of(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL and parameters for `column` matching one of many values. PostgreSQL takes one array
    parameter (planning a list of thousands of parameters costs more than running the query)."""
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        return f"{quoted} = ANY(%s)", [list(values)]
    return f"{quoted} IN ({', '.join(['%s'] * len(values))})", list(values)


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


def refresh_statistics(*tables: type[models.Model]) -> None:
    """After a large import, let PostgreSQL's planner see the new rows at once (ANALYZE) rather than
    whenever autovacuum gets to it; until then it may plan lookups as if the tables were empty.
    SQLite plans without such statistics."""
    if connection.vendor != "postgresql":
        return
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
