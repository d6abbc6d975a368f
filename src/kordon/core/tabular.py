"""Reading the spreadsheets agencies send: CSV in UTF-8, Windows-1251 or UTF-16 (Excel's "Unicode
text"), with commas, semicolons or tabs, and XLSX; row by row, so a million-row file never sits in
memory. A file that is not a table, or an XLSX built to unpack into gigabytes, is refused before
anything is read from it."""

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t")
# An XLSX is a zip of XML. A real sheet packs about ten to one, a million rows into a few hundred MB;
# a "zip bomb" packs a thousand to one and would take the server's memory and hours of CPU.
XLSX_MAX_RATIO = 100
XLSX_MAX_UNPACKED_BYTES = 4 * 1024**3
XLSX_RATIO_CHECKED_FROM = 10 * 1024 * 1024  # small parts (styles, a tiny sheet) pack as they like

# Agency files carry long narratives in one cell.
csv.field_size_limit(10 * 1024 * 1024)


class TableError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class Problem:
    """What is wrong with one row of an imported file: its number as the spreadsheet shows it,
    the column, and what to do."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    headers: list[str]
    # (row number as the spreadsheet shows it, the cells); the header is row 1.
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str
    delimiter: str


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:  # no text file but UTF-16 holds NUL bytes: an image, an archive, a program
        raise TableError(_("This is not a CSV or XLSX file. Upload the table itself, saved as .xlsx or CSV."))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: a sample cut in the middle of a character is not an error.
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def _detect_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _is_blank(cells: list[Any]) -> bool:
    try:
        return not "".join(cells).strip()  # CSV: all text, the quick way
    except TypeError:
        return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _csv_rows(reader: Any, encoding: str) -> Iterator[tuple[int, list[Any]]]:
    number = 1
    try:
        for cells in reader:
            number += 1
            if not _is_blank(cells):
                yield number, cells
    except UnicodeDecodeError:
        raise TableError(
            _(
                "Row %(row)s is not readable text in %(encoding)s. Save the file as CSV UTF-8 and upload it again."
            )
            % {"row": number + 1, "encoding": encoding}
        ) from None
    except csv.Error as error:
        raise TableError(
            _("Row %(row)s cannot be read as CSV (%(error)s). Check for an unclosed quotation mark.")
            % {"row": number + 1, "error": error}
        ) from None


@contextmanager
def _open_csv(path: Path, sample: bytes) -> Iterator[Table]:
    encoding = _detect_encoding(sample)
    handle: IO[str] = path.open(encoding=encoding, newline="")
    try:
        header_line = handle.readline()
        delimiter = _detect_delimiter(header_line)
        headers = next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
        reader = csv.reader(handle, delimiter=delimiter)
        yield Table(headers, _csv_rows(reader, encoding), encoding, delimiter)
    finally:
        handle.close()


def _xlsx_rows(sheet: Any, header_row: int) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1):
        values = list(cells)
        if not _is_blank(values):
            yield number, values


def _check_xlsx_archive(path: Path) -> None:
    """Refuse an XLSX whose parts would unpack far beyond any real spreadsheet. The sizes come from
    the archive's directory; Python's zip reader never unpacks more than a part declares."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise TableError(
            _(
                "The Excel file is damaged (it is not a complete .xlsx). Save it again from Excel and upload it."
            )
        ) from None
    unpacked = sum(part.file_size for part in parts)
    swollen = [
        part
        for part in parts
        if part.file_size >= XLSX_RATIO_CHECKED_FROM
        and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1)
    ]
    if unpacked > XLSX_MAX_UNPACKED_BYTES or swollen:
        raise TableError(
            _(
                "This Excel file would unpack to %(size)s MB, far more than its data could fill: it is damaged "
                "or built to overload the server, and was not read. Save the table again as .xlsx or CSV."
            )
            % {"size": f"{unpacked // (1024 * 1024):,}"}
        )


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    _check_xlsx_archive(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            _(
                "The Excel file cannot be opened (%(error)s). Open it in Excel, save it as .xlsx and try again."
            )
            % {"error": error}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        header_row = 0
        headers: list[str] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            if not _is_blank(list(cells)):
                header_row = number
                headers = ["" if cell is None else str(cell) for cell in cells]
                break
        yield Table(headers, _xlsx_rows(sheet, header_row), "xlsx", "")
    finally:
        workbook.close()


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open a CSV or XLSX file; raises TableError with advice when it cannot be read."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if not sample.strip():
        raise TableError(_("The file is empty."))
    if sample.startswith(OLE_MAGIC):
        raise TableError(_("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again."))
    opener = _open_xlsx(path) if sample.startswith(XLSX_MAGIC) else _open_csv(path, sample)
    with opener as table:
        if not any(header.strip() for header in table.headers):
            raise TableError(_("The first row must hold the column names; it is empty."))
        yield table


def file_sha256(path: Path) -> str:
    """The file's SHA-256, to tell in the audit trail exactly which file was imported."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
