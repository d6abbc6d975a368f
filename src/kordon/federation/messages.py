"""Alerts and requests for information as they travel between nodes, and the recipients' replies.

An alert or a request goes only from the node that owns it to a node that hosts a unit it is
addressed to, and only while an agreement in force covers it at its TLP: the test the policy
applies to a recipient on this node. There it is read-only, except for what a recipient does
with it: acknowledge it, report the outcome, link the seizure that followed, answer, refuse.
That part, the reply, travels back to the owner node, which takes it into its record and sends
the record again, so both sides show the same state.

A reply is compared, not queued: its version is a digest of the recipient's part of the record.
When a copy arrives, the owner already knows its recipient's part, so that digest counts as
sent; once a recipient acts, the digests differ and the reply is owed until the owner accepts it.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from kordon.access import policy
from kordon.access.audit import audit_log, snapshot
from kordon.access.markings import RecordKind
from kordon.core.models import Unit
from kordon.exchange import notifications
from kordon.exchange.models import (
    Alert,
    AlertRecipient,
    AlertSeizure,
    AlertState,
    Answer,
    InformationRequest,
    RequestState,
)
from kordon.federation import identity
from kordon.federation.models import Peer, ReceivedRecord, SentRecord
from kordon.federation.records import SEIZURE, BadRecord, version
from kordon.seizures.models import Seizure

ALERT = "alert"
REQUEST = "request"
# The kind of a reply names the kind of the record it answers.
REPLY = {ALERT: "alert-reply", REQUEST: "request-reply"}
ANSWERED = {reply: kind for kind, reply in REPLY.items()}
RECORD_KIND = {ALERT: RecordKind.ALERTS, REQUEST: RecordKind.REQUESTS}
MODEL: dict[str, type[Alert] | type[InformationRequest]] = {ALERT: Alert, REQUEST: InformationRequest}

_MARKINGS = [
    "tlp",
    "handling_code",
    "handling_note",
    "grading_scheme",
    "source_reliability",
    "information_credibility",
    "distribution",
]
# The owner's part of each record; the recipient's part is in the reply (_ALERT_REPLY...).
_FIELDS = {
    ALERT: [
        "reference",
        "subject_kind",
        "title",
        "details",
        "person_name",
        "vehicle_plate",
        "container_number",
        "route",
        "priority",
        "valid_from",
        "valid_until",
        "sent_at",
        *_MARKINGS,
    ],
    REQUEST: ["reference", "subject", "questions", "deadline", "priority", "sent_at", *_MARKINGS],
}
_DATES = {"valid_from", "valid_until", "deadline"}
_MOMENTS = {"sent_at", "acknowledged_at", "answered_at", "closed_at"}
# The fields a recipient's actions change, copied from a reply into the owner's record.
_REPLIED = {
    ALERT: ["state", "acknowledged_at", "closed_at", "outcome_note"],
    REQUEST: ["state", "acknowledged_at", "answered_at", "closed_at", "refusal_reason"],
}
# The states a reply may move the owner's record to, from each state it may be in.
_MOVES: dict[str, dict[str, set[str]]] = {
    ALERT: {
        AlertState.SENT: {AlertState.ACKNOWLEDGED, AlertState.ACTED_ON, AlertState.NO_RESULT},
        AlertState.ACKNOWLEDGED: {AlertState.ACTED_ON, AlertState.NO_RESULT},
        AlertState.NO_RESULT: {AlertState.ACTED_ON},
    },
    REQUEST: {
        RequestState.SENT: {RequestState.ACKNOWLEDGED, RequestState.ANSWERED, RequestState.REFUSED},
        RequestState.ACKNOWLEDGED: {RequestState.ANSWERED, RequestState.REFUSED},
        RequestState.ANSWERED: {RequestState.ANSWERED},
    },
}


def _name(user: Any) -> str:
    return user.display_name if user is not None else ""


def _moment(value: datetime.datetime | None) -> str:
    return version(value) if value is not None else ""


def _parse_moment(value: Any, name: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRecord(f"{name} is not a moment: {value!r}") from error
    if moment.tzinfo is None:
        raise BadRecord(f"{name} has no time zone: {value!r}")
    return moment


# --- what goes to a peer ----------------------------------------------------------------------


def released(peer: Peer, kind: str) -> dict[int, str]:
    """local id -> version of this node's alerts (or requests) addressed to a unit of the peer's
    agencies, within the peer's TLP ceiling, while an agreement in force covers them."""
    if RECORD_KIND[kind] not in peer.record_kinds:
        return {}
    agencies = set(peer.agencies.values_list("pk", flat=True))
    rows: Iterable[tuple[int, datetime.datetime, int, int, int]]
    if kind == ALERT:
        rows = (
            AlertRecipient.objects.filter(
                unit__agency_id__in=agencies, alert__origin_node="", alert__tlp__lte=peer.tlp_ceiling
            )
            .exclude(alert__owner_agency_id__in=agencies)
            .values_list(
                "alert_id", "alert__updated_at", "alert__owner_agency_id", "alert__tlp", "unit__agency_id"
            )
        )
    else:
        rows = (
            InformationRequest.objects.filter(
                to_unit__agency_id__in=agencies, origin_node="", tlp__lte=peer.tlp_ceiling
            )
            .exclude(owner_agency_id__in=agencies)
            .values_list("pk", "updated_at", "owner_agency_id", "tlp", "to_unit__agency_id")
        )
    covered: dict[tuple[int, int, int], bool] = {}
    versions = {}
    for pk, updated_at, owner, tlp, partner in rows:
        if (owner, partner, tlp) not in covered:
            agreement = policy.agreement_covering(owner, partner, RECORD_KIND[kind], tlp)
            covered[owner, partner, tlp] = agreement is not None
        if covered[owner, partner, tlp]:
            versions[pk] = version(updated_at)
    return versions


def encode(kind: str, ids: list[int], peer: Peer, owner: Any) -> list[tuple[int, str, dict[str, Any]]]:
    """(local id, version, record) of this node's alerts or requests `ids`, in id order. An alert
    names only its recipients on the peer's node. `owner` encodes the owner unit (records.owner_fields)."""
    model = MODEL[kind]
    agencies = set(peer.agencies.values_list("pk", flat=True))
    records = model.objects.filter(pk__in=ids).select_related("owner_unit__agency", "sent_by").order_by("pk")
    recipients: dict[int, list[str]] = {}
    if kind == ALERT:
        for alert_id, code in AlertRecipient.objects.filter(
            alert_id__in=ids, unit__agency_id__in=agencies
        ).values_list("alert_id", "unit__code"):
            recipients.setdefault(alert_id, []).append(code)
    else:
        for request_id, code in InformationRequest.objects.filter(pk__in=ids).values_list(
            "pk", "to_unit__code"
        ):
            recipients[request_id] = [code]
    encoded = []
    for record in records:
        values: dict[str, Any] = {name: getattr(record, name) for name in _FIELDS[kind]}
        values = {
            name: _moment(value) if name in _MOMENTS else value.isoformat() if name in _DATES else value
            for name, value in values.items()
        }
        values["sent_by"] = record.sent_by_name or _name(record.sent_by)
        values["owner"] = owner(record.owner_unit)
        values["recipients"] = sorted(recipients.get(record.pk, []))
        values["reply"] = reply_state(kind, record)  # the owner's view of it
        encoded.append((record.pk, version(record.updated_at), values))
    return encoded


# --- the recipient's part -----------------------------------------------------------------------


def _seizure_origins(seizure_ids: list[int], own_node: str) -> dict[int, list[Any]]:
    """seizure id -> [node that owns it, its id there]."""
    origins: dict[int, list[Any]] = {pk: [own_node, pk] for pk in seizure_ids}
    for row in ReceivedRecord.objects.filter(kind=SEIZURE, local_id__in=seizure_ids):
        origins[row.local_id] = [row.origin, row.origin_id]
    return origins


def reply_state(kind: str, record: Alert | InformationRequest) -> dict[str, Any]:
    """What the recipient made of the record, in the same form on both nodes: the state and its
    moments, the outcome, the seizures linked to an alert, the answers to a request. Seizures and
    answers are named by the node where they were made and their id there."""
    own_node = identity.node_name()
    state: dict[str, Any] = {
        name: _moment(getattr(record, name)) if name in _MOMENTS else getattr(record, name)
        for name in _REPLIED[kind]
    }
    if isinstance(record, Alert):
        seizures = list(AlertSeizure.objects.filter(alert=record).values_list("seizure_id", flat=True))
        state["seizures"] = sorted(_seizure_origins(seizures, own_node).values())
    else:
        state["answers"] = [
            [
                answer.origin_node or own_node,
                answer.origin_id or answer.pk,
                answer.author_name or _name(answer.author),
                answer.unit.code,
                _moment(answer.at),
                answer.text,
            ]
            for answer in record.answers.select_related("author", "unit").order_by("at", "pk")
        ]
    return state


def digest(state: dict[str, Any]) -> str:
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:40]


def replies_owed(peer: Peer, kind: str) -> dict[int, str]:
    """local id -> digest of the recipient's part of each copy the peer sent this node."""
    if RECORD_KIND[kind] not in peer.record_kinds:
        return {}
    ids = list(ReceivedRecord.objects.filter(peer=peer, kind=kind).values_list("local_id", flat=True))
    records = MODEL[kind].objects.filter(pk__in=ids).order_by("pk")
    return {record.pk: digest(reply_state(kind, record)) for record in records}


def encode_replies(kind: str, ids: list[int]) -> list[tuple[int, str, int, str, dict[str, Any]]]:
    """(local id, owner node, id there, digest, state) of the replies to the copies `ids`."""
    origins = {
        row.local_id: (row.origin, row.origin_id)
        for row in ReceivedRecord.objects.filter(kind=kind, local_id__in=ids)
    }
    encoded = []
    for record in MODEL[kind].objects.filter(pk__in=ids).order_by("pk"):
        state = reply_state(kind, record)
        origin, origin_id = origins[record.pk]
        encoded.append((record.pk, origin, origin_id, digest(state), state))
    return encoded


# --- a copy arriving from the owner node --------------------------------------------------------


def _units(codes: Any) -> list[Unit]:
    if not isinstance(codes, list) or not codes:
        raise BadRecord("the record names no recipient unit")
    units = list(Unit.objects.select_related("agency").filter(code__in=[str(code) for code in codes]))
    missing = sorted(set(map(str, codes)) - {unit.code for unit in units})
    if missing:
        raise BadRecord(f"unknown recipient unit {', '.join(missing)}; load the organisations")
    return units


def store_copy(
    peer: Peer, kind: str, change: dict[str, Any], local_id: int | None, owner_unit: Unit
) -> Model:
    """Write (or rewrite) the copy of an owner node's alert or request. While this node owes the
    owner a reply, the recipient's part of the copy is kept: the owner has not seen it yet."""
    record = change["record"]
    model = MODEL[kind]
    units = _units(record.get("recipients"))
    copy: Any = (
        model(origin_node=change["origin"])
        if local_id is None
        else model.objects.select_for_update().get(pk=local_id)
    )
    owed = local_id is not None and _reply_owed(peer, kind, copy)
    try:
        for name in _FIELDS[kind]:
            value = record[name]
            if name in _DATES:
                value = datetime.date.fromisoformat(value)
            elif name in _MOMENTS:
                value = _parse_moment(value, name)
            setattr(copy, name, value)
        reply = record["reply"]
        if not owed:
            for name in _REPLIED[kind]:
                setattr(copy, name, _parse_moment(reply[name], name) if name in _MOMENTS else reply[name])
        copy.sent_by_name = str(record["sent_by"])[:150]
    except (KeyError, TypeError, ValueError) as error:
        raise BadRecord(f"missing or malformed field: {error}") from error
    copy.owner_unit = owner_unit
    copy.owner_agency_id = owner_unit.agency_id
    copy.sharing_group = None
    if kind == REQUEST:
        copy.to_unit = units[0]
        copy.agreement_id = policy.agreement_covering(
            owner_unit.agency_id, units[0].agency_id, RECORD_KIND[kind], copy.tlp
        )
    copy.full_clean(exclude=["sent_by", "acknowledged_by"])
    copy.save()
    if kind == ALERT:
        _recipients_of(copy, units)
    if not owed:
        SentRecord.objects.update_or_create(
            peer=peer,
            kind=REPLY[kind],
            local_id=copy.pk,
            defaults={
                "origin": change["origin"],
                "origin_id": change["origin_id"],
                "version": digest(reply_state(kind, copy)),
            },
        )
    if local_id is None:
        if kind == ALERT:
            notifications.alert_sent(copy, [unit.pk for unit in units])
        else:
            notifications.request_sent(copy)
    return copy


def _reply_owed(peer: Peer, kind: str, copy: Any) -> bool:
    sent = SentRecord.objects.filter(peer=peer, kind=REPLY[kind], local_id=copy.pk).first()
    return sent is None or sent.version != digest(reply_state(kind, copy))


def _recipients_of(alert: Alert, units: list[Unit]) -> None:
    """The copy's recipients are the owner's list for this node; those kept keep their read mark."""
    held = set(alert.recipients.values_list("unit_id", flat=True))
    wanted = {unit.pk for unit in units}
    alert.recipients.exclude(unit_id__in=wanted).delete()
    AlertRecipient.objects.bulk_create(
        AlertRecipient(
            alert=alert,
            unit=unit,
            agreement_id=policy.agreement_covering(
                alert.owner_agency_id, unit.agency_id, RecordKind.ALERTS, alert.tlp
            ),
        )
        for unit in units
        if unit.pk not in held
    )


# --- a reply arriving at the owner node ---------------------------------------------------------


def addressed_to(peer: Peer, kind: str, record_id: int) -> Any:
    """This node's alert or request `record_id` if it is addressed to a unit of the peer's
    agencies, locked for the reply; None when it is not (or is not this node's)."""
    agencies = set(peer.agencies.values_list("pk", flat=True))
    records = MODEL[kind].objects.select_for_update().filter(pk=record_id, origin_node="")
    if kind == ALERT:
        # A subquery, not a join: PostgreSQL locks no rows of a DISTINCT query.
        addressed = AlertRecipient.objects.filter(unit__agency_id__in=agencies).values("alert_id")
        records = records.filter(pk__in=addressed)
    else:
        records = records.filter(to_unit__agency_id__in=agencies)
    return records.first()


def apply_reply(peer: Peer, kind: str, record: Any, reply: dict[str, Any]) -> None:
    """Take the recipient's actions into this node's record: a state it may move to, with its
    moments and outcome, and the answers and seizure links it has not got yet. The record is
    saved even when nothing was taken (closed here meanwhile), so the peer is sent it back as it
    stands here and its copy shows the owner's state."""
    before = snapshot(record)
    replied_before = reply_state(kind, record)
    try:
        state = reply["state"]
        if state != record.state and state in _MOVES[kind].get(record.state, set()):
            for name in _REPLIED[kind]:
                setattr(record, name, _parse_moment(reply[name], name) if name in _MOMENTS else reply[name])
        if kind == ALERT:
            _link_seizures(record, reply["seizures"])
        else:
            _add_answers(record, reply["answers"])
    except (KeyError, TypeError, ValueError) as error:
        raise BadRecord(f"the reply to {record.reference} is malformed: {error}") from error
    record.full_clean(exclude=["sent_by", "acknowledged_by"])
    record.save()
    audit_log(
        actor=None,
        actor_name=f"federation ← {peer.name}",
        action="federation_reply",
        instance=record,
        before=before,
        after=snapshot(record) | {"reply": reply},
    )
    if reply_state(kind, record) != replied_before:
        if kind == ALERT:
            notifications.alert_changed(record)
        else:
            notifications.request_changed(record)


def _link_seizures(alert: Alert, seizures: Any) -> None:
    """Link the seizures the reply names that this node holds (a seizure shared with it)."""
    for origin, origin_id in seizures:
        local = ReceivedRecord.objects.filter(
            kind=SEIZURE, origin=str(origin), origin_id=int(origin_id)
        ).first()
        if local is not None and Seizure.objects.filter(pk=local.local_id).exists():
            AlertSeizure.objects.get_or_create(alert=alert, seizure_id=local.local_id)


def _add_answers(rfi: InformationRequest, answers: Any) -> None:
    held = set(Answer.objects.filter(request=rfi).values_list("origin_node", "origin_id"))
    for origin, origin_id, author, _unit, at, text in answers:
        if (str(origin), int(origin_id)) in held:
            continue  # answers are never changed once written
        moment = _parse_moment(at, "answered at")
        if not str(text).strip() or moment is None:
            raise BadRecord(f"an answer to {rfi.reference} is empty or has no time")
        Answer.objects.create(
            request=rfi,
            text=str(text),
            author=None,
            author_name=str(author)[:150],
            origin_node=str(origin)[:100],
            origin_id=int(origin_id),
            unit_id=rfi.to_unit_id,
            at=moment,
        )
