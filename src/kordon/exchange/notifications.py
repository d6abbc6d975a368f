"""E-mail notifications of alerts and requests, through Django's e-mail backend.

A notification goes only to people who may see the record at the moment it is written, checked
through the access policy for each of them, and it carries no more than the reference, the
sending unit, the priority, the TLP and a link: the content stays in Kordon. Messages leave
after the transaction commits, so a rolled-back change sends nothing.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import audit_log
from kordon.core.models import User
from kordon.exchange.models import RequestState

NOTIFY = "notify"


def _recipients(record: Any, unit_ids: list[int]) -> list[User]:
    """Active members of the units, with an e-mail address, who may see the record now."""
    users = (
        User.objects.filter(is_active=True, memberships__unit_id__in=unit_ids)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )
    model = type(record)
    return [user for user in users if model.objects.restrict(user, policy.VIEW).filter(pk=record.pk).exists()]


def _link(name: str, record: Any) -> str:
    return str(settings.KORDON_BASE_URL).rstrip("/") + reverse(name, args=[record.pk])


def _send(record: Any, users: list[User], event: Callable[[], str], link: str) -> None:
    """`event` is called in each recipient's language (and in English for the audit line)."""
    if not users:
        return
    messages = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title = _("%(event)s: %(reference)s") % {"event": event(), "reference": record.reference}
            body = "\n".join(
                [
                    title,
                    _("From: %(unit)s") % {"unit": record.owner_unit.label},
                    _("Priority: %(priority)s") % {"priority": record.get_priority_display()},
                    record.get_tlp_display(),
                    "",
                    _("The content is only in Kordon. Open it here: %(link)s") % {"link": link},
                ]
            )
        messages.append(EmailMessage(f"[Kordon] {title}", body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    with translation.override("en"):
        audit_event = event()
    audit_log(
        actor=None,
        action=NOTIFY,
        instance=record,
        after={"event": audit_event, "to": [user.username for user in users]},
    )
    transaction.on_commit(lambda: get_connection().send_messages(messages))


def alert_sent(alert: Any, unit_ids: list[int]) -> None:
    _send(alert, _recipients(alert, unit_ids), lambda: _("New alert"), _link("exchange:alert", alert))


def alert_changed(alert: Any) -> None:
    _send(
        alert,
        _recipients(alert, [alert.owner_unit_id]),
        lambda: _("Alert %(state)s") % {"state": alert.get_state_display()},
        _link("exchange:alert", alert),
    )


def request_sent(rfi: Any) -> None:
    _send(
        rfi,
        _recipients(rfi, [rfi.to_unit_id]),
        lambda: _("New request for information"),
        _link("exchange:request", rfi),
    )


def request_changed(rfi: Any) -> None:
    # The sender learns of acknowledgements, answers and refusals; the recipient of closing.
    units = [rfi.to_unit_id] if rfi.state == RequestState.CLOSED else [rfi.owner_unit_id]
    _send(
        rfi,
        _recipients(rfi, units),
        lambda: _("Request %(state)s") % {"state": rfi.get_state_display()},
        _link("exchange:request", rfi),
    )


def request_reminder(rfi: Any) -> None:
    _send(
        rfi,
        _recipients(rfi, [rfi.to_unit_id]),
        lambda: _("Reminder: request due %(deadline)s") % {"deadline": rfi.deadline.strftime("%d.%m.%Y")},
        _link("exchange:request", rfi),
    )
