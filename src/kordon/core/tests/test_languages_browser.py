"""An officer switches the interface language from the header's menu, which names each language
in itself, and the node remembers the choice."""

from typing import Any

from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from kordon.seizures.tests.test_browser import log_in


def test_an_officer_switches_the_language_from_the_menu(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    log_in(page, live_server.url, "kg.blo.dostuk")  # the browser asks for Russian
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    for code, name in [*reversed(settings.LANGUAGES)]:  # English first, then back to Russian
        page.click("#nav-language")
        expect(page.locator(f".language-switch button[value={code}]")).to_have_text(name)
        page.click(f".language-switch button[value={code}]")
        expect(page.locator("html")).to_have_attribute("lang", code)
        # The new page's lang is there before its scripts run; the menu opens only after they have.
        page.wait_for_load_state()
        expect(page.locator("#nav-language")).to_have_text(code.upper())
        with translation.override(code):
            expect(page.locator("#nav-seizures")).to_have_text(translation.gettext("Seizures"))
        assert transactional_world.user("kg.blo.dostuk").language == code
