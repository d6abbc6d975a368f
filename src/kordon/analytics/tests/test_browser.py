"""The dashboard in a real browser: the panels load, the comparison is said in a sentence, and a
figure opens the seizures behind it."""

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.browser import screenshot
from kordon.core.models import Unit, User
from kordon.exchange.tests.test_browser import log_in
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

pytestmark = pytest.mark.browser


def _seize(unit: str, day: datetime.date, substance: str, kilograms: str, **fields: Any) -> None:
    owner = Unit.objects.select_related("agency").get(code=unit)
    item = ItemData(Substance.objects.get(code=substance).pk, Decimal(kilograms), "kg")
    seizure_create(
        actor=User.objects.get(username="admin"),
        owner_unit_id=owner.pk,
        data=SeizureData(
            items=[item],
            reference=f"DASH-{day}-{substance}",
            occurred_on=day,
            country_id=owner.agency.country_id,
            **fields,
        ),
    )


def test_the_dashboard_shows_compares_and_leads_to_the_seizures(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    with action_context(client_address="test"):
        _seize("kg-dcs-blo-dostuk", datetime.date(2012, 5, 3), "heroin", "115", transport_mode="road")
        _seize("kg-dcs-blo-dostuk", datetime.date(2013, 4, 9), "heroin", "160", transport_mode="road")
        _seize("kg-dcs-analysis", datetime.date(2013, 8, 30), "heroin", "11", transport_mode="rail")
        _seize("kg-dcs-analysis", datetime.date(2013, 9, 2), "cannabis-resin", "40", transport_mode="road")
    User.objects.filter(username="kg.analyst").update(language="en")
    log_in(page, live_server.url, "kg.analyst")
    page.goto(f"{live_server.url}/analytics/?period=2013-01..2013-09&substance_group=opioids")
    expect(page.locator("#sentence")).to_contain_text("115 kg")
    expect(page.locator("#sentence")).to_contain_text("171 kg")
    expect(page.locator("#sentence")).to_contain_text("+49%")
    expect(page.locator("#panel-transport_mode tbody tr")).to_have_count(2)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)  # every panel has loaded
    expect(page.locator("#panel-map img")).to_be_visible()
    screenshot(page, "analytics-dashboard")
    page.locator('#panel-transport_mode a[href*="transport_mode=rail"]').click()
    expect(page).to_have_url(re.compile(r"/seizures/\?.*transport_mode=rail"))
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "1")
    expect(page.locator("#results")).to_contain_text("DASH-2013-08-30-heroin")
