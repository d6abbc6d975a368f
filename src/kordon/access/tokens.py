"""API tokens: random, shown once, stored only as a SHA-256 digest, revocable, expiring, and
limited to the scopes they were issued with."""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kordon.access import two_factor
from kordon.access.audit import TOKEN_CREATE, TOKEN_REVOKE, audit_log
from kordon.access.models import ApiToken, TokenScope

TOKEN_PREFIX = "kdn_"
# last_used_at is informative; writing it on every request would serialise all API reads.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenRefused(Exception):
    """The password was right but the account needs a two-factor code first; says what to do."""


def token_issue(
    *,
    request: HttpRequest | None,
    username: str,
    password: str,
    name: str = "",
    scopes: tuple[str, ...] = (TokenScope.READ,),
    days: int | None = None,
    code: str = "",
) -> str | None:
    """A new token for valid credentials, or None; failed attempts are audited. The token lives
    `days` (at most KORDON_TOKEN_MAX_DAYS) and may do what its `scopes` allow. An account with
    two-factor log-in also needs the current `code`, or TokenRefused says why."""
    # authenticate() reports a failure through user_login_failed, which kordon.access.auth_audit audits.
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    # Outside the token's transaction: a wrong code must stay audited and throttled.
    if two_factor.device(user) is not None:
        if not code:
            raise TokenRefused(
                'This account logs in with a two-factor code: send the app\'s current code as "code".'
            )
        if not two_factor.check_code(None, user, code):
            raise TokenRefused(
                "The two-factor code is wrong or has expired, or came too soon after a wrong one."
            )
    elif two_factor.required(user):
        raise TokenRefused(
            "Your role requires two-factor log-in. Set it up on the web page first (click your name, top "
            "right), then ask for a token with the app's code."
        )
    return _token_create(user, name=name, scopes=scopes, days=days)


@transaction.atomic
def _token_create(user: Any, *, name: str, scopes: tuple[str, ...], days: int | None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = min(days or settings.KORDON_TOKEN_MAX_DAYS, settings.KORDON_TOKEN_MAX_DAYS)
    record = ApiToken.objects.create(
        user=user,
        digest=digest(token),
        prefix=token[:8],
        name=name[:100],
        scopes=" ".join(s for s in TokenScope.values if s in scopes) or TokenScope.READ,
        expires_at=timezone.now() + datetime.timedelta(days=lifetime),
    )
    audit_log(
        actor=user,
        action=TOKEN_CREATE,
        instance=record,
        object_repr=str(record),
        after={"scopes": record.scopes, "expires_at": record.expires_at.isoformat()},
    )
    return token


def token_lookup(token: str) -> ApiToken | None:
    """The token record (with its active user) unless it is unknown or revoked. An expired one is
    returned too, so the caller can say it expired rather than that it never existed."""
    record = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is None or record.expires_at <= timezone.now():
        return record
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


@transaction.atomic
def token_revoke(*, actor: Any, token_id: int) -> bool:
    """Revoke one of the actor's own tokens (administrators: anyone's)."""
    tokens = ApiToken.objects.select_for_update().filter(pk=token_id, revoked_at__isnull=True)
    if not actor.is_superuser:
        tokens = tokens.filter(user_id=actor.pk)
    record = tokens.first()
    if record is None:
        return False
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action=TOKEN_REVOKE, instance=record, object_repr=str(record))
    return True
