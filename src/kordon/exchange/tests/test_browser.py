"""The BLO exchange in a real browser: the Kyrgyz officer at Dostuk sends an alert to the Uzbek
BLO at Dustlik; the Uzbek officer sees it in the inbox, acknowledges it, links the resulting
seizure; the Kyrgyz officer sees that the interception came from shared intelligence."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.browser import screenshot
from kordon.conftest import PASSWORD
from kordon.core.models import Unit
from kordon.exchange.models import Alert, AlertState
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.language-switch) button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))
    # The menus open by script: wait until the landing page has run its scripts.
    page.wait_for_load_state("load")


def log_out(page: Page) -> None:
    page.click("form[action='/logout/'] button")


def test_the_alert_round_trip_between_dostuk_and_dustlik(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    with action_context(client_address="test"):
        build_sharing()
    base = live_server.url
    dustlik = Unit.objects.get(code="uz-customs-blo-dustlik")

    log_in(page, base, "kg.blo.dostuk")
    page.goto(f"{base}/access/agreements/")
    expect(page.locator("#agreements")).to_contain_text("MOU KG DCS")
    screenshot(page, "agreements")
    page.goto(f"{base}/exchange/alerts/new/")
    page.select_option("#id_recipients", [str(dustlik.pk)])
    page.select_option("#id_subject_kind", "vehicle")
    page.fill("#id_title", "Грузовик 01KG123ABC, контейнер MSKU1234565: подозрение на героин")
    page.fill("#id_vehicle_plate", "01KG123ABC")
    page.fill("#id_container_number", "MSKU1234565")
    page.select_option("#id_priority", "urgent")
    page.select_option("#id_distribution", "2")
    page.select_option("#id_handling_code", "H2")
    screenshot(page, "alert-form")
    page.click("button:text('Отправить ориентировку')")
    expect(page.locator("h1")).to_contain_text("KG-DCS-AL-")
    alert = Alert.objects.get()
    log_out(page)

    log_in(page, base, "uz.blo.dustlik")
    expect(page.locator("#nav-inbox .badge")).to_have_text("1")
    page.click("#nav-inbox")
    screenshot(page, "inbox")
    page.click(f"text={alert.reference}")
    expect(page.locator("#nav-inbox .badge")).to_have_count(0)
    page.click("#outcome button:text('Подтвердить получение')")
    expect(page.locator("h1")).to_contain_text("получение подтверждено")
    # The swapped-in form listens for typing only once htmx has settled it.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    with action_context(client_address="test"):
        seizure_create(
            actor=transactional_world.user("uz.blo.dustlik"),
            owner_unit_id=dustlik.pk,
            data=SeizureData(
                reference="UZ-DUSTLIK-2026-1",
                occurred_on=timezone.localdate(),
                country_id="UZ",
                vehicle_plate="01KG123ABC",
                distribution=2,
                items=[ItemData(Substance.objects.get(code="heroin").pk, Decimal("12.5"), "kg")],
            ),
        )
    page.fill("#link-seizure input[name=seizure]", "UZ-DUST")
    expect(page.locator("#seizure-references option")).to_have_count(1)
    page.fill("#link-seizure input[name=seizure]", "UZ-DUSTLIK-2026-1")
    page.click("#link-seizure button")
    expect(page.locator("#outcome")).to_contain_text("UZ-DUSTLIK-2026-1")
    screenshot(page, "alert-detail")
    log_out(page)

    log_in(page, base, "kg.blo.dostuk")
    page.goto(f"{base}/exchange/?box=sent")
    expect(page.locator("#alerts")).to_contain_text("реализовано")
    page.click(f"text={alert.reference}")
    page.click("#outcome a:text('UZ-DUSTLIK-2026-1')")
    expect(page.locator("#seizure-alerts")).to_contain_text(alert.reference)
    page.goto(f"{base}/exchange/outcomes/")
    expect(page.locator("#headline")).to_contain_text("12,5")
    screenshot(page, "alert-outcomes")
    assert Alert.objects.get().state == AlertState.ACTED_ON
