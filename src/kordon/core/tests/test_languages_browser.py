"""An officer switches the interface to each of the region's languages from the header, and the
node remembers the choice."""

from typing import Any

from django.utils import translation
from playwright.sync_api import Page, expect

from kordon.browser import screenshot
from kordon.seizures.tests.test_browser import log_in


def test_an_officer_switches_to_each_of_the_regions_languages(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    log_in(page, live_server.url, "kg.blo.dostuk")
    for code in ["ky", "kk", "uz", "tg", "ru"]:
        page.click("#nav-language")
        page.click(f".language-switch button[value={code}]")
        expect(page.locator("html")).to_have_attribute("lang", code)
        with translation.override(code):
            seizures, cases = translation.gettext("Seizures"), translation.gettext("Cases")
        assert seizures != "Seizures"
        expect(page.locator("#nav-seizures")).to_have_text(seizures)
        expect(page.locator(".navbar-nav")).to_contain_text(cases)
        if code == "ky":
            screenshot(page, "home-ky")
    assert transactional_world.user("kg.blo.dostuk").language == "ru"
