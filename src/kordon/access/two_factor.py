"""Two-factor log-in with time-based one-time codes (TOTP, RFC 6238) from an authenticator app.

django-otp keeps the device (secret key, drift, replay guard and throttling after wrong codes);
this module decides who must use one (KORDON_TWO_FACTOR), enrols and resets devices, and audits
each step. A user who has a device, or must have one, is logged in by password only halfway:
kordon.access.middleware.TwoFactorMiddleware keeps them on the code or enrolment page until the
code is right.
"""

import math
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kordon.access.audit import (
    LOGIN_FAILED,
    TWO_FACTOR_ENROL,
    TWO_FACTOR_PASSED,
    TWO_FACTOR_RESET,
    audit_log,
)
from kordon.core.models import Role

# KORDON_TWO_FACTOR: who must log in with a code.
PRIVILEGED = "privileged"  # administrators, supervisors and Django staff (the default)
EVERYONE = "all"
OPTIONAL = "optional"  # nobody must, anybody may
PRIVILEGED_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
DEVICE_NAME = "authenticator"


def required(user: Any) -> bool:
    if settings.KORDON_TWO_FACTOR == EVERYONE:
        return True
    if settings.KORDON_TWO_FACTOR == OPTIONAL:
        return False
    return bool(
        user.is_superuser or user.is_staff or user.memberships.filter(role__in=PRIVILEGED_ROLES).exists()
    )


def device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> TOTPDevice:
    """The not yet confirmed device an enrolment shows as a QR code; the same one until confirmed,
    so reloading the page does not invalidate a code the officer already scanned."""
    found = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return found or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code(pending: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code in a data: URL (allowed by the CSP)."""
    return str(segno.make(pending.config_url, error="m").svg_data_uri(scale=5, border=2))


def secret_text(pending: TOTPDevice) -> str:
    """The key in base32, in groups of four, for an app that cannot scan the code."""
    key = b32encode(pending.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _verified(user: Any, candidate: TOTPDevice, code: str) -> bool:
    """Whether the code is right; a wrong one is audited as a failed log-in, and django-otp makes
    the next try wait 1, 2, 4, 8 … seconds."""
    allowed, _details = candidate.verify_is_allowed()
    if allowed and candidate.verify_token("".join(code.split())):
        return True
    audit_log(
        actor=None,
        action=LOGIN_FAILED,
        object_type="core.user",
        object_repr=user.username,
        actor_name=user.username,
        after={
            "reason": "two-factor code" if allowed else "two-factor code tried too soon after a wrong one"
        },
    )
    return False


@transaction.atomic
def enrol(request: HttpRequest, user: Any, code: str) -> bool:
    """Confirm the pending device with a first code from the app; the session counts as verified."""
    pending = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if pending is None or not _verified(user, pending, code):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator per person
    pending.confirmed = True
    pending.save(update_fields=["confirmed"])
    audit_log(actor=user, action=TWO_FACTOR_ENROL, instance=user, object_repr=user.username)
    otp_login(request, pending)
    return True


@transaction.atomic
def check_code(request: HttpRequest | None, user: Any, code: str) -> bool:
    """The second step of a log-in (page or API token)."""
    confirmed = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if confirmed is None or not _verified(user, confirmed, code):
        return False
    audit_log(actor=user, action=TWO_FACTOR_PASSED, instance=user, object_repr=user.username)
    if request is not None and hasattr(request, "session"):
        otp_login(request, confirmed)
    return True


def wait_seconds(user: Any) -> int:
    """How long the user must wait before the next code is tried, after wrong ones."""
    found = device(user) or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if found is None:
        return 0
    allowed, details = found.verify_is_allowed()
    if allowed:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


@transaction.atomic
def reset(*, actor: Any, user: Any, actor_name: str = "") -> int:
    """Remove a user's authenticators (a lost phone); they enrol again at their next log-in."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit_log(
        actor=actor, action=TWO_FACTOR_RESET, instance=user, object_repr=user.username, actor_name=actor_name
    )
    return int(removed)
