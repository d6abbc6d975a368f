"""What happens to each parsed row of an import: a new seizure, a new item of a seizure, already in
Kordon, or rejected because it contradicts another row or a seizure that is already there.

Deciding reads the database (references already in Kordon) but never writes it, so it can run in
the process that parses while another process writes (kordon.seizures.import_worker).
"""

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from kordon.core import bulk
from kordon.core.tabular import Problem
from kordon.seizures.models import Seizure, SeizureItem
from kordon.seizures.parsing import (
    EVENT_FIELDS,
    ParsedRow,
    RejectedRow,
    event_differences,
)

# Events of the most recent seizures kept in full, to name the columns a later row contradicts.
# Rows of one seizure follow each other in agency files; older ones are remembered by a hash.
RECENT_EVENTS = 50_000


@dataclass
class ChunkWrites:
    """What one chunk adds: new seizures and new items, ready for the database."""

    # (k, values in EVENT_INSERT_COLUMNS order) for the k-th new seizure of the import
    seizures: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    # (seizure, values in ITEM_INSERT_COLUMNS order); seizure is an id when the seizure was in Kordon
    # before, or -(k + 1) for the k-th new seizure of this import
    items: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


@dataclass
class DecisionSummary:
    total_rows: int = 0
    accepted_rows: int = 0
    new_seizures: int = 0
    new_items: int = 0
    duplicate_rows: int = 0
    rejected_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected_cells: dict[int, list[Any]] = field(default_factory=dict)
    # Rows rejected after parsing, whose cells are read back from the file at the end.
    cells_wanted: set[int] = field(default_factory=set)


@dataclass(slots=True)
class SeizureEntry:
    """What the import knows about one reference. Small: an import of a million rows keeps one per seizure."""

    seizure: int  # id if it was in Kordon before; -(k + 1) for the k-th seizure this import adds
    event_hash: int
    first_row: int | None  # None: the seizure was in Kordon before this import
    items: tuple[tuple[int, int], ...]  # (hash of the item's key, row it came from; 0: in Kordon before)
    changeable: bool


class ImportDecisions:
    """Decides row by row, keeping what it needs to recognise the rows of one seizure."""

    def __init__(self, *, agency_id: int, changeable_units: list[int] | None) -> None:
        self.agency_id = agency_id
        self.changeable_units = changeable_units  # None: every unit (node administrators)
        self.entries: dict[str, SeizureEntry] = {}
        self.recent_events: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self.summary = DecisionSummary()

    def decide(self, chunk: list[ParsedRow | RejectedRow]) -> ChunkWrites:
        summary = self.summary
        summary.total_rows += len(chunk)
        parsed: list[ParsedRow] = []
        for result in chunk:
            if isinstance(result, RejectedRow):
                summary.problems.extend(result.problems)
                summary.rejected_cells[result.number] = result.cells
                summary.rejected_rows += 1
            else:
                parsed.append(result)
        self._load_existing({row.reference for row in parsed} - self.entries.keys())
        writes = ChunkWrites()
        new_seizures, new_items = writes.seizures, writes.items
        entries, remember = self.entries, self._remember
        created = summary.new_seizures  # seizures this import added before this chunk
        added_items = 0
        for row in parsed:
            reference = row.reference
            event = row.event
            item = hash(row.item_key)
            entry = entries.get(reference)
            if entry is None:
                seizure = -(created + 1)
                entries[reference] = SeizureEntry(
                    seizure, hash(event), row.number, ((item, row.number),), True
                )
                remember(reference, event)
                new_seizures.append((created, row.seizure_values))
                new_items.append((seizure, row.item_values))
                created += 1
                added_items += 1
                continue
            problem = self._conflict(row, entry)
            if problem is not None:
                self._reject(row, problem)
                continue
            first = next((number for known, number in entry.items if known == item), None)
            if first == 0:
                summary.duplicate_rows += 1
            elif first is not None:
                message = _(
                    "Row %(first)s has the same substance and quantity for reference %(reference)s. If they "
                    "are two separate packages, add them up in one row."
                ) % {"first": first, "reference": reference}
                self._reject(row, Problem(row.number, "quantity", message))
            else:
                entry.items = (*entry.items, (item, row.number))
                new_items.append((entry.seizure, row.item_values))
                added_items += 1
        summary.new_seizures = created
        summary.new_items += added_items
        summary.accepted_rows += added_items
        return writes

    def _reject(self, row: ParsedRow, problem: Problem) -> None:
        self.summary.problems.append(problem)
        self.summary.cells_wanted.add(row.number)
        self.summary.rejected_rows += 1

    def _remember(self, reference: str, event: tuple[Any, ...]) -> None:
        self.recent_events[reference] = event
        if len(self.recent_events) > RECENT_EVENTS:
            # OrderedDict: removing the oldest stays cheap (a dict would slow down as it churns).
            self.recent_events.popitem(last=False)

    def _conflict(self, row: ParsedRow, entry: SeizureEntry) -> Problem | None:
        if not entry.changeable:
            return Problem(row.number, "reference", _(
                "Reference %(reference)s belongs to a seizure of another unit that you cannot change; "
                "use another reference or ask that unit.") % {"reference": row.reference})  # fmt: skip
        event = row.event
        if hash(event) == entry.event_hash:
            return None
        known = self.recent_events.get(row.reference)
        differences = event_differences(known, event) if known is not None else ["reference"]
        if not differences:
            return None
        if entry.first_row is None:
            message = _(
                "Reference %(reference)s is already in Kordon with a different %(columns)s. Rows with the "
                "same reference are items of one seizure; correct the seizure in Kordon or use another "
                "reference."
            )
        elif known is None:
            message = _(
                "Reference %(reference)s is used on row %(first)s with different details. Rows with the "
                "same reference are items of one seizure and must agree on its details."
            )
        else:
            message = _(
                "Reference %(reference)s is used on row %(first)s with a different %(columns)s. Rows with "
                "the same reference are items of one seizure and must agree on its details."
            )
        values = {"reference": row.reference, "first": entry.first_row, "columns": ", ".join(differences)}
        return Problem(row.number, differences[0], message % values)

    def _load_existing(self, references: set[str]) -> None:
        """Seizures of the agency that already carry these references (from earlier imports or forms)."""
        if not references:
            return
        # A plain query first: in a fresh import almost no reference exists yet, and building an ORM
        # filter with thousands of parameters costs more than the import of the rows themselves.
        table = connection.ops.quote_name(Seizure._meta.db_table)
        matches, parameters = bulk.any_of("reference", sorted(references))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT reference FROM {table} WHERE owner_agency_id = %s AND {matches}",  # noqa: S608
                [self.agency_id, *parameters],
            )
            existing = [reference for (reference,) in cursor.fetchall()]
        if not existing:
            return
        found = Seizure.objects.filter(owner_agency_id=self.agency_id, reference__in=existing)
        items: dict[int, list[tuple[int, int]]] = {}
        for seizure_id, substance_id, unit, quantity in SeizureItem.objects.filter(
            seizure__in=found
        ).values_list("seizure_id", "substance_id", "unit", "quantity"):
            items.setdefault(seizure_id, []).append((hash((substance_id, unit, str(quantity))), 0))
        for seizure in found.values("id", "reference", "owner_unit_id", *EVENT_FIELDS):
            changeable = self.changeable_units is None or seizure["owner_unit_id"] in self.changeable_units
            # The same form as a parsed row's event: the route as JSON.
            seizure["transit_countries"] = json.dumps(seizure["transit_countries"])
            event = tuple(seizure[name] for name in EVENT_FIELDS)
            reference = seizure["reference"]
            self.entries[reference] = SeizureEntry(
                seizure["id"], hash(event), None, tuple(items.get(seizure["id"], ())), changeable
            )
            self._remember(reference, event)
