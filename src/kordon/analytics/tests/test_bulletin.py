"""The bulletin as PDF and XLSX: its figures, its languages, and what its pages look like (each
page is rendered to PNG under docs/screenshots for a person to look at)."""

import io
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from kordon.access.models import AuditEntry
from kordon.seizures.models import Seizure

SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def _pages(path: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    return [document[index].get_textpage().get_text_range() for index in range(len(document))]


def test_the_pdf_bulletin_in_russian_says_the_figures(
    world: Any, seized: dict[str, Seizure], tmp_path: Path
) -> None:
    out = tmp_path / "bulletin.pdf"
    call_command(
        "report",
        "bulletin",
        "--period",
        "2013",
        "--user",
        "kg.analyst",
        "--language",
        "ru",
        "--out",
        str(out),
    )
    text = " ".join(_pages(out)).replace("\r\n", " ").replace("\n", " ")
    assert "Сводка об изъятиях" in text
    assert "рост с 3,5 кг за 2012 г. до 4 кг за 2013 г." in text  # the kilograms' sentence
    assert "Киргизия" in text or "Кыргызстан" in text
    document = pypdfium2.PdfDocument(str(out))
    assert len(document) >= 2
    for stale in SCREENSHOTS.glob("bulletin-ru-page-*.png"):
        stale.unlink()  # a shorter bulletin must not leave an old last page behind
    for index in range(len(document)):
        image = document[index].render(scale=1.2).to_pil()
        assert image.size[0] > 500
        image.save(SCREENSHOTS / f"bulletin-ru-page-{index + 1}.png")
    assert AuditEntry.objects.filter(action="export", object_type="analytics.bulletin").exists()


def test_the_xlsx_bulletin_carries_the_same_figures(
    world: Any, seized: dict[str, Seizure], tmp_path: Path
) -> None:
    out = tmp_path / "bulletin.xlsx"
    call_command(
        "report",
        "bulletin",
        "--period",
        "2013",
        "--user",
        "kg.analyst",
        "--language",
        "en",
        "--out",
        str(out),
    )
    workbook = load_workbook(io.BytesIO(out.read_bytes()))
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    kilograms = next(row for row in summary if row and row[0] == "Kilograms of drugs seized")
    assert kilograms[1:3] == (3.5, 4)
    assert any("rose from 3.5 kg in 2012 to 4 kg in 2013" in str(row[0]) for row in summary if row)


def test_the_web_gives_the_bulletin_for_the_dashboards_period(world: Any, seized: dict[str, Seizure]) -> None:
    response = world.client("kg.analyst").get("/analytics/bulletin.pdf?period=2013")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "2013" in response["Content-Disposition"]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code not in ("ru", "en")])
def test_the_bulletin_speaks_each_of_the_regions_languages(
    world: Any, seized: dict[str, Seizure], tmp_path: Path, language: str
) -> None:
    out = tmp_path / f"bulletin-{language}.pdf"
    call_command("report", "bulletin", "--period", "2013", "--user", "kg.analyst", "--language", language,
                 "--out", str(out))  # fmt: skip
    text = " ".join(_pages(out)).replace("\r\n", " ").replace("\n", " ")
    with translation.override(language):
        title = translation.gettext("Seizure bulletin")
    assert title != "Seizure bulletin" and title in text
    assert "Seizure bulletin" not in text
    # What a reader of the language gets, fonts included, for a person to look at.
    page = pypdfium2.PdfDocument(str(out))[0].render(scale=1.2).to_pil()
    page.save(SCREENSHOTS / f"bulletin-{language}-page-1.png")
