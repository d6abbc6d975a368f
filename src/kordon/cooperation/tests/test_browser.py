"""Cooperation, referrals and evaluation in a real browser: the prosecutor's dashboard, a case
as its case worker and as the polyclinic see it, the polyclinic accepting a referral, and the
evaluation results; with their screenshots."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.browser import screenshot
from kordon.cooperation.demo import build_cooperation
from kordon.cooperation.models import Referral
from kordon.evaluation.demo import build_evaluation
from kordon.exchange.tests.test_browser import log_in, log_out

pytestmark = pytest.mark.browser


def test_requests_referrals_and_evaluation(page: Page, live_server: Any, transactional_world: Any) -> None:
    with action_context(client_address="test"):
        build_sharing()
        build_cooperation()
        build_evaluation()
    base = live_server.url
    log_in(page, base, "uz.prosecutor")
    page.goto(f"{base}/cooperation/")
    expect(page.locator("#requests tbody tr")).to_have_count(12)
    expect(page.locator("#by-country tbody tr").first).to_be_visible()
    screenshot(page, "cooperation-requests")
    page.locator("#requests a", has_text="UZ-GP-2013-005").click()
    expect(page.locator("#request-status")).to_be_visible()
    expect(page.locator("#events tbody tr")).to_have_count(3)
    log_out(page)

    log_in(page, base, "kz.caseworker")
    page.goto(f"{base}/cooperation/referrals/")
    expect(page.locator("#cases tbody tr")).to_have_count(8)
    page.locator("#cases a").first.click()
    expect(page.locator("#full-name")).to_contain_text("синтетические")
    screenshot(page, "referral-case")
    log_out(page)

    log_in(page, base, "kz.lawyer")
    pending = Referral.objects.filter(to_unit__code="kz-legalaid-almaty", status="pending").first()
    assert pending is not None
    page.goto(f"{base}/cooperation/referrals/")
    page.locator(f"#incoming form[action$='/referrals/{pending.pk}/accept'] button").click()
    expect(page).to_have_url(f"{base}/cooperation/referrals/cases/{pending.case_id}/")
    assert Referral.objects.get(pk=pending.pk).status == "accepted"
    expect(page.locator("#case-data")).not_to_contain_text("синтетические")  # the consent covers no identity
    log_out(page)

    log_in(page, base, "unodc.programme")
    page.goto(f"{base}/evaluation/")
    page.locator("#questionnaires a").first.click()
    expect(page.locator("table.results tbody tr")).to_have_count(8)
    expect(page.locator("img[alt]")).to_be_visible()
    screenshot(page, "evaluation-results")
