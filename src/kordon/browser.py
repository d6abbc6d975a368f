"""Browser-test support: Debian's Chromium driven by Playwright, never the internet.

Kept in the package (not in a tests folder) so every app's browser tests share one launcher.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Without the background-networking switches Chromium tries to reach Google at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def page_reaching(browser: Browser, base: str) -> Iterator[Page]:
    """A page in a fresh browser context that may reach `base` and nothing else: anything else
    would be a page loading from the internet."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="ru-RU"
    )
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
    )
    # Chromium reports every script or style the Content Security Policy refused on the console;
    # a page that needs one would be broken for officers, so any report fails the test.
    refused: list[str] = []
    opened = context.new_page()
    opened.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield opened
    context.close()
    assert not refused, f"The Content Security Policy refused: {refused}"


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    with page_reaching(browser, str(getattr(live_server, "url", ""))) as opened:
        yield opened


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Keep docs/screenshots true: every run of the browser tests writes them anew. A long page
    (a checklist) is shown as the screen shows it: `full_page=False`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
