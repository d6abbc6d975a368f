"""The port control unit's worklist in a real browser: the Aktau officer assigns today's lanes,
records what an inspection found, writes and tests a profile, and reads the hit rates."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.browser import screenshot
from kordon.core.management.commands.work import pending_work
from kordon.exchange.tests.test_browser import log_in
from kordon.targeting.demo import build_targeting
from kordon.targeting.models import Inspection

pytestmark = pytest.mark.browser


def test_an_officer_works_through_the_day(
    page: Page, live_server: Any, transactional_world: Any, tmp_path: Path
) -> None:
    with action_context(client_address="test"):
        build_targeting()
    base = live_server.url
    log_in(page, base, "kz.pcu.aktau")
    page.click("nav >> text=Отбор")
    expect(page.locator("h1")).to_contain_text("28.10.2013")
    rows = page.locator("#worklist tbody tr")
    expect(rows).to_have_count(20)
    expect(page.locator("#worklist tbody tr[data-lane=red]")).to_have_count(5)
    page.fill("#id_capacity", "8")
    page.click("#selection-form button")
    expect(page.locator(".alert")).to_contain_text("8")
    expect(page.locator("#worklist tbody tr[data-lane=red]")).to_have_count(8)
    before = Inspection.objects.count()
    first = page.locator("#worklist tbody tr[data-lane=red]").first
    first.locator("select[name=outcome]").select_option("seizure")
    first.locator("input[name=seizure_id]").fill("999999")
    first.locator("button").click()
    expect(page.locator(".alert")).to_contain_text("Нет изъятия 999999")
    assert Inspection.objects.count() == before
    first = page.locator("#worklist tbody tr[data-lane=red]").first
    first.locator("select[name=outcome]").select_option("irregularity")
    first.locator("button").click()
    expect(page.locator(".alert")).to_contain_text("записан")
    assert Inspection.objects.count() == before + 1
    screenshot(page, "targeting-worklist")

    # Tomorrow's manifest, one row with a mistyped HS code.
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "declaration_id,declared_on,office,hs_code,importer,origin_country,route_ports\n"
        "NEW-1,29.10.2013,AKTAU-PORT,291524,KZ-IMP-0999,IR,IRBND TMKRW KZAKT\n"
        "NEW-2,29.10.2013,AKTAU-PORT,29152A,KZ-IMP-0998,IR,IRBND TMKRW KZAKT\n"
        "NEW-3,29.10.2013,AKTAU-PORT,090411,KZ-IMP-0001,IN,INNSA IRBND TMKRW KZAKT\n",
        encoding="utf-8",
    )
    page.click("text=Загрузить декларации из файла")
    page.set_input_files("#id_file", str(manifest))
    page.click("#upload-form button")
    expect(page.locator("#import-result")).to_contain_text("загружено грузов: 2")
    expect(page.locator("#import-result tbody tr")).to_have_count(1)
    expect(page.locator("#import-result tbody tr")).to_contain_text("hs_code")
    expect(page.locator("h1")).to_contain_text("29.10.2013")
    expect(page.locator("#worklist tbody tr")).to_have_count(2)

    page.click("text=Профили риска")
    page.fill("#id_name", "Цемент из Турции дешевле 0,05 за кг")
    page.fill("#id_conditions", "hs_code starts_with 2523\norigin_country is TR\nvalue_per_kg below 0.05")
    page.fill("#id_weight", "40")
    page.select_option("#id_distribution", "2")  # partners under an agreement
    page.click("#profile-form button")
    row = page.locator("#profiles tbody tr", has_text="Цемент из Турции")
    expect(row).to_contain_text("не проверен")
    expect(row).to_contain_text("партнёры по соглашению")
    row.locator("text=Проверить").click()
    expect(page.locator("#profiles tbody tr", has_text="Цемент из Турции")).to_contain_text("отобрано")
    page.locator("#profiles tbody tr", has_text="Цемент из Турции").locator("text=Включить").click()
    expect(page.locator("#profiles tbody tr", has_text="Цемент из Турции").locator(".badge")).to_have_text(
        "вкл"
    )
    page.fill("#id_conditions", "hs_code below 3")
    page.fill("#id_name", "Неверный")
    page.click("#profile-form button")
    expect(page.locator("#profile-form .text-danger")).to_contain_text("below")
    screenshot(page, "targeting-profiles")

    page.click("text=Модели и результативность")
    expect(page.locator("#models tbody tr")).to_have_count(1)
    expect(page.locator("#hit-rates")).to_contain_text("до Kordon")
    page.click("#retrain-form button")
    expect(page.locator("#training-requests tbody tr").first).to_contain_text("в очереди")
    assert pending_work() == 1  # what the worker `kordon serve` starts does every few seconds
    page.reload()
    expect(page.locator("#training-requests tbody tr").first).to_contain_text("v2")
    expect(page.locator("#models tbody tr")).to_have_count(2)
    screenshot(page, "targeting-models")
