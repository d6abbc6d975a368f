"""Importing seizure files: check every row, keep the good ones, explain the bad ones.

One row is one item (a substance and its quantity). Rows with the same reference are the items
of one seizure and must agree on the event's details. A row is imported, rejected with its row
number, column and reason, or recognised as already in Kordon; nothing else happens to it. The
whole import is one transaction: it lands completely or not at all, even if the process is killed.

    file ─► parsing (RowParser) ─► import_decisions (ImportDecisions) ─► SeizureWriter ─► database
            └──── import_worker: in this process, or in a second one for large files ────┘
"""

import datetime
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import IMPORT, audit_log
from kordon.core import bulk
from kordon.core.models import Unit
from kordon.core.tabular import Problem, TableError, file_sha256, open_table
from kordon.seizures.import_decisions import ChunkWrites, DecisionSummary
from kordon.seizures.import_worker import decided_table
from kordon.seizures.models import Seizure, SeizureImport, SeizureImportProblem, SeizureItem, SeizureStatus
from kordon.seizures.parsing import EVENT_INSERT_COLUMNS, ITEM_INSERT_COLUMNS

# Columns filled the same for every seizure of an import, then the row's own.
CONSTANT_COLUMNS = (
    "owner_unit_id", "owner_agency_id", "tlp", "handling_code", "handling_note", "grading_scheme",
    "source_reliability", "information_credibility", "distribution", "created_at", "updated_at", "status",
    "created_by_id", "source_import_id",
)  # fmt: skip
SEIZURE_COLUMNS = ("id", *CONSTANT_COLUMNS, *EVENT_INSERT_COLUMNS)
ITEM_COLUMNS = ("seizure_id", *ITEM_INSERT_COLUMNS)


@dataclass
class Markings:
    tlp: int
    handling_code: str
    distribution: int


DEFAULT_MARKINGS = Markings(tlp=2, handling_code="H0", distribution=1)


@dataclass
class ImportResult:
    batch: SeizureImport
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.summary() | {"errors": [problem.as_dict() for problem in self.problems]}

    def summary(self) -> dict[str, Any]:
        batch = self.batch
        return {
            "import_id": batch.pk,
            "status": batch.status,
            "file": batch.file_name,
            "rows": batch.total_rows,
            "imported": batch.accepted_rows,
            "new_seizures": batch.new_seizures,
            "new_items": batch.new_items,
            "duplicates": batch.duplicate_rows,
            "rejected": batch.rejected_rows,
        }


class SeizureWriter:
    """Writes what the decisions add: reserves ids for new seizures and inserts seizures and items."""

    def __init__(self, *, actor: Any, unit: Unit, batch: SeizureImport, markings: Markings) -> None:
        now = timezone.now()
        self.constants = bulk.row_preparer(Seizure, CONSTANT_COLUMNS)(
            (unit.pk, unit.agency_id, markings.tlp, markings.handling_code, "", settings.KORDON_GRADING_SCHEME,
             "", "", markings.distribution, now, now, SeizureStatus.SUBMITTED, actor.pk, batch.pk)
        )  # fmt: skip
        self.no_columns = bulk.row_preparer(Seizure, ())(())
        # The id given to the k-th new seizure of the import (8 bytes each).
        self.ids = array("q")

    def write(self, writes: ChunkWrites) -> None:
        ids = self.ids
        ids.extend(bulk.reserve_ids(Seizure, len(writes.seizures)))
        bulk.insert_prepared(Seizure, SEIZURE_COLUMNS, bulk.keyed_rows(
            [ids[number] for number, _values in writes.seizures], self.constants,
            [values for _number, values in writes.seizures],
        ))  # fmt: skip
        bulk.insert_prepared(SeizureItem, ITEM_COLUMNS, bulk.keyed_rows(
            [seizure if seizure > 0 else ids[-seizure - 1] for seizure, _values in writes.items], self.no_columns,
            [values for _seizure, values in writes.items],
        ))  # fmt: skip


def _json_cell(cell: Any) -> Any:
    if isinstance(cell, datetime.datetime | datetime.date | datetime.time):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return str(cell)
    return cell


def _read_back_cells(path: Path, summary: DecisionSummary) -> None:
    """Fetch, as uploaded, the rows rejected after parsing (so they can be downloaded and fixed)."""
    if not summary.cells_wanted:
        return
    with open_table(path) as table:
        for number, cells in table.rows:
            if number in summary.cells_wanted:
                summary.rejected_cells[number] = cells


def _store_problems(batch: SeizureImport, summary: DecisionSummary) -> None:
    SeizureImportProblem.objects.filter(batch=batch).delete()
    seen: set[int] = set()
    records = []
    for problem in summary.problems:
        first = problem.row not in seen
        seen.add(problem.row)
        cells = summary.rejected_cells.get(problem.row, []) if first else []
        records.append(
            SeizureImportProblem(
                batch=batch,
                row=problem.row,
                column=problem.column,
                message=problem.message[:500],
                values=[_json_cell(cell) for cell in cells],
            )
        )
    SeizureImportProblem.objects.bulk_create(records, batch_size=2000)


# From this many new items on, the database's planner statistics are refreshed after the import.
LARGE_IMPORT_ROWS = 50_000
COUNTERS = ("total_rows", "accepted_rows", "new_seizures", "new_items", "duplicate_rows", "rejected_rows")


def import_seizures(
    *,
    actor: Any,
    unit: Unit,
    path: Path,
    file_name: str,
    commit: bool,
    batch: SeizureImport | None = None,
    markings: Markings = DEFAULT_MARKINGS,
    parallel: bool | None = None,
) -> ImportResult:
    """Check (commit=False) or import (commit=True) a seizure file for `unit`, on behalf of `actor`.

    Everything, including the import's own record, its problems and its audit line, is written in
    one transaction. With an existing `batch` (a checked upload), the same batch is updated.
    `parallel` forces reading the file in a second process (True) or in this one (False); by default
    large files are read in a second process.
    """
    if not policy.may_act_in_unit(actor, unit.pk, policy.ADD):
        raise PermissionDenied(_("You cannot import seizures for this unit."))
    changeable = policy.units_for_action(actor, policy.CHANGE)
    with transaction.atomic():
        if batch is None:
            batch = SeizureImport(
                owner_unit=unit, created_by=actor, file_name=file_name, file_sha256=file_sha256(path)
            )
        batch.markings = markings.__dict__
        batch.status = SeizureImport.Status.CHECKED
        batch.message = ""
        batch.save()
        writer = SeizureWriter(actor=actor, unit=unit, batch=batch, markings=markings) if commit else None
        summary = DecisionSummary()
        try:
            with decided_table(
                path,
                agency_id=unit.agency_id,
                changeable_units=None if isinstance(changeable, policy.Everything) else changeable,
                parallel=parallel,
            ) as table:
                batch.encoding = table.encoding
                batch.headers = table.headers
                for writes in table.writes:
                    if writer is not None:
                        writer.write(writes)
                summary = table.summary()
            _read_back_cells(path, summary)
        except TableError as error:
            batch.status = SeizureImport.Status.FAILED
            batch.message = str(error)
            summary = DecisionSummary(problems=[Problem(0, "", str(error))])
        for counter in COUNTERS:
            setattr(batch, counter, getattr(summary, counter))
        summary.problems.sort(key=lambda problem: problem.row)
        if commit and batch.status != SeizureImport.Status.FAILED:
            batch.status = SeizureImport.Status.IMPORTED
        batch.save()
        _store_problems(batch, summary)
        audit_log(
            actor=actor,
            action=IMPORT if commit else "import_check",
            instance=batch,
            owner_unit_id=unit.pk,
            after=ImportResult(batch).summary() | {"sha256": batch.file_sha256},
        )
    if commit and batch.new_items >= LARGE_IMPORT_ROWS:
        bulk.refresh_statistics(Seizure, SeizureItem)
    return ImportResult(batch, summary.problems)
