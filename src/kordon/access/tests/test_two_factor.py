"""Two-factor log-in: supervisors and administrators must set up an authenticator before they
reach anything; with one, the password alone leads only to the code page; a right code opens the
node, a wrong one is audited and throttled; API tokens need the code too; a reset is audited."""

import datetime
import io
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kordon.access import two_factor
from kordon.access.models import AuditEntry
from kordon.access.tokens import TokenRefused, token_issue
from kordon.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("privileged_two_factor")


@pytest.fixture
def privileged_two_factor() -> Any:
    with override_settings(KORDON_TWO_FACTOR="privileged"):  # the node's default
        yield


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the officer's app shows now (or `steps_ahead` 30-second steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step):06d}"


def log_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_who_must_use_a_code(world: Any) -> None:
    assert two_factor.required(world.user("kg.supervisor"))
    assert two_factor.required(world.user("admin"))
    assert not two_factor.required(world.user("kg.blo.dostuk"))  # an officer may, but need not
    with override_settings(KORDON_TWO_FACTOR="all"):
        assert two_factor.required(world.user("kg.blo.dostuk"))
    with override_settings(KORDON_TWO_FACTOR="optional"):
        assert not two_factor.required(world.user("admin"))


def test_a_supervisor_sets_up_the_app_before_reaching_anything(world: Any) -> None:
    client = log_in("kg.supervisor")
    stopped = client.get("/seizures/")
    assert stopped.status_code == 302 and stopped["Location"].startswith("/account/two-factor/?next=")
    page = client.get("/account/two-factor/")
    assert b"data:image/svg+xml" in page.content and b"requires two-factor" in page.content
    # Halfway through, the page offers no menu (every link would lead back here), only the way out.
    assert b'id="nav"' not in page.content and b'href="/seizures/"' not in page.content
    assert b'id="nav-logout-only"' in page.content
    pending = TOTPDevice.objects.get(user__username="kg.supervisor", confirmed=False)
    assert client.get("/account/two-factor/").context["pending"] == pending  # a reload keeps the key

    wrong = client.post("/account/two-factor/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["wrong"]
    assert client.get("/seizures/").status_code == 302
    pending.throttling_failure_count = 0  # no need to wait out the throttle in a test
    pending.save()
    assert (
        client.post("/account/two-factor/", {"code": code_for(pending), "next": "/seizures/"})["Location"]
        == "/seizures/"
    )
    assert client.get("/seizures/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor_enrol", object_repr="kg.supervisor").exists()
    assert AuditEntry.objects.filter(action="login_failed", object_repr="kg.supervisor").exists()


def test_with_an_app_the_password_leads_only_to_the_code_page(world: Any) -> None:
    device = TOTPDevice.objects.create(user=world.user("kg.blo.dostuk"), name="authenticator", confirmed=True)
    client = log_in("kg.blo.dostuk")  # an officer who chose two-factor log-in
    for path in ("/", "/seizures/", "/admin/", "/account/two-factor/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/login/code/"), path
    assert client.get("/health/live").status_code == 200

    wrong = client.post("/login/code/", {"code": "123456", "next": "/seizures/"})
    assert wrong.status_code == 200 and wrong.context["wrong"]
    # django-otp throttles: right after a wrong code even the right one is refused, and the page
    # says how long to wait.
    too_soon = client.post("/login/code/", {"code": code_for(device), "next": "/seizures/"})
    assert too_soon.status_code == 200 and too_soon.context["wait"] >= 1
    later = timezone.now() + datetime.timedelta(seconds=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        right = client.post("/login/code/", {"code": code_for(device), "next": "/seizures/"})
    assert right.status_code == 302 and right["Location"] == "/seizures/"
    page = client.get("/seizures/")
    assert page.status_code == 200 and b'id="nav"' in page.content and b"nav-logout-only" not in page.content
    # The same code cannot be used twice (a code read over the shoulder).
    replay = log_in("kg.blo.dostuk").post("/login/code/", {"code": code_for(device)})
    assert replay.status_code == 200 and replay.context["wrong"]
    assert AuditEntry.objects.filter(action="two_factor_passed", object_repr="kg.blo.dostuk").count() == 1


def test_the_code_page_sends_nowhere_but_this_node(world: Any) -> None:
    device = TOTPDevice.objects.create(user=world.user("kg.blo.dostuk"), name="authenticator", confirmed=True)
    client = log_in("kg.blo.dostuk")
    answer = client.post("/login/code/", {"code": code_for(device), "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_api_tokens_need_the_code_too(world: Any) -> None:
    user = world.user("kg.supervisor")
    with pytest.raises(TokenRefused, match="requires two-factor"):
        token_issue(request=None, username="kg.supervisor", password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    refused = Client().post(
        "/api/v1/auth/token",
        {"username": "kg.supervisor", "password": PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 401 and '"code"' in refused.json()["detail"]
    issued = Client().post(
        "/api/v1/auth/token",
        {"username": "kg.supervisor", "password": PASSWORD, "code": code_for(device)},
        content_type="application/json",
    )
    assert issued.status_code == 200 and issued.json()["token"].startswith("kdn_")
    assert token_issue(request=None, username="kg.blo.dostuk", password=PASSWORD)  # no app, not required


def test_an_administrator_resets_a_lost_phone(world: Any) -> None:
    user = world.user("kg.supervisor")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    assert two_factor.reset(actor=world.user("admin"), user=user) == 1
    assert two_factor.device(user) is None
    line = AuditEntry.objects.get(action="two_factor_reset", object_repr="kg.supervisor")
    assert line.actor == world.user("admin")
    # At the next log-in they set the app up again.
    assert log_in("kg.supervisor").get("/")["Location"].startswith("/account/two-factor/")


def test_the_admin_page_and_the_console_reset_without_showing_the_key(world: Any) -> None:
    user = world.user("kg.supervisor")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    with override_settings(KORDON_TWO_FACTOR="optional"):
        admin = log_in("admin")
        listed = admin.get("/admin/otp_totp/totpdevice/")
        assert listed.status_code == 200 and b"kg.supervisor" in listed.content
        assert device.key.encode() not in admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content
        admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert two_factor.device(user) is None
    assert device.key not in str(AuditEntry.objects.get(action="two_factor_reset").after)

    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    call_command("twofactor", "reset", "kg.supervisor", stdout=io.StringIO())
    assert two_factor.device(user) is None
    assert AuditEntry.objects.filter(action="two_factor_reset", actor_name="server console").exists()
    with pytest.raises(CommandError, match="no user"):
        call_command("twofactor", "reset", "nobody")
