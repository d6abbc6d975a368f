"""The foundation's story in a real browser: an officer records a seizure, an analyst imports a
spreadsheet with mistakes and fixes them, exports, and an administrator checks the audit trail."""

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.browser import screenshot
from kordon.conftest import PASSWORD
from kordon.seizures.demo import build_seizures
from kordon.seizures.models import Seizure
from kordon.seizures.tests.files import write_csv

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_world(transactional_world: Any) -> Any:
    with action_context(client_address="test"):
        build_seizures()
    return transactional_world


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.language-switch) button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def select_containing(page: Page, select: str, text: str) -> None:
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.select_option(select, value)


def test_an_officer_records_a_heroin_seizure_at_dostuk_in_russian(page: Page, live_server: Any,
                                                                   demo_world: Any) -> None:  # fmt: skip
    page.goto(f"{live_server.url}/login/")
    page.click("#nav-language")
    page.click(".language-switch button[value=ru]")
    expect(page.locator("h1")).to_have_text("Вход в Kordon")
    screenshot(page, "login")
    page.fill("#id_username", "kg.blo.dostuk")
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.language-switch) button[type=submit]")
    expect(page.locator("[data-unit=kg-dcs-blo-dostuk]")).to_be_visible()
    screenshot(page, "home")
    page.goto(f"{live_server.url}/seizures/new/")
    page.fill("#id_reference", "KG-DCS-2013-BROWSER")
    page.fill("#id_occurred_on", "2013-03-12")
    page.select_option("#id_country", "KG")
    select_containing(page, "#id_place", "Достук")
    page.select_option("#id_transport_mode", "road")
    page.select_option("#id_detection_method", "sniffer_dog")
    page.select_option("#id_concealment", "vehicle_compartment")
    page.fill("#id_concealment_details", "тайник под днищем грузовика 01KG123ABC")
    page.fill("#id_vehicle_plate", "01 KG 123 ABC")
    page.select_option("#id_origin_country", "AF")
    page.fill("#id_transit_countries", "Таджикистан")
    page.select_option("#id_destination_country", "RU")
    page.fill("#id_persons_arrested", "2")
    select_containing(page, "#id_items-0-substance", "Героин")
    page.fill("#id_items-0-quantity", "12,5")
    screenshot(page, "seizure-form")
    page.click("button:text('Сохранить')")
    expect(page.locator("h1")).to_contain_text("KG-DCS-2013-BROWSER")
    expect(page.locator("body")).to_contain_text("Таджикистан")
    screenshot(page, "seizure-detail")
    seizure = Seizure.objects.get(reference="KG-DCS-2013-BROWSER")
    assert seizure.vehicle_plate == "01KG123ABC" and seizure.transit_countries == ["TJ"]
    assert seizure.items.get().quantity_kg == 12.5
    # The list filters as you type, without reloading the page.
    page.goto(f"{live_server.url}/seizures/")
    marker = page.evaluate("() => (window.kordonMarker = 42)")
    page.fill("#id_q", "browser")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert page.evaluate("() => window.kordonMarker") == marker
    page.fill("#id_q", "")
    page.select_option("#id_substance_group", "opioids")
    expect(page.locator("#results .card-header")).not_to_contain_text(" 0 ")
    screenshot(page, "seizure-list")


def test_an_analyst_fixes_a_spreadsheet_and_exports(page: Page, live_server: Any, demo_world: Any,
                                                    tmp_path: Path) -> None:  # fmt: skip
    log_in(page, live_server.url, "kg.analyst")
    path = write_csv(tmp_path / "2013-Q3.csv", [
        ["№ дела", "дата", "страна", "место", "вещество", "количество", "ед. изм.", "вид транспорта"],
        ["Q3-1", "01.07.2013", "Кыргызстан", "Достук", "героин", "3,2", "кг", "авто"],
        ["Q3-2", "02.07.2013", "Кыргызстан", "Ак-Жол", "гашиш", "много", "кг", "авто"],
        ["Q3-3", "03.07.2013", "Кыргызстан", "", "опий", "1", "мешок", "ж/д"],
    ], encoding="cp1251", delimiter=";")  # fmt: skip
    page.goto(f"{live_server.url}/seizures/imports/")
    page.set_input_files("#id_file", str(path))
    page.click("button[type=submit]:text('Проверить файл')")
    expect(page.locator("[data-figure=rejected]")).to_have_text("2")
    expect(page.locator(".problems")).to_contain_text("много")
    screenshot(page, "import-check")
    with page.expect_download() as download_info:
        page.click("text=Скачать отклонённые строки")
    rejected = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(rejected), delimiter=";"))
    assert [cells[0] for cells in rows[1:]] == ["Q3-2", "Q3-3"]
    page.click("button.btn-success")
    expect(page.locator("[data-figure=accepted]")).to_have_text("1")
    fixed = tmp_path / "2013-Q3-fixed.csv"
    rows[1][5] = "2,5"
    rows[2][6] = "кг"
    write_csv(fixed, [cells[:-1] for cells in rows])
    page.goto(f"{live_server.url}/seizures/imports/")
    page.set_input_files("#id_file", str(fixed))
    page.click("button[type=submit]:text('Проверить файл')")
    expect(page.locator("[data-figure=rejected]")).to_have_text("0")
    page.click("button.btn-success")
    expect(page.locator("[data-figure=accepted]")).to_have_text("2")
    assert set(Seizure.objects.filter(reference__startswith="Q3-").values_list("reference", flat=True)) == {
        "Q3-1",
        "Q3-2",
        "Q3-3",
    }
    page.goto(f"{live_server.url}/seizures/?q=q3-")
    with page.expect_download() as download_info:
        page.click("[data-export=xlsx]")
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).worksheets[0]
    assert sorted(sheet.cell(row=number, column=1).value for number in range(2, sheet.max_row + 1)) == [
        "Q3-1",
        "Q3-2",
        "Q3-3",
    ]
    with page.expect_download() as download_info:
        page.click("[data-export=geojson]")
    features = json.loads(Path(download_info.value.path()).read_text())["features"]
    assert {feature["properties"]["reference"] for feature in features} == {
        "Q3-1",
        "Q3-2",
    }  # Q3-3 has no place


def test_an_administrator_reads_and_verifies_the_audit_trail(page: Page, live_server: Any, demo_world: Any,
                                                             tmp_path: Path) -> None:  # fmt: skip
    log_in(page, live_server.url, "kg.blo.dostuk")
    seizure = Seizure.objects.filter(owner_unit__code="kg-dcs-blo-dostuk").first()
    page.goto(f"{live_server.url}/seizures/{seizure.pk}/")
    # The service worker registered at log-in fetches the pages a post keeps, with this officer's
    # cookies. Under load one of those pages can answer after the cookies are cleared and set the
    # old form token again (Django re-sends it with every form), so that the next log-in form no
    # longer matches it (a CSRF refusal, seen once). Switch users once the worker has finished.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.context.clear_cookies()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/access/audit/?action=view")
    expect(page.locator("#entries tbody")).to_contain_text("kg.blo.dostuk")
    expect(page.locator("#entries tbody")).to_contain_text(seizure.reference)
    page.click("button:text('Проверить целостность журнала')")
    expect(page.locator(".alert-success")).to_contain_text("не нарушен")
    screenshot(page, "audit")


def test_nothing_is_loaded_from_outside_the_node(page: Page, live_server: Any, demo_world: Any) -> None:
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)  # fmt: skip
    log_in(page, live_server.url, "kg.analyst")
    page.goto(f"{live_server.url}/seizures/")
    page.goto(f"{live_server.url}/seizures/imports/")
    assert outside == []
    # Styles and scripts really came from the node.
    assert page.evaluate("() => typeof htmx") == "object"
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('nav')).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
