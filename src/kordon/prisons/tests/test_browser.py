"""The prison security pages in a real browser: the auditor's checklist keeps working when the
tablet loses its connection (answers wait on the tablet, the page opens again from the service
worker) and everything reaches the server when the connection returns; then the headquarters
pages, with their screenshots."""

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.browser import screenshot
from kordon.exchange.tests.test_browser import log_in
from kordon.prisons import services
from kordon.prisons.demo import build_prisons
from kordon.prisons.models import Answer, Audit, EvidenceFile, Facility

pytestmark = pytest.mark.browser

# A 1×1 JPEG, as a tablet's camera would hand over (much larger) ones.
PIXEL = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432"
    "ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1"
    "082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7"
    "a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


def test_the_checklist_works_offline_and_syncs_when_back_online(
    browser: Browser, live_server: Any, transactional_world: Any, tmp_path: Any
) -> None:
    auditor, unit = transactional_world.user("kg.prison.auditor"), transactional_world.unit("kg-prison-hq")
    with action_context(client_address="test"):
        services.framework_import_default(actor=auditor, unit=unit)
        facility = services.facility_save(
            actor=auditor,
            unit=unit,
            data=services.FacilityData(
                "IK-47",
                "Исправительная колония № 47",
                "repeat_offenders",
                "high",
                1100,
                1240,
                datetime.date(2013, 10, 1),
            ),
        )
        audit = services.audit_plan(
            actor=auditor, unit=unit, facility=facility, planned_on=facility.population_on
        )
    base = live_server.url
    context = browser.new_context(viewport={"width": 1024, "height": 1366}, locale="ru-RU", is_mobile=False)
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
    )
    page = context.new_page()
    log_in(page, base, "kg.prison.auditor")

    checklist = f"{base}/prisons/audits/{audit.pk}/checklist/"
    page.goto(checklist)
    expect(page.locator("#item-p_per_01")).to_be_visible()
    # Wait until the service worker has kept the page for offline use.
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready.then(() => true)"
    )
    page.wait_for_function(
        f"caches.open('kordon-checklists-v1').then(c => c.match('{checklist}')).then(r => r !== undefined)"
    )
    page.click("label[for=p_per_01-yes]")
    expect(page.locator("#sync-status")).to_have_class(re.compile("alert-success"))
    assert Answer.objects.filter(audit=audit).count() == 1

    context.set_offline(True)
    page.reload()  # the tablet opens the checklist again without a connection
    expect(page.locator("#item-p_per_02")).to_be_visible()
    page.click("label[for=p_per_02-no]")
    page.fill("textarea[name=p_per_02__finding]", "Освещение не работает на южном участке.")
    page.locator("textarea[name=p_per_02__finding]").blur()
    page.click("label[for=p_cel_02-partial]")
    page.fill("input[name=p_cel_02_m2]", "250")  # outside the constraint: the server will say so
    page.locator("input[name=p_cel_02_m2]").blur()
    page.set_input_files(
        "input[data-photo-for=p_per_02]",
        files=[{"name": "light.jpg", "mimeType": "image/jpeg", "buffer": PIXEL}],
    )
    expect(page.locator("#sync-status")).to_have_class(re.compile("alert-warning"))
    expect(page.locator("#sync-status")).to_contain_text("планшете")
    page.locator("#item-p_per_01").scroll_into_view_if_needed()
    screenshot(page, "prisons-checklist-offline", full_page=False)
    assert Answer.objects.filter(audit=audit).count() == 1 and not EvidenceFile.objects.exists()

    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_class(re.compile("alert-success"), timeout=15000)
    answers = dict(Answer.objects.filter(audit=audit).values_list("item__name", "value"))
    assert answers == {"p_per_01": "yes", "p_per_02": "no", "p_cel_02": "partial"}
    assert (
        Answer.objects.get(audit=audit, item__name="p_per_02").finding
        == "Освещение не работает на южном участке."
    )
    assert EvidenceFile.objects.get(audit=audit).item.name == "p_per_02"
    expect(page.locator("#item-p_cel_02_m2 .item-problem")).not_to_be_empty()
    assert Audit.objects.get(pk=audit.pk).status == "in_progress"

    # A shared tablet: the auditor removes the audit from it; nothing of it is left there.
    page.click("#forget-tablet")
    expect(page.locator("#sync-status")).to_contain_text("больше не")
    assert page.evaluate(f"localStorage.getItem('kordon.audit.{audit.pk}')") is None
    assert page.evaluate(
        f"caches.open('kordon-checklists-v1').then(c => c.match('{checklist}')).then(r => r === undefined)"
    )
    context.close()


def test_headquarters_compares_facilities_and_follows_up(
    page: Any, live_server: Any, transactional_world: Any
) -> None:
    with action_context(client_address="test"):
        build_sharing()
        build_prisons()
    log_in(page, live_server.url, "kg.prison.auditor")
    page.click("#nav-programmes")
    page.click("nav >> text=Тюрьмы")
    expect(page.locator("#facilities tbody tr")).to_have_count(7)
    expect(page.locator("#overdue tbody tr").first).not_to_contain_text("Ничего")
    screenshot(page, "prisons-facilities")
    page.click("#facilities >> text=Исправительная колония № 47")
    expect(page.locator("#history tbody tr")).to_have_count(2)
    screenshot(page, "prisons-facility")
    page.locator("#history tbody tr").last.locator("a").first.click()
    expect(page.locator("#gaps tbody tr").first).to_be_visible()
    screenshot(page, "prisons-audit")
    page.click(".nav-tabs >> text=Журнал происшествий")
    expect(page.locator("#incident-table tbody tr")).to_have_count(Facility.objects.count())
    screenshot(page, "prisons-incidents")
    page.click(".nav-tabs >> text=Оценка")
    expect(page.locator("#evaluation")).to_contain_text("1 012")
    screenshot(page, "prisons-evaluation")
