"""Persons in a real browser: the Kyrgyz officer at Dostuk records the courier and links him to
his seizure; the Kyrgyz analyst runs the linking, finds the Uzbek record of the same man in the
review queue, decides, and sees both records as one person and on the link chart."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.access.markings import Distribution, Tlp
from kordon.browser import screenshot
from kordon.core.management.commands.work import pending_work
from kordon.entities import services
from kordon.entities.models import EntityKind
from kordon.exchange.tests.test_browser import log_in, log_out
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

pytestmark = pytest.mark.browser


def test_an_investigator_links_a_courier_across_the_border(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    world = transactional_world
    with action_context(client_address="test"):
        build_sharing()
        seizure_create(
            actor=world.user("kg.blo.dostuk"),
            owner_unit_id=world.unit("kg-dcs-blo-dostuk").pk,
            data=SeizureData(
                reference="KG-DOS-2013-17",
                occurred_on=datetime.date(2013, 9, 14),
                country_id="KG",
                distribution=Distribution.PARTNERS,
                items=[ItemData(Substance.objects.get(code="heroin").pk, Decimal("1.5"), "kg")],
            ),
        )
        services.entity_create(
            actor=world.user("uz.blo.dustlik"),
            unit_id=world.unit("uz-customs-blo-dustlik").pk,
            data=services.EntityData(
                kind=EntityKind.PERSON,
                name="Sultonov Alimboy Karimovich",
                birth_date="1975-12-03",
                country="KG",
                documents=[{"type": "passport", "number": "AC1234576", "country": "KG"}],
                tlp=Tlp.AMBER,
                distribution=Distribution.PARTNERS,
            ),
        )
    base = live_server.url
    log_in(page, base, "kg.blo.dostuk")
    page.goto(f"{base}/entities/")
    page.click("#new-person")
    page.fill("#id_name", "Султанов Алимбай Каримович")
    page.fill("#id_birth_date", "12.03.1975")
    page.fill("#id_country", "KG")
    page.fill("#id_documents", "AC1234567; KG; passport")
    page.fill("#id_phones", "+996 555 12-34-56")
    page.select_option("#id_distribution", str(Distribution.PARTNERS.value))
    page.click("#entity-form button[type=submit]")
    expect(page.locator("#entity-name")).to_contain_text("Султанов Алимбай Каримович")
    page.select_option("#id_record_link-record_type", "seizure")
    page.fill("#id_record_link-reference", "KG-DOS-2013-17")
    page.select_option("#id_record_link-role", "courier")
    page.click("#record-link-form button")
    expect(page.locator("#links")).to_contain_text("KG-DOS-2013-17")
    expect(page.locator("#timeline")).to_contain_text("14.09.2013")
    # A reference that does not exist is explained, and nothing is linked.
    page.fill("#id_record_link-reference", "KG-DOS-0000")
    page.click("#record-link-form button")
    expect(page.locator("#record-link-form .text-danger")).to_be_visible()
    log_out(page)

    log_in(page, base, "kg.analyst")
    page.goto(f"{base}/entities/review/")
    page.click("#start-linking")
    assert pending_work() == 1  # what the worker `kordon serve` starts does every few seconds
    page.reload()
    rows = page.locator("#review-queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sultonov Alimboy Karimovich")
    expect(rows.first).to_contain_text("AC1234576")
    screenshot(page, "persons-review")
    rows.first.locator("button[value=same]").click()
    expect(page.locator("#review-queue tbody tr")).to_have_count(1)  # the "no pairs" line
    expect(page.locator("#review-queue")).not_to_contain_text("Sultonov")
    page.goto(f"{base}/entities/?q=sultanov")
    expect(page.locator("#entities tbody tr")).to_have_count(2)
    page.click("#entities >> text=Султанов Алимбай Каримович")
    merged = page.locator("#merged")
    expect(merged).to_contain_text("1975-12-03")
    expect(merged).to_contain_text("UZ-CUSTOMS")
    expect(page.locator("#links")).to_contain_text("KG-DOS-2013-17")
    screenshot(page, "person")
    page.click("#open-chart")
    expect(page.locator("#chart[data-ready=true]")).to_be_visible()
    assert page.locator("#chart").get_attribute("data-nodes") == "3"  # two records of one man, one seizure
    screenshot(page, "link-chart")
