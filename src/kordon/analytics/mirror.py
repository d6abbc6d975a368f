"""The analytics mirror: a columnar copy of the seizures in DuckDB, so that a figure over a million
seizures takes milliseconds instead of the seconds a row store needs to scan and group them.

The mirror is a snapshot, and figures must still be exact and current. So every figure is counted
in two disjoint parts and added up:

- in the database: seizures created after the snapshot (ids above its highest) and those that
  changed since (their row, one of their items or their link to an alert was changed, deleted or
  added; the triggers of migration 0003 log them in SeizureChange);
- in the mirror: every other seizure, which is exactly as it was when the snapshot was taken.

Both parts are the same Django query, with the same access policy, compiled once for the database
and once in SQLite's dialect for DuckDB (the mirror keeps values as SQLite does: dates and JSON as
text). `kordon analytics refresh` rebuilds the mirror; until then the changed seizures are simply
counted in the database. With no mirror, or one the node cannot trust (the drug groups changed
since), every figure is counted in the database.
"""

import csv
import hashlib
import json
import logging
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, DecimalField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.utils import ConnectionHandler

from kordon.access.audit import audit_log
from kordon.analytics.models import SeizureChange
from kordon.seizures.models import CommodityFamily, Seizure, SeizureItem, Substance

log = logging.getLogger(__name__)

AlertSeizure: Any = Seizure._meta.get_field("alert_links").related_model

# What the figures read, and nothing else (no names, narratives or search text).
COPIED: list[tuple[type[Model], list[str]]] = [
    (
        Seizure,
        [
            "id", "owner_unit_id", "owner_agency_id", "tlp", "distribution", "sharing_group_id", "status",
            "occurred_on", "country_id", "place_id", "detection_method", "transport_mode", "concealment",
            "origin_country_id", "transit_countries", "destination_country_id", "persons_arrested",
        ],
    ),
    (SeizureItem, ["id", "seizure_id", "substance_id", "quantity", "unit", "quantity_kg"]),
    (Substance, ["id", "group", "family"]),
    (AlertSeizure, ["id", "alert_id", "seizure_id"]),
]  # fmt: skip

# Each seizure in the mirror also carries what the figures would otherwise join its items for:
# the kilograms of its items with a conversion (NULL when none has one) and its substances. A
# figure in kilograms split by what a seizure has (its month, place, agency...) for every drug,
# and a count of the seizures of a drug, then read the seizures alone, several times faster. The
# database has no such columns; the figures ask for them only in the mirror's part (cube).
KILOGRAMS = '"seizures_seizure"."kilograms"'
DRUG_KILOGRAMS = '"seizures_seizure"."drug_kilograms"'  # of its drugs alone: the headline's figure
# Every item beside its seizure's columns, in one table: a figure at the item grain reads it instead
# of joining a million and a half items to their seizures (the dashboard's query of a year split by
# commodity family: 184 → 86 ms, by substance 110 → 55 ms). A seizure without items has one row, its
# item columns empty, as the join would give it. Its item columns keep their names, but the item's
# id is "item_id".
SEIZURE_ITEMS = "kordon_seizure_items"
# The newest table a snapshot must have: one taken by an earlier version lacks it.
NEWEST_TABLE = SEIZURE_ITEMS
SUBSTANCES = '"seizures_seizure"."substances"'
# The seizures and items as read from their CSV files, before _arrange puts them in order.
_LOADED: dict[type[Model], str] = {Seizure: "loaded_seizures", SeizureItem: "loaded_items"}

# Above this many changed seizures, counting them in the database costs more than the mirror
# saves: figures come from the database alone until the mirror is refreshed.
MOST_CHANGED = 20_000
NULL = r"\N"

# Django's SQLite backend, used only to compile queries for DuckDB: it never connects.
_dialect = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})[
    "default"
]


@dataclass(frozen=True)
class Marks:
    """How far the snapshot goes: the highest id it holds of each copied table that only grows
    (seizures, items, alert links) and of the change log, and the drug groups it was taken with."""

    seizure: int
    item: int
    link: int
    change: int
    substances: str

    def holds_everything_of(self, now: "Marks") -> bool:
        """Whether the database, now at `now`, has nothing the snapshot lacks: no seizure, item or
        alert link added and no line in the change log since (a refresh deletes only lines
        below its marks)."""
        return (
            now.seizure <= self.seizure
            and now.item <= self.item
            and now.link <= self.link
            and now.change <= self.change
        )


MARKS = "SELECT seizure, item, link, change, substances FROM kordon_mirror"


def _digest(groups: list[tuple[Any, ...]]) -> str:
    """A digest of the drug group and family of every substance (id, group, family): the mirror
    groups by them."""
    return hashlib.sha256(repr([tuple(str(value) for value in row) for row in groups]).encode()).hexdigest()


def _marks(run: Callable[[str], list[tuple[Any, ...]]]) -> Marks:
    """How far the data that `run` (a statement → its rows) reads goes, in two queries: when the
    snapshot is taken, and before each figure to see what changed since."""
    tops = ", ".join(
        f"(SELECT coalesce(max(id), 0) FROM {model._meta.db_table})"  # noqa: S608 (names from the models)
        for model in (Seizure, SeizureItem, AlertSeizure, SeizureChange)
    )
    seizure, item, link, change = (int(top) for top in run(f"SELECT {tops}")[0])
    groups = run('SELECT id, "group", family FROM seizures_substance ORDER BY id')
    return Marks(seizure=seizure, item=item, link=link, change=change, substances=_digest(groups))


def _runner(cursor: Any) -> Callable[[str], list[tuple[Any, ...]]]:
    def run(statement: str) -> list[tuple[Any, ...]]:
        cursor.execute(statement)
        return list(cursor.fetchall())

    return run


def _duck_type(model: type[Model], column: str) -> str:
    """The DuckDB type that holds a column as SQLite does, since the SQL run on it is SQLite's."""
    field: Any = next(field for field in model._meta.concrete_fields if field.column == column)
    if field.is_relation:
        field = field.target_field
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return f"DECIMAL({field.max_digits}, {field.decimal_places})"
    if kind.endswith(("AutoField", "IntegerField")):
        return "BIGINT"
    return "VARCHAR"  # text, choices, and dates and JSON as text


def _select(model: type[Model], columns: list[str], highest: int | None) -> str:
    quoted = ", ".join(f'"{column}"' for column in columns)
    upto = f" WHERE id <= {int(highest)}" if highest is not None else ""
    return f"SELECT {quoted} FROM {model._meta.db_table}{upto}"  # noqa: S608 (names from the models)


def _limits(marks: Marks) -> dict[type[Model], int | None]:
    return {Seizure: marks.seizure, SeizureItem: marks.item, Substance: None, AlertSeizure: marks.link}


def _export_sqlite(folder: Path) -> Marks:
    """Each copied table as CSV, all read in one transaction: SQLite has one writer at a time,
    so the snapshot and its marks agree."""
    with transaction.atomic(), connection.cursor() as cursor:
        marks = _marks(_runner(cursor))
        for model, columns in COPIED:
            cursor.execute(_select(model, columns, _limits(marks)[model]))
            with (folder / f"{model._meta.db_table}.csv").open("w", newline="") as out:
                writer = csv.writer(out)
                while rows := cursor.fetchmany(10_000):
                    writer.writerows(_csv_row(row) for row in rows)
    return marks


def _csv_row(row: Iterable[Any]) -> list[Any]:
    # SQLite keeps decimals as floats: written in fixed notation, which DuckDB reads as DECIMAL.
    return [
        NULL if value is None else format(value, "f") if isinstance(value, float) else value for value in row
    ]


def _export_postgresql(folder: Path) -> Marks:
    """Each copied table as CSV (COPY), read in one snapshot. A share lock, held only until the
    snapshot is taken and handed to a second connection, waits for writes in progress: without it a
    seizure committed just after could have an id below the marks and be missed."""
    from psycopg import IsolationLevel, sql

    params = connection.get_connection_params()
    locker = connection.get_new_connection(params)
    reader = connection.get_new_connection(params)
    try:
        locker.isolation_level = reader.isolation_level = IsolationLevel.REPEATABLE_READ
        tables = [model._meta.db_table for model, _columns in COPIED if model is not Substance]
        locker.execute(f"LOCK TABLE {', '.join(tables)}, {SeizureChange._meta.db_table} IN SHARE MODE")
        snapshot = locker.execute("SELECT pg_export_snapshot()").fetchone()[0]
        reader.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        locker.rollback()  # the snapshot is the reader's now; writers go on
        marks = _marks(lambda statement: reader.execute(statement).fetchall())
        for model, columns in COPIED:
            query = _select(model, columns, _limits(marks)[model])
            with (
                (folder / f"{model._meta.db_table}.csv").open("wb") as out,
                reader.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv, NULL '{NULL}')") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
        reader.rollback()
    finally:
        locker.close()
        reader.close()
    return marks


def mirror_path() -> Path | None:
    path = settings.KORDON_ANALYTICS_MIRROR
    return Path(path) if path else None


def build() -> Marks:
    """Take a new snapshot and put it in place of the old one. Readers switch to it at their next
    figure; the change log it makes unnecessary is trimmed (up to the previous snapshot's mark,
    which no reader still needs)."""
    target = mirror_path()
    if target is None:
        raise ValueError("KORDON_ANALYTICS_MIRROR is empty: the analytics mirror is switched off.")
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = _read_marks(target) if target.exists() else None
    building = target.with_name(target.name + ".building")
    building.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        folder = Path(scratch)
        marks = _export_postgresql(folder) if connection.vendor == "postgresql" else _export_sqlite(folder)
        # Sorting a million and a half items beside their seizures (_arrange) would take half a
        # gigabyte more; within this limit DuckDB sorts on disk, as fast here (peak 950 → 720 MB).
        duck = duckdb.connect(str(building), config={"memory_limit": "400MB"})
        try:
            for model, columns in COPIED:
                table = model._meta.db_table
                types = {column: _duck_type(model, column) for column in columns}
                declared = ", ".join(f'"{column}" {kind}' for column, kind in types.items())
                name = _LOADED.get(model, table)
                duck.execute(f"CREATE TABLE {name} ({declared})")
                duck.execute(
                    f"INSERT INTO {name} SELECT * FROM read_csv(?, columns = ?, header = false, "  # noqa: S608
                    "delim = ',', quote = '\"', escape = '\"', nullstr = ?, auto_detect = false)",
                    [str(folder / f"{table}.csv"), types, NULL],
                )
            _arrange(duck)
            duck.execute(
                "CREATE TABLE kordon_mirror (seizure BIGINT, item BIGINT, link BIGINT, change BIGINT, substances VARCHAR)"
            )
            duck.execute(
                "INSERT INTO kordon_mirror VALUES (?, ?, ?, ?, ?)",
                [marks.seizure, marks.item, marks.link, marks.change, marks.substances],
            )
            duck.execute("CHECKPOINT")
        finally:
            duck.close()
    building.replace(target)
    # A copy of every seizure's figures left the database: on the audit trail, with the trimming
    # of the change log it makes possible.
    with transaction.atomic():
        if previous is not None:
            SeizureChange.objects.filter(id__lte=previous.change).delete()
        audit_log(actor=None, action="analytics_refresh", object_type="analytics.mirror", object_repr=str(target)[:200],
                  after={"seizure": marks.seizure, "item": marks.item, "link": marks.link, "change": marks.change})  # fmt: skip
    return marks


def _arrange(duck: duckdb.DuckDBPyConnection) -> None:
    """The seizures as the figures read them: in the order of their dates (DuckDB keeps the lowest
    and highest value of every column per group of about 120,000 rows and skips the groups a period
    leaves out, so a year's figure over ten years of seizures reads about a tenth of them), each
    with its kilograms, those of its drugs and its substances (KILOGRAMS, DRUG_KILOGRAMS,
    SUBSTANCES). The items in the same order, by their seizure's date, for the subqueries that
    look through them; and each item beside its seizure's columns, in that order too (SEIZURE_ITEMS),
    for the figures at the item grain."""
    seizures, items = _LOADED[Seizure], _LOADED[SeizureItem]
    duck.execute(
        f"CREATE TABLE {Seizure._meta.db_table} AS SELECT seizure.*, items.kilograms, items.drug_kilograms, "  # noqa: S608
        f"items.substances FROM {seizures} AS seizure LEFT JOIN (SELECT item.seizure_id, "
        "sum(item.quantity_kg) FILTER (WHERE item.quantity_kg IS NOT NULL) AS kilograms, "
        "sum(item.quantity_kg) FILTER (WHERE item.quantity_kg IS NOT NULL AND substance.family = ?) AS drug_kilograms, "
        "',' || array_to_string(list(DISTINCT item.substance_id), ',') || ',' AS substances "
        f"FROM {items} AS item LEFT JOIN {Substance._meta.db_table} AS substance "
        "ON substance.id = item.substance_id GROUP BY 1) AS items "
        "ON items.seizure_id = seizure.id ORDER BY seizure.occurred_on, seizure.id",
        [CommodityFamily.DRUGS.value],
    )
    duck.execute(
        f"CREATE TABLE {SeizureItem._meta.db_table} AS SELECT item.* FROM {items} AS item "  # noqa: S608
        f"LEFT JOIN {seizures} AS seizure ON seizure.id = item.seizure_id "
        "ORDER BY seizure.occurred_on, item.seizure_id, item.id"
    )
    item_columns = [column for column in dict(COPIED)[SeizureItem] if column != "id"]
    duck.execute(
        f"CREATE TABLE {SEIZURE_ITEMS} AS SELECT seizure.*, item.id AS item_id, "  # noqa: S608
        f"{', '.join(f'item.{column}' for column in item_columns)} FROM {Seizure._meta.db_table} AS seizure "
        f"LEFT JOIN {SeizureItem._meta.db_table} AS item ON item.seizure_id = seizure.id "
        "ORDER BY seizure.occurred_on, seizure.id, item.id"
    )
    duck.execute(f"DROP TABLE {seizures}")
    duck.execute(f"DROP TABLE {items}")


def kilograms() -> RawSQL:
    """A seizure's kilograms, in the mirror only."""
    return RawSQL(KILOGRAMS, (), output_field=DecimalField(max_digits=38, decimal_places=6))  # noqa: S611 (a constant)


def drug_kilograms() -> RawSQL:
    """The kilograms of a seizure's drugs (NULL when none has a conversion), in the mirror only."""
    return RawSQL(DRUG_KILOGRAMS, (), output_field=DecimalField(max_digits=38, decimal_places=6))  # noqa: S611


def with_substances(substances: list[int]) -> RawSQL:
    """Whether a seizure has an item of one of `substances`, in the mirror only. Its substances
    are text (",3,17,"): looking for ",17," in it is several times faster than in a list."""
    if not substances:
        return RawSQL("false", (), output_field=BooleanField())
    found = " OR ".join([f"contains({SUBSTANCES}, %s)"] * len(substances))
    # The text is constant and the ids are parameters (hence the noqa).
    return RawSQL(f"({found})", tuple(f",{int(pk)}," for pk in substances), output_field=BooleanField())  # noqa: S611


def _read_marks(path: Path) -> Marks:
    with duckdb.connect(str(path), read_only=True) as duck:
        row = duck.execute(MARKS).fetchone()
    assert row is not None
    return Marks(*row)


class EarlierLayout(Exception):
    """A snapshot taken by an earlier version of Kordon, without a column the figures now read."""


class Mirror:
    """One open snapshot file, read-only: several server processes read it at once."""

    def __init__(self, path: Path, identity: tuple[int, ...]) -> None:
        self.identity = identity
        # SQLite divides integers as integers (the quarter of a month); DuckDB must do the same,
        # in every cursor.
        self.duck = duckdb.connect(
            str(path), read_only=True, config={"memory_limit": "2GB", "integer_division": True, "threads": 1}
        )
        row = self.duck.execute(MARKS).fetchone()
        self.marks = Marks(*row)  # type: ignore[misc]
        kept = self.duck.execute("SELECT table_name FROM information_schema.tables").fetchall()
        if NEWEST_TABLE not in {name for (name,) in kept}:
            self.duck.close()
            raise EarlierLayout(path)
        self.warned = False  # that it is out of date: once, not for every figure

    def rows(self, queryset: QuerySet[Any]) -> list[dict[str, Any]]:
        """The rows of `queryset` (a values() query), run here instead of in the database."""
        try:
            sql, params = queryset.query.get_compiler(connection=_dialect).as_sql()
        except EmptyResultSet:  # a user who may count nothing
            return []
        cursor = self.duck.cursor()  # a cursor of its own: DuckDB connections are not shared between threads
        try:
            cursor.execute(_duck_sql(sql), list(params))
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()
        # JSON is text here, as in SQLite; Django would have decoded it.
        for name, expression in queryset.query.annotation_select.items():
            if expression.output_field.get_internal_type() == "JSONField":
                for row in rows:
                    row[name] = None if row[name] is None else json.loads(row[name])
        return rows


_SEIZURE, _ITEM = f'"{Seizure._meta.db_table}"', f'"{SeizureItem._meta.db_table}"'
# The join of seizures to their items as Django writes it (subqueries name their tables U0, U1...).
_ITEMS_JOINED = re.compile(
    rf"{_SEIZURE} (LEFT OUTER|INNER) JOIN {_ITEM} ON \({_SEIZURE}\.\"id\" = {_ITEM}\.\"seizure_id\"\)"
)
_BESIDE = {
    "LEFT OUTER": f"{SEIZURE_ITEMS} AS {_SEIZURE}",
    # Only the seizures' rows that hold an item.
    "INNER": f"(SELECT * FROM {SEIZURE_ITEMS} WHERE item_id IS NOT NULL) AS {_SEIZURE}",  # noqa: S608 (names)
}


def _items_beside_seizures(sql: str) -> str:
    """A query that joins the seizures to their items once, as one that reads SEIZURE_ITEMS (the
    same rows): the items' columns are then the seizures' (an item's id is "item_id")."""
    joins = _ITEMS_JOINED.findall(sql)
    if len(joins) != 1:
        return sql
    sql = _ITEMS_JOINED.sub(_BESIDE[joins[0]], sql)
    return sql.replace(f'{_ITEM}."id"', f'{_SEIZURE}."item_id"').replace(f"{_ITEM}.", f"{_SEIZURE}.")


def _duck_sql(sql: str) -> str:
    """SQLite's SQL as DuckDB reads it: question-mark parameters, and exact decimals (SQLite's
    NUMERIC would be DuckDB's DECIMAL(18, 3), rounding kilograms to grams). Items joined to their
    seizures are read where they lie together (SEIZURE_ITEMS)."""
    sql = _items_beside_seizures(re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%"))
    # Django ends every EXISTS subquery with LIMIT 1, the only LIMIT in these aggregates; DuckDB
    # runs EXISTS half again as fast without it (and the answer is the same).
    return sql.replace(" AS NUMERIC)", " AS DECIMAL(38, 6))").replace(" LIMIT 1)", ")")


_lock = threading.Lock()
_open: dict[Path, Mirror] = {}
_unusable: dict[Path, tuple[int, ...]] = {}  # files that could not be read, as they were then


def current() -> Mirror | None:
    """The snapshot in place, opened once per process and again when `build` replaces it."""
    path = mirror_path()
    if path is None:
        return None
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _unusable.get(path) == identity:
            return None  # said once in the log; tried again when the file changes
        mirror = _open.get(path)
        if mirror is None or mirror.identity != identity:
            if mirror is not None:
                mirror.duck.close()
                del _open[path]
            try:
                mirror = _open[path] = Mirror(path, identity)
            except duckdb.Error:
                # A damaged or half-copied file must not stop the dashboard: count in the database.
                log.exception("The analytics mirror %s cannot be read; run `kordon analytics refresh`.", path)
                _unusable[path] = identity
                return None
            except EarlierLayout:
                log.warning("The analytics mirror %s was made by an earlier version of Kordon; counting "
                            "in the database until `kordon analytics refresh` is run.", path)  # fmt: skip
                _unusable[path] = identity
                return None
        return mirror


def close() -> None:
    """Let go of the open snapshots (tests that remove the file, a process shutting down)."""
    with _lock:
        for mirror in _open.values():
            mirror.duck.close()
        _open.clear()
        _unusable.clear()


def _changed_since(marks: Marks) -> set[int] | None:
    """Seizures the snapshot holds that changed since it was taken, or None when there are too
    many to count them apart (more than MOST_CHANGED log lines, new items or new links)."""
    logged = [
        SeizureChange.objects.filter(id__gt=marks.change).values_list("seizure_id", flat=True),
        # In the order of the ids, so that the database reads only the rows added since.
        *(
            model.objects.filter(id__gt=mark, seizure_id__lte=marks.seizure)
            .order_by("id")
            .values_list("seizure_id", flat=True)
            for model, mark in ((SeizureItem, marks.item), (AlertSeizure, marks.link))
        ),
    ]
    changed: set[int] = set()
    for lines in logged:
        found = list(lines[: MOST_CHANGED + 1])
        if len(found) > MOST_CHANGED:
            return None
        changed.update(found)
    return changed if len(changed) <= MOST_CHANGED else None


@dataclass(frozen=True)
class Part:
    """The seizures one part of a figure counts: with `above`, those with ids above it or in `ids`
    (the database's part); without, all but `ids` (the mirror's part, or everything)."""

    above: int | None = None
    ids: tuple[int, ...] = ()
    in_mirror: bool = False  # counted in the mirror, where seizures have KILOGRAMS and SUBSTANCES

    @property
    def seizures(self) -> Q:
        """The part as a condition on seizures."""
        listed = Q(pk__in=self.ids)
        if self.above is None:
            return ~listed if self.ids else Q()
        return Q(pk__gt=self.above) | listed if self.ids else Q(pk__gt=self.above)


def counted(
    figures: Callable[[Part], QuerySet[Any]], *, user: Any, mirrored: bool = True
) -> list[dict[str, Any]]:
    """An aggregate (rows of keys and a "value") counted in the mirror and the database together
    (see the module's docstring). `figures(part)` is the aggregate over the seizures of `part`
    that `user` may count. `mirrored`: False to count in the database only."""
    mirror = current() if mirrored else None
    if mirror is None:
        return _added(list(figures(Part())))
    # The database's highest ids and drug groups. They only decide where a figure is counted, never
    # what it counts: both ways count exactly what `figures` lets `user` count.
    with connection.cursor() as cursor:
        now = _marks(_runner(cursor))
    if now.substances == mirror.marks.substances and mirror.marks.holds_everything_of(now):
        return _added(mirror.rows(figures(Part(in_mirror=True))))
    changed = _changed_since(mirror.marks) if now.substances == mirror.marks.substances else None
    if changed is None:
        if not mirror.warned:
            mirror.warned = True
            log.warning(
                "The analytics mirror is out of date; counting in the database. Run `kordon analytics refresh`."
            )
        return _added(list(figures(Part())))
    ids = tuple(sorted(changed))
    parts = mirror.rows(figures(Part(ids=ids, in_mirror=True)))
    # The database's part only when it can hold something: a change, or a seizure newer than the
    # snapshot that this user may count (a few rows of the primary key's end, read by the policy).
    if ids or Seizure.objects.for_statistics(user).filter(pk__gt=mirror.marks.seizure).exists():
        parts += list(figures(Part(above=mirror.marks.seizure, ids=ids)))
    return _added(parts)


# The figures a row of an aggregate holds; every other column is a key.
FIGURES = ("value", "cases")


def _added(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the two parts with the same keys, added up; in the order of their keys, blanks last
    (as one order on every database)."""
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in parts:
        # Lists (the transit countries) as tuples, to be keys.
        keys = tuple(
            tuple(value) if isinstance(value, list) else value
            for name, value in row.items()
            if name not in FIGURES
        )
        if keys in totals:
            for name in FIGURES:
                if name in row:
                    totals[keys][name] += row[name]
        else:
            totals[keys] = dict(row)
    return [
        totals[keys] for keys in sorted(totals, key=lambda keys: [(value is None, value) for value in keys])
    ]
