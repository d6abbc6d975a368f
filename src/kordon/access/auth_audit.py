"""Log-ins, failed log-ins and log-outs go into the audit trail.

Django reports these only through signals, so this is the one place where signals write audit
lines; every other write is audited by the service that makes it.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from kordon.access.audit import LOGIN, LOGIN_FAILED, LOGOUT, audit_log


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_log(actor=user, action=LOGIN, instance=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit_log(actor=user, action=LOGOUT, instance=user)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        audit_log(
            actor=None,
            action=LOGIN_FAILED,
            object_type="core.user",
            object_repr=username,
            actor_name=username or "?",
        )
