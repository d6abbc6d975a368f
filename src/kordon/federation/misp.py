"""MISP core format (misp-rfc, misp-core-format) for partners that run MISP instead of Kordon.

Out: the seizures and alerts a user may export, one MISP event each, with its TLP as a `tlp:`
tag, the grading as `admiralty-scale:` tags and the handling code as a `kordon:` tag. The event's
uuid is derived from the owner agency and the reference, so the same record keeps its uuid in
every export and from every Kordon node. In: MISP events become alerts from a unit to the units
named, one at a time, each with the same checks as an alert typed in; an event already imported
(its uuid is kept in the alert's details) is not imported again.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_log
from kordon.access.markings import Distribution, GradingScheme, Tlp
from kordon.exchange.models import Alert, AlertSubject
from kordon.exchange.services import AlertData, Markings, alert_send
from kordon.seizures.models import Seizure

# Our own namespace for uuid5, so that a record's event uuid is the same wherever it is exported.
NAMESPACE = uuid.UUID("5b0d6c1e-3f8a-4c52-9a57-6b1f0c2d7e41")
TLP_TAGS = {
    Tlp.CLEAR: "tlp:clear",
    Tlp.GREEN: "tlp:green",
    Tlp.AMBER: "tlp:amber",
    Tlp.AMBER_STRICT: "tlp:amber+strict",
    Tlp.RED: "tlp:red",
}
# MISP distribution: 0 your organisation only, 1 this community only. Kordon's audiences beyond
# the agency are agreements and groups that MISP does not know: this community, at most.
MISP_DISTRIBUTION = {
    Distribution.UNIT: "0",
    Distribution.AGENCY: "0",
    Distribution.PARTNERS: "1",
    Distribution.GROUP: "0",
    Distribution.ALL: "1",
}
PRIORITY_LEVELS = {"urgent": "1", "high": "1", "normal": "2", "low": "3"}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _attribute(kind: str, value: str, comment: str, category: str = "Other") -> dict[str, Any]:
    return {"type": kind, "category": category, "value": value, "comment": comment, "to_ids": False}


def _tags(record: Any) -> list[dict[str, str]]:
    tags = [{"name": TLP_TAGS[Tlp(record.tlp)]}, {"name": f'kordon:handling-code="{record.handling_code}"'}]
    if record.grading_scheme == GradingScheme.ADMIRALTY:
        if record.source_reliability:
            tags.append({"name": f'admiralty-scale:source-reliability="{record.source_reliability.lower()}"'})
        if record.information_credibility:
            tags.append(
                {"name": f'admiralty-scale:information-credibility="{record.information_credibility}"'}
            )
    return tags


def _event(
    record: Any, kind: str, info: str, day: datetime.date, attributes: list[dict[str, Any]]
) -> dict[str, Any]:
    agency = record.owner_agency
    return {
        "Event": {
            "uuid": _uuid(kind, agency.code, record.reference),
            "info": info[:256],
            "date": day.isoformat(),
            "timestamp": str(int(record.updated_at.timestamp())),
            "published": True,
            "analysis": "2",
            "threat_level_id": "2",
            "distribution": MISP_DISTRIBUTION[Distribution(record.distribution)],
            "Orgc": {"name": agency.name, "uuid": _uuid("agency", agency.code)},
            "Tag": _tags(record),
            "Attribute": [attribute for attribute in attributes if attribute["value"]],
        }
    }


def seizure_event(seizure: Seizure) -> dict[str, Any]:
    items = [
        f"{item.substance.name} {item.quantity.normalize():f} {item.unit}" for item in seizure.items.all()
    ]
    attributes = [_attribute("text", item, "seized") for item in items]
    attributes += [
        _attribute("text", seizure.reference, "reference"),
        _attribute("text", seizure.place.name if seizure.place else seizure.place_description, "place"),
        _attribute("text", seizure.vehicle_plate, "vehicle plate"),
        _attribute("text", seizure.container_number, "container number"),
        _attribute("text", seizure.concealment_details, "concealment"),
        _attribute("comment", seizure.narrative, "narrative"),
    ]
    info = f"Seizure {seizure.reference}, {seizure.country_id}: {'; '.join(items)}"
    return _event(seizure, "seizure", info, seizure.occurred_on, attributes)


def alert_event(alert: Alert) -> dict[str, Any]:
    attributes = [
        _attribute("text", alert.reference, "reference"),
        _attribute("full-name", alert.person_name, "person", category="Person"),
        _attribute("text", alert.vehicle_plate, "vehicle plate"),
        _attribute("text", alert.container_number, "container number"),
        _attribute("text", alert.route, "route"),
        _attribute("comment", alert.details, "details"),
    ]
    event = _event(alert, "alert", f"Alert {alert.reference}: {alert.title}", alert.valid_from, attributes)
    event["Event"]["threat_level_id"] = PRIORITY_LEVELS.get(alert.priority, "4")
    return event


@transaction.atomic
def export_events(*, actor: Any, since: datetime.date | None = None) -> dict[str, Any]:
    """The seizures and alerts `actor` may export, as MISP events (restSearch's answer shape)."""
    seizures = Seizure.objects.restrict(actor, policy.EXPORT).select_related("owner_agency", "place")
    seizures = seizures.prefetch_related("items__substance").order_by("occurred_on", "pk")
    alerts = (
        Alert.objects.restrict(actor, policy.EXPORT)
        .select_related("owner_agency")
        .order_by("valid_from", "pk")
    )
    if since is not None:
        seizures = seizures.filter(occurred_on__gte=since)
        alerts = alerts.filter(valid_from__gte=since)
    events = [seizure_event(seizure) for seizure in seizures] + [alert_event(alert) for alert in alerts]
    audit_log(
        actor=actor,
        action=EXPORT,
        object_type="misp.event",
        object_repr=f"MISP export of {len(events)} events",
        after={"events": [event["Event"]["uuid"] for event in events]},
    )
    return {"response": events}


@dataclass
class ImportOutcome:
    imported: list[str] = field(default_factory=list)  # references of the new alerts
    already: list[str] = field(default_factory=list)  # uuids of events imported before
    refused: list[tuple[str, str]] = field(default_factory=list)  # (event, reason)


def _events(document: Any) -> list[Any]:
    if isinstance(document, dict) and isinstance(document.get("response"), list):
        return list(document["response"])
    if isinstance(document, list):
        return document
    return [document]


def _tlp(tags: list[Any]) -> int:
    names = {str(tag.get("name", "")).lower() for tag in tags if isinstance(tag, dict)}
    for value, tag in sorted(TLP_TAGS.items(), reverse=True):  # the strictest tag present wins
        if tag in names or (value == Tlp.CLEAR and "tlp:white" in names):
            return int(value)
    return int(Tlp.AMBER)  # MISP events without a TLP tag are treated as AMBER, never wider


def _alert_data(event: dict[str, Any], valid_days: int) -> AlertData:
    attributes = [item for item in event.get("Attribute") or [] if isinstance(item, dict)]
    for misp_object in event.get("Object") or []:
        if isinstance(misp_object, dict):
            attributes += [item for item in misp_object.get("Attribute") or [] if isinstance(item, dict)]

    def first(*kinds: str, comment: str = "") -> str:
        for item in attributes:
            relation = str(item.get("object_relation") or item.get("comment") or "").lower()
            if item.get("type") in kinds or (comment and comment in relation):
                return str(item.get("value", "")).strip()
        return ""

    person = first("full-name", "first-name", "last-name", comment="person")
    plate = first("license-plate-number", comment="plate")
    container = first(comment="container")
    subject = (
        AlertSubject.PERSON
        if person
        else AlertSubject.VEHICLE
        if plate
        else AlertSubject.CONTAINER
        if container
        else AlertSubject.OTHER
    )
    lines = [
        f"{item.get('type')}: {item.get('value')}" + (f" ({item['comment']})" if item.get("comment") else "")
        for item in attributes
    ]
    lines.append(f"MISP event {event['uuid']}")
    orgc = event.get("Orgc")
    orgc = orgc if isinstance(orgc, dict) else {}
    if orgc.get("name"):
        lines.append(f"Created by {orgc['name']}")
    return AlertData(
        subject_kind=subject,
        title=str(event.get("info") or "")[:200],
        details="\n".join(lines),
        person_name=person[:200],
        vehicle_plate=plate[:20],
        container_number=container[:11],
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
        markings=Markings(tlp=_tlp(event.get("Tag") or [])),
    )


def import_events(
    document: Any, *, actor: Any, sender_unit_id: int, recipient_unit_ids: list[int], valid_days: int = 30
) -> ImportOutcome:
    """Each MISP event as an alert from the sender unit to the recipients; a bad event is
    reported with its reason and the others are imported."""
    outcome = ImportOutcome()
    for number, wrapped in enumerate(_events(document), start=1):
        event = wrapped.get("Event", wrapped) if isinstance(wrapped, dict) else None
        if not isinstance(event, dict) or not event.get("uuid"):
            outcome.refused.append((f"#{number}", "not a MISP event (no Event with a uuid)"))
            continue
        label = f"{event['uuid']} ({str(event.get('info', ''))[:60]})"
        known = Alert.objects.restrict(actor, policy.VIEW).filter(
            owner_unit_id=sender_unit_id, details__contains=f"MISP event {event['uuid']}"
        )
        if known.exists():
            outcome.already.append(str(event["uuid"]))
            continue
        try:
            alert = alert_send(
                actor=actor,
                sender_unit_id=sender_unit_id,
                recipient_unit_ids=recipient_unit_ids,
                data=_alert_data(event, valid_days),
            )
        except ValidationError as error:
            reasons = [" ".join(messages) for messages in error.message_dict.values()]
            outcome.refused.append((label, "; ".join(reasons)))
        except PermissionDenied as error:
            outcome.refused.append((label, str(error)))
        else:
            outcome.imported.append(alert.reference)
    return outcome
