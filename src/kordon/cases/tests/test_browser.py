"""Building a case from a seizure in a real browser: the Kyrgyz supervisor at Dostuk opens
"Northern route 2013/17", gathers the seizure, puts an officer on the team with a task, makes
the heroin exhibit 1, records its hand-over (flagged until it is received) and prints its chain
of custody."""

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.access.markings import Distribution
from kordon.browser import screenshot
from kordon.exchange.tests.test_browser import log_in
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

pytestmark = pytest.mark.browser


def test_an_investigator_builds_a_case_from_a_seizure(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    world = transactional_world
    with action_context(client_address="test"):
        seizure_create(
            actor=world.user("kg.blo.dostuk"),
            owner_unit_id=world.unit("kg-dcs-blo-dostuk").pk,
            data=SeizureData(
                reference="KG-DOS-2013-17",
                occurred_on=datetime.date(2013, 9, 14),
                country_id="KG",
                distribution=Distribution.AGENCY,
                items=[ItemData(Substance.objects.get(code="heroin").pk, Decimal("1.5"), "kg")],
            ),
        )
    base = live_server.url
    log_in(page, base, "kg.supervisor")
    page.goto(f"{base}/cases/")
    page.fill("#id_reference", "2013/17")
    page.fill("#id_title", "Northern route")
    page.fill("#id_opened_on", "2013-09-14")
    page.click("#case-form button[type=submit]")
    expect(page.locator("#case-title")).to_contain_text("2013/17: Northern route")

    page.select_option("#id_item-record_type", "seizure")
    page.fill("#id_item-reference", "KG-DOS-2013-17")
    page.click("#item-form button")
    expect(page.locator("#case-items")).to_contain_text("KG-DOS-2013-17")
    page.fill("#id_member-username", "kg.blo.dostuk")
    page.click("#member-form button")
    expect(page.locator("#team")).to_contain_text("kg.blo.dostuk")
    page.fill("#id_task-title", "Interview the driver")
    page.select_option("#id_task-assignee", "kg.blo.dostuk")
    page.fill("#id_task-due_on", "2013-10-01")
    page.click("#task-form button")
    expect(page.locator("#tasks")).to_contain_text("Interview the driver")

    page.click("summary")  # New exhibit
    page.select_option("#id_exhibit-seizure_item", index=1)
    page.fill("#id_exhibit-seal_number", "KG-0045871")
    page.click("#exhibit-form button")
    expect(page.locator("#exhibit-label")).to_contain_text("2013/17/E1")
    expect(page.locator("#custody-ok")).to_be_visible()

    page.select_option("#id_custody-kind", "handed_over")
    page.fill("#id_custody-from_user", "kg.supervisor")
    page.fill("#id_custody-holder", "kg.blo.dostuk")
    page.click("#custody-form button")
    expect(page.locator("#custody-flags")).to_be_visible()  # handed over, not yet received
    page.select_option("#id_custody-kind", "received")
    page.fill("#id_custody-holder", "kg.blo.dostuk")
    page.fill("#id_custody-from_user", "")
    page.click("#custody-form button")
    expect(page.locator("#custody-ok")).to_be_visible()
    expect(page.locator("#custody tbody tr")).to_have_count(3)
    screenshot(page, "exhibit")
    with page.expect_download() as download:
        page.click("#custody-pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    page.click("text=← 2013/17")
    expect(page.locator("#case-timeline")).to_contain_text("14.09.2013")
    expect(page.locator("#chart[data-ready=true]")).to_be_visible()
    screenshot(page, "case")
