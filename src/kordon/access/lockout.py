"""Login lockout: after KORDON_LOGIN_ATTEMPTS failed log-ins for one user name within
KORDON_LOCKOUT_MINUTES (and since its last successful log-in), that name cannot log in, on the
page or for an API token, until the window has passed. The failures are counted from the audit
trail, which every process shares, so a lockout holds whichever server is asked.

A lockout can be provoked by whoever knows a user name: the price of stopping password guessing.
The administrator sees the failed attempts in the audit trail."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from kordon.access.audit import LOGIN, LOGIN_FAILED
from kordon.access.models import AuditEntry


def locked_out(username: str) -> bool:
    """Whether `username` has failed to log in too often, too recently."""
    if not username:
        return False
    since = timezone.now() - datetime.timedelta(minutes=settings.KORDON_LOCKOUT_MINUTES)
    last_login = AuditEntry.objects.filter(action=LOGIN, actor__username=username, at__gte=since).aggregate(
        last=Max("at")
    )["last"]
    failures = AuditEntry.objects.filter(
        action=LOGIN_FAILED, object_repr=username[:150], at__gte=last_login or since
    )
    return failures.count() >= settings.KORDON_LOGIN_ATTEMPTS


class LockoutBackend(ModelBackend):
    """Django's own authentication, refused for a locked-out user name (the refusal is audited as
    another failed log-in)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username and locked_out(username):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
