"""A table as a CSV or XLSX download: the files officers open in Excel."""

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_filename(name: str) -> str:
    """A file name for Content-Disposition from text people typed (a form id, a facility code):
    anything but letters, digits, dots and dashes becomes "_", so no header can be broken."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120] or "file"


def table_download(
    header: Sequence[Any], rows: Sequence[Sequence[Any]], file_format: str, name: str
) -> HttpResponse:
    """`rows` under `header` as `name`.csv (UTF-8 with a BOM, so Excel reads Cyrillic) or
    `name`.xlsx. Cells that come from people must already be neutralised against formulas."""
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
