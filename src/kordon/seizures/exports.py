"""Exports of exactly the seizures a user may see, with the list's filters: CSV, XLSX, GeoJSON.

CSV and XLSX have one row per item in the columns of the import template (plus markings), so an
export can be edited and imported again. Every export is audited before the first byte leaves.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_log
from kordon.access.markings import Tlp
from kordon.core.downloads import neutralise
from kordon.seizures.models import Seizure, SeizureImport
from kordon.seizures.selectors import SeizureFilters, seizure_list
from kordon.seizures.vocabulary import TEMPLATE_COLUMNS

EXPORT_COLUMNS = (
    *TEMPLATE_COLUMNS,
    "time",
    "latitude",
    "longitude",
    "vehicle_plate",
    "container_number",
    "quantity_kg",
    "status",
    "tlp",
    "handling_code",
    "owner_unit",
)
FORMATS = ("csv", "xlsx", "geojson")
CHUNK = 2000


@dataclass
class ExportFile:
    file_name: str
    content_type: str
    chunks: Iterator[bytes]
    rows: int


def _seizures(user: Any, filters: SeizureFilters) -> QuerySet[Seizure]:
    return seizure_list(user=user, filters=filters, action=policy.EXPORT).select_related(
        "country", "place", "reporting_unit", "owner_unit"
    )


def _iterate(seizures: QuerySet[Seizure]) -> Iterator[Seizure]:
    # Keyset pagination over (date, id): memory stays flat on a million seizures.
    last: tuple[Any, int] | None = None
    while True:
        page = seizures
        if last is not None:
            page = page.filter(occurred_on__lte=last[0]).exclude(occurred_on=last[0], id__gte=last[1])
        batch = list(page.prefetch_related("items__substance")[:CHUNK])
        if not batch:
            return
        yield from batch
        last = (batch[-1].occurred_on, batch[-1].pk)


def item_rows(seizures: QuerySet[Seizure]) -> Iterator[list[Any]]:
    for seizure in _iterate(seizures):
        coordinates = _coordinates(seizure)
        event = [
            seizure.reference,
            seizure.occurred_on.strftime("%d.%m.%Y"),
            seizure.country_id,
            seizure.place.code if seizure.place else seizure.place_description,
            seizure.reporting_unit.code if seizure.reporting_unit else seizure.reporting_body,
        ]
        route = [
            seizure.transport_mode,
            seizure.detection_method,
            seizure.concealment_details or seizure.get_concealment_display(),
            seizure.origin_country_id or "",
            ";".join(seizure.transit_countries),
            seizure.destination_country_id or "",
            seizure.persons_arrested,
            seizure.narrative,
            seizure.occurred_at.strftime("%H:%M") if seizure.occurred_at else "",
            coordinates[1] if coordinates else "",
            coordinates[0] if coordinates else "",
            seizure.vehicle_plate,
            seizure.container_number,
        ]
        for item in seizure.items.all():
            yield [
                *event,
                item.substance.code,
                item.quantity.normalize(),
                item.unit,
                *route,
                item.quantity_kg.normalize() if item.quantity_kg is not None else "",
                seizure.status,
                Tlp(seizure.tlp).label,
                seizure.handling_code,
                seizure.owner_unit.code,
            ]


def _coordinates(seizure: Seizure) -> tuple[float, float] | None:
    """(longitude, latitude) of the seizure itself, else of its known place."""
    if seizure.latitude is not None and seizure.longitude is not None:
        return seizure.longitude, seizure.latitude
    if seizure.place and seizure.place.latitude is not None and seizure.place.longitude is not None:
        return seizure.place.longitude, seizure.place.latitude
    return None


def _csv_chunks(seizures: QuerySet[Seizure]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel recognises UTF-8 (and so Cyrillic) only with this mark
    writer.writerow(EXPORT_COLUMNS)
    for number, row in enumerate(item_rows(seizures), 1):
        writer.writerow([neutralise(value) for value in row])
        if number % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_chunks(seizures: QuerySet[Seizure], about: list[tuple[str, str]]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("seizures")
    sheet.append(list(EXPORT_COLUMNS))
    for row in item_rows(seizures):
        sheet.append([neutralise(value) for value in row])
    info = workbook.create_sheet("about")
    for line in about:
        info.append([neutralise(value) for value in line])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        yield from iter(lambda: spool.read(1 << 16), b"")


def _geojson_chunks(seizures: QuerySet[Seizure]) -> Iterator[bytes]:
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for seizure in _iterate(seizures):
        coordinates = _coordinates(seizure)
        if coordinates is None:
            continue
        feature = {
            "type": "Feature",
            "id": seizure.pk,
            "geometry": {"type": "Point", "coordinates": list(coordinates)},
            "properties": {
                "reference": seizure.reference,
                "date": seizure.occurred_on.isoformat(),
                "country": seizure.country_id,
                "place": seizure.place.code if seizure.place else seizure.place_description,
                "transport_mode": seizure.transport_mode,
                "items": [
                    {
                        "substance": item.substance.code,
                        "quantity": str(item.quantity.normalize()),
                        "unit": item.unit,
                        "kg": str(item.quantity_kg.normalize()) if item.quantity_kg is not None else None,
                    }
                    for item in seizure.items.all()
                ],
                "tlp": Tlp(seizure.tlp).label,
                "handling_code": seizure.handling_code,
            },
        }
        yield (b"" if first else b",") + json.dumps(feature, ensure_ascii=False).encode("utf-8")
        first = False
    yield b"]}"


def export_seizures(*, user: Any, filters: SeizureFilters, file_format: str) -> ExportFile:
    """Prepare an export; the audit line (with the filters and row count) is written here."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    seizures = _seizures(user, filters)
    count = seizures.count()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with transaction.atomic():
        audit_log(
            actor=user,
            action=EXPORT,
            object_type="seizures.seizure",
            object_repr=f"{count} seizures as {file_format}",
            after={"format": file_format, "filters": filters.as_dict(), "seizures": count},
        )
    name = f"kordon-seizures-{stamp}.{file_format}"
    if file_format == "csv":
        return ExportFile(name, "text/csv; charset=utf-8", _csv_chunks(seizures), count)
    if file_format == "xlsx":
        about = [
            ("Kordon node", settings.KORDON_NODE_NAME),
            ("Exported by", user.get_username()),
            ("Exported at", timezone.localtime().isoformat(timespec="seconds")),
            ("Filters", json.dumps(filters.as_dict(), ensure_ascii=False)),
            ("Seizures", str(count)),
            ("Handling", "Each row carries its TLP and handling code; share it only as they allow."),
        ]
        return ExportFile(
            name,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _xlsx_chunks(seizures, about),
            count,
        )
    return ExportFile(name, "application/geo+json", _geojson_chunks(seizures), count)


def export_rejected_rows(*, user: Any, batch: SeizureImport) -> bytes:
    """The rows an import rejected, as uploaded, with an `errors` column: fix them and upload again.

    The caller has already checked that the user may see this import.
    """
    with transaction.atomic():
        audit_log(
            actor=user,
            action=EXPORT,
            instance=batch,
            owner_unit_id=batch.owner_unit_id,
            object_repr=f"rejected rows of {batch}"[:200],
        )
    by_row: dict[int, tuple[list[Any], list[str]]] = {}
    for problem in batch.problems.filter(row__gt=0).order_by("row", "id"):
        cells, reasons = by_row.setdefault(problem.row, ([], []))
        if problem.values and not cells:
            cells.extend(problem.values)
        column = f"{problem.column}: " if problem.column else ""
        reasons.append(column + problem.message)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([*batch.headers, "errors"])
    width = len(batch.headers)
    for _row, (cells, reasons) in sorted(by_row.items()):
        padded = (list(cells) + [""] * width)[:width]
        writer.writerow([*(neutralise("" if cell is None else cell) for cell in padded), " | ".join(reasons)])
    return buffer.getvalue().encode("utf-8")
