"""Spreadsheets as agencies send them, written for tests: CSV in several encodings and XLSX."""

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

TEMPLATE = [
    "reference", "date", "country", "place", "reporting_unit", "substance", "quantity", "unit_of_measure",
    "transport_mode", "detection_method", "concealment", "origin_country", "transit_countries",
    "destination_country", "persons_arrested", "notes",
]  # fmt: skip


def write_csv(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def row(reference: str, **values: Any) -> list[Any]:
    """A template row with sensible defaults for a heroin seizure at Dostuk."""
    defaults = {
        "reference": reference, "date": "12.03.2013", "country": "KG", "place": "Dostuk",
        "reporting_unit": "", "substance": "heroin", "quantity": "1.5", "unit_of_measure": "kg",
        "transport_mode": "road", "detection_method": "sniffer dog", "concealment": "тайник в кабине",
        "origin_country": "AF", "transit_countries": "TJ", "destination_country": "RU",
        "persons_arrested": "1", "notes": "",
    }  # fmt: skip
    defaults.update(values)
    return [defaults[column] for column in TEMPLATE]
