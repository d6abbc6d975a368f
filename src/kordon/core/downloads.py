"""A table as a CSV or XLSX download: the files officers open in Excel."""

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula to Excel and LibreOffice ("CSV injection"): an
# imported "=HYPERLINK(...)" would run on the analyst's computer when they open the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe, which
    spreadsheets show as plain text; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer for files people open in a spreadsheet: every cell neutralised."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self.writer = csv.writer(handle, **options)

    def writerow(self, row: Sequence[Any]) -> None:
        self.writer.writerow([neutralise(value) for value in row])


def safe_filename(name: str) -> str:
    """A file name for Content-Disposition from text people typed (a form id, a facility code):
    anything but letters, digits, dots and dashes becomes "_", so no header can be broken."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120] or "file"


def table_download(
    header: Sequence[Any], rows: Sequence[Sequence[Any]], file_format: str, name: str
) -> HttpResponse:
    """`rows` under `header` as `name`.csv (UTF-8 with a BOM, so Excel reads Cyrillic) or
    `name`.xlsx. Every text cell is neutralised against formulas here, whoever typed it."""
    header = [neutralise(value) for value in header]
    rows = [[neutralise(value) for value in row] for row in rows]
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(name)}.{file_format}"'
    return response
