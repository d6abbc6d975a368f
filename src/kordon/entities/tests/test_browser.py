"""Screening in a real browser: the Uzbek officer at Dustlik screens a traveller whose passport
writes the Kyrgyz courier's name in Uzbek Latin, and sees why the demo watchlist flags him."""

import csv
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.browser import screenshot
from kordon.entities.demo import build_watchlists
from kordon.exchange.tests.test_browser import log_in

pytestmark = pytest.mark.browser


def test_an_officer_screens_a_traveller_across_the_border(
    page: Page, live_server: Any, transactional_world: Any, tmp_path: Path
) -> None:
    with action_context(client_address="test"):
        build_sharing()
        build_watchlists()
    base = live_server.url
    log_in(page, base, "uz.blo.dustlik")
    page.click("#nav-persons")
    page.click("nav .dropdown-menu >> text=Проверка по спискам")
    expect(page.locator("h1")).to_have_text("Проверка человека")
    page.fill("#id_name", "Sultonov Alimboy Karimovich")
    page.fill("#id_birth_date", "03.12.1975")
    page.fill("#id_nationality", "UZ")
    page.fill("#id_document_number", "AN1234576")
    page.click("#screening-form button[type=submit]")
    matches = page.locator("#matches tbody tr")
    expect(matches).to_have_count(1)
    expect(matches.first).to_contain_text("Султанов Алимбай Каримович")
    expect(matches.first).to_contain_text("поменять местами день и месяц")
    expect(matches.first).to_contain_text("Courier on the Osh – Andijan route")
    screenshot(page, "screening")
    page.fill("#id_name", "Петров Пётр")
    page.fill("#id_birth_date", "31.02.1980")
    page.click("#screening-form button[type=submit]")
    expect(page.locator("#screening-form .text-danger")).to_contain_text("1975")
    # htmx settles the swapped form a moment after it appears; type only into the settled one.
    page.wait_for_selector("#screening.htmx-settling", state="detached")
    page.fill("#id_birth_date", "01.02.1980")
    page.fill("#id_document_number", "")
    page.click("#screening-form button[type=submit]")
    expect(page.locator("#no-match")).to_be_visible()

    # A bus company's passenger list, screened and sent back.
    passengers = tmp_path / "passengers.csv"
    passengers.write_text("name,birth_date\nGULOMOV UTKIR,23.05.1979\nПетров Пётр,1980\n", encoding="utf-8")
    page.set_input_files("#id_file", str(passengers))
    with page.expect_download() as download:
        page.click("#screening-file-form button[type=submit]")
    rows = list(csv.DictReader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert [row["best_entity_id"] for row in rows] == ["KG-BLO-004", ""]

    page.click("text=Списки лиц и их версии")
    expect(page.locator("#watchlists tbody tr")).to_have_count(1)
    expect(page.locator("#watchlists")).to_contain_text("v1 (текущая): 10 человек из demo_watchlist.csv")
    screenshot(page, "watchlists")
