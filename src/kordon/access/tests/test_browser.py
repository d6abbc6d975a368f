"""Two-factor log-in in the browser: a supervisor's first log-in sets up the app from the QR page,
the next one asks for the code."""

import re
from typing import Any

from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from kordon.browser import screenshot
from kordon.conftest import PASSWORD


def password_step(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/seizures/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.language-switch) button[type=submit]")


def current_code(username: str, *, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user__username=username)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step):06d}"


def test_a_supervisor_sets_up_two_factor_and_then_logs_in_with_a_code(
    page: Page, live_server: Any, transactional_world: Any
) -> None:
    base = live_server.url
    with override_settings(KORDON_TWO_FACTOR="privileged"):
        password_step(page, base, "kg.supervisor")
        expect(page).to_have_url(re.compile(r"/account/two-factor/\?next="))
        expect(page.locator("#two-factor-required")).to_be_visible()
        expect(page.locator("#two-factor-qr")).to_be_visible()
        # The key under the QR code is the one the app would read from it.
        secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
        assert len(secret) == 32
        screenshot(page, "two-factor-setup")
        page.fill("#id_code", current_code("kg.supervisor"))
        page.click("main button[type=submit]")
        expect(page).to_have_url(re.compile(r"/seizures/$"))
        page.click("#nav-account")
        expect(page.locator("#two-factor-on")).to_be_visible()
        page.click("nav form[action='/logout/'] button")

        password_step(page, base, "kg.supervisor")
        expect(page).to_have_url(re.compile(r"/login/code/\?next="))
        page.fill("#id_code", "000000")
        page.click("main form:not([action]) button[type=submit]")
        expect(page.locator("#code-wrong")).to_be_visible()
        screenshot(page, "two-factor-code")
        TOTPDevice.objects.update(throttling_failure_count=0)  # no need to wait out the throttle here
        # The next 30-second step: the first code was used up when the app was set up.
        page.fill("#id_code", current_code("kg.supervisor", steps_ahead=1))
        page.click("main form:not([action]) button[type=submit]")
        expect(page).to_have_url(re.compile(r"/seizures/$"))
