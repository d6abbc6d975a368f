"""Accepting a change set from a peer: every check first, then all of it or nothing.

A change set is refused, with the reason, when it comes from a node that is not an approved peer,
is not meant for this node, does not carry the peer's valid signature (changed on the way, or
signed by another key), repeats or comes after a newer one (replay, reordering), or carries what
the peer may not send: a record kind or TLP beyond the peer's limits, another agency's records as
its own, or a record received elsewhere that its owner marked H2 or did not release to partners.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kordon.access.audit import audit_log
from kordon.access.markings import PARTNER_DISTRIBUTIONS, RecordKind, Tlp
from kordon.core import bulk
from kordon.core.models import Unit
from kordon.federation import identity, messages
from kordon.federation.models import Peer, PeerStatus, ReceivedRecord
from kordon.federation.outgoing import FORWARDABLE, PROTOCOL
from kordon.federation.records import SEIZURE, BadRecord, Codes, decode_seizure, owner_unit_for
from kordon.seizures.models import Seizure
from kordon.seizures.services import Received, seizure_store_received, seizures_store_received

# The kinds of record a change set may carry, with the agreement's record kind each needs.
KINDS = {
    SEIZURE: RecordKind.SEIZURES,
    messages.ALERT: RecordKind.ALERTS,
    messages.REQUEST: RecordKind.REQUESTS,
}


# ReceivedRecord's columns as new seizures are remembered, in bulk (as they are stored).
RECEIVED_COLUMNS = ("peer_id", "kind", "origin", "origin_id", "local_id", "version", "received_at")


class Refused(Exception):
    """The change set was not applied; `reason` says why, for the sending node's administrator.
    `accepted_up_to` is set for a replay, so an honest sender can number its next set after it."""

    def __init__(self, reason: str, *, accepted_up_to: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.accepted_up_to = accepted_up_to


@dataclass
class Applied:
    peer: str
    sequence: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    replies: int = 0  # recipients' actions on this node's alerts and requests
    made: list[str] = field(default_factory=list)  # agencies and units this node had not heard of


def _body(envelope: Any) -> dict[str, Any]:
    if not isinstance(envelope, dict) or not isinstance(envelope.get("body"), dict):
        raise Refused("This is not a Kordon change set (no signed body).")
    body = envelope["body"]
    if body.get("protocol") != PROTOCOL:
        raise Refused(f"Change set protocol {body.get('protocol')!r}; this node speaks {PROTOCOL}.")
    if not isinstance(body.get("sequence"), int) or not isinstance(body.get("changes"), list):
        raise Refused("The change set has no number or no list of changes.")
    return body


def _check_change(peer: Peer, agencies: set[str], change: Any) -> None:
    if not isinstance(change, dict) or change.get("kind") not in (*KINDS, *messages.ANSWERED):
        raise Refused(f"A change of an unknown kind: {str(change)[:100]}")
    kind = change["kind"]
    if not isinstance(change.get("origin"), str) or not isinstance(change.get("origin_id"), int):
        raise Refused("A change does not name the node that owns the record and its number there.")
    if kind in messages.ANSWERED:
        _check_reply(peer, change)
        return
    if KINDS[kind] not in peer.record_kinds:
        raise Refused(f"{peer.name} may not send {KINDS[kind]} to this node.")
    if kind != SEIZURE and change["origin"] != peer.name:
        raise Refused(f"{peer.name} passed on an alert or request of the node {change['origin']}.")
    if change.get("op") == "withdraw":
        return
    if (
        change.get("op") != "upsert"
        or not isinstance(change.get("record"), dict)
        or not isinstance(change.get("version"), str)
        or not isinstance(change["record"].get("owner"), dict)
    ):
        raise Refused("A change is neither a record (with its version and owner) nor a withdrawal.")
    record = change["record"]
    reference = record.get("reference")
    tlp = record.get("tlp")
    # A seizure never comes RED; an alert or request is addressed to named units, and may.
    ceiling = min(peer.tlp_ceiling, Tlp.AMBER_STRICT) if kind == SEIZURE else peer.tlp_ceiling
    if not isinstance(tlp, int) or tlp > ceiling:
        raise Refused(f"{reference}: its TLP is above what {peer.name} may send to this node.")
    owner = record["owner"].get("agency")
    if change.get("origin") == peer.name:
        if owner not in agencies:
            raise Refused(f"{reference}: {peer.name} sent a record of {owner}, an agency it does not host.")
    elif change.get("origin") == identity.node_name():
        raise Refused(f"Seizure {reference}: a record of this node came back from {peer.name}.")
    elif (
        record.get("handling_code") not in FORWARDABLE
        or record.get("distribution") not in PARTNER_DISTRIBUTIONS
    ):
        raise Refused(
            f"Seizure {reference}: {peer.name} passed on a record of the node {change.get('origin')} "
            "that its owner did not release beyond its first recipients (H2 or narrower)."
        )


def _check_reply(peer: Peer, change: dict[str, Any]) -> None:
    """A reply comes from a node hosting a recipient, about a record of this node."""
    kind = messages.ANSWERED[change["kind"]]
    if KINDS[kind] not in peer.record_kinds:
        raise Refused(f"{peer.name} may not exchange {KINDS[kind]} with this node.")
    if change.get("op") != "upsert" or not isinstance(change.get("record"), dict):
        raise Refused("A reply carries no state.")
    if change["origin"] != identity.node_name():
        raise Refused(f"{peer.name} sent a reply to a record of the node {change['origin']}.")


def _held(changes: list[dict[str, Any]]) -> dict[tuple[str, str, int], ReceivedRecord]:
    """The received records the change set names, by their kind, owner node and id there."""
    kinds = {change["kind"] for change in changes}
    origins = {change["origin"] for change in changes}
    ids = {change["origin_id"] for change in changes}
    rows = ReceivedRecord.objects.filter(kind__in=kinds, origin__in=origins, origin_id__in=ids)
    return {(row.kind, row.origin, row.origin_id): row for row in rows}


def _apply_changes(peer: Peer, changes: list[dict[str, Any]], applied: Applied) -> None:
    """Seizures first, then alerts and requests, then replies, which may name the seizures."""
    held = _held(changes)
    _apply_seizures(peer, [change for change in changes if change["kind"] == SEIZURE], held, applied)
    for change in changes:
        if change["kind"] in messages.MODEL:
            _apply_message(
                peer, change, held.get((change["kind"], change["origin"], change["origin_id"])), applied
            )
    for change in changes:
        if change["kind"] in messages.ANSWERED:
            kind = messages.ANSWERED[change["kind"]]
            record = messages.addressed_to(peer, kind, change["origin_id"])
            if record is None:
                raise Refused(
                    f"{peer.name} replied to {kind} {change['origin_id']} of this node, "
                    "which is not addressed to a unit it hosts."
                )
            messages.apply_reply(peer, kind, record, change["record"])
            applied.replies += 1


def _apply_message(peer: Peer, change: dict[str, Any], row: ReceivedRecord | None, applied: Applied) -> None:
    """An alert or request from the node that owns it: withdrawn, new, changed or already here."""
    kind = change["kind"]
    if change["op"] == "withdraw":
        if row is not None and row.peer_id == peer.pk:
            messages.MODEL[kind].objects.filter(pk=row.local_id).delete()
            row.delete()
            applied.withdrawn += 1
        return
    if row is not None and row.version >= str(change["version"]):
        applied.unchanged += 1
        return
    unit = owner_unit_for(change["record"]["owner"], applied.made)
    copy = messages.store_copy(peer, kind, change, row.local_id if row else None, unit)
    if row is None:
        ReceivedRecord.objects.create(
            peer=peer,
            kind=kind,
            origin=change["origin"],
            origin_id=change["origin_id"],
            local_id=copy.pk,
            version=str(change["version"]),
        )
        applied.created += 1
        return
    row.version = str(change["version"])
    row.save(update_fields=["version", "received_at"])
    applied.updated += 1


def _apply_seizures(
    peer: Peer,
    changes: list[dict[str, Any]],
    held: dict[tuple[str, str, int], ReceivedRecord],
    applied: Applied,
) -> None:
    """Withdrawals and changes to seizures already here one by one; new seizures in bulk."""
    codes = Codes.load()
    units: dict[str, Unit] = {}
    withdrawn: list[ReceivedRecord] = []
    new: list[tuple[dict[str, Any], Received]] = []
    for change in changes:
        row = held.get((SEIZURE, change["origin"], change["origin_id"]))
        if change["op"] == "withdraw":
            if row is not None and row.peer_id == peer.pk:  # only who sent it may take it back
                withdrawn.append(row)
            continue
        if row is not None and row.version >= str(change["version"]):
            applied.unchanged += 1  # already here, as new or newer: a repeat is harmless
            continue
        record = change["record"]
        owner = record["owner"]
        unit = units.get(str(owner.get("unit")))
        if unit is None:
            unit = units[str(owner.get("unit"))] = owner_unit_for(owner, applied.made)
        data = decode_seizure(record, codes)
        if row is None:
            new.append((change, Received(owner_unit=unit, origin_node=str(change["origin"]), data=data)))
            continue
        seizure_store_received(seizure_id=row.local_id, owner_unit=unit, origin_node=row.origin, data=data)
        row.peer = peer
        row.version = str(change["version"])
        row.save(update_fields=["peer", "version", "received_at"])
        applied.updated += 1
    if withdrawn:
        Seizure.objects.filter(pk__in=[row.local_id for row in withdrawn]).delete()
        ReceivedRecord.objects.filter(pk__in=[row.pk for row in withdrawn]).delete()
        applied.withdrawn += len(withdrawn)
    seizure_ids = seizures_store_received([entry for _change, entry in new])
    now = timezone.now()
    prepare = bulk.row_preparer(ReceivedRecord, RECEIVED_COLUMNS)
    rows = [
        prepare(
            (peer.pk, SEIZURE, change["origin"], change["origin_id"], seizure_id, str(change["version"]), now)
        )
        for (change, _entry), seizure_id in zip(new, seizure_ids, strict=True)
    ]
    bulk.insert_prepared(ReceivedRecord, RECEIVED_COLUMNS, rows)
    applied.created += len(new)


def signer(envelope: Any, body: dict[str, Any], *, what: str) -> Peer:
    """The approved peer that signed `envelope` for this node (a change set, or a request for
    one); Refused says why it is not one."""
    sender = str(body.get("from"))
    peer = Peer.objects.filter(name=sender).first()
    if peer is None:
        raise Refused(
            f"{sender!r} is not a peer of this node; its administrator has to pair the nodes first."
        )
    try:
        identity.verify(envelope, peer.public_key)
    except identity.BadSignature:
        raise Refused(
            f"The signature does not match {peer.name}'s key: the {what} was altered or not signed by {peer.name}."
        ) from None
    if peer.status != PeerStatus.APPROVED:
        raise Refused(
            f"{peer.name} is {peer.get_status_display()} on this node; nothing is exchanged with it."
        )
    if body.get("to") != identity.node_name():
        raise Refused(f"The {what} is meant for {body.get('to')!r}, not for this node.")
    return peer


def receive(envelope: Any, *, via: str) -> Applied:
    """Check and apply one signed change set, in one transaction; Refused says why not."""
    body = _body(envelope)
    peer = signer(envelope, body, what="change set")
    try:
        with transaction.atomic():
            return _apply(peer, body, via)
    except (BadRecord, ValidationError, IntegrityError, ProtectedError) as error:
        raise Refused(f"A record could not be stored, so nothing was: {_message(error)}") from error


def _apply(peer: Peer, body: dict[str, Any], via: str) -> Applied:
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    sequence = body["sequence"]
    if sequence <= peer.received_sequence:
        raise Refused(
            f"Change set {sequence} is a replay or arrived out of order: "
            f"this node has accepted up to {peer.received_sequence}.",
            accepted_up_to=peer.received_sequence,
        )
    agencies = set(peer.agencies.values_list("code", flat=True))
    for change in body["changes"]:
        _check_change(peer, agencies, change)
    applied = Applied(peer=peer.name, sequence=sequence)
    _apply_changes(peer, body["changes"], applied)
    peer.received_sequence = sequence
    peer.last_received_at = timezone.now()
    peer.save(update_fields=["received_sequence", "last_received_at"])
    audit_log(
        actor=None,
        actor_name=f"federation ← {peer.name}",
        action="federation_receive",
        instance=peer,
        after={
            "via": via,
            "sequence": sequence,
            "created": applied.created,
            "updated": applied.updated,
            "unchanged": applied.unchanged,
            "withdrawn": applied.withdrawn,
            "replies": applied.replies,
            "made": applied.made,
            "changes": [
                [change["kind"], change["op"], change["origin"], change["origin_id"]]
                for change in body["changes"]
            ],
        },
    )
    return applied


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return str(error)


def sender_of(envelope: Any) -> str:
    """The node a refused envelope claims to come from, for the audit line: "?" when it names none."""
    body = envelope.get("body") if isinstance(envelope, dict) else None
    return str(body.get("from", "?")) if isinstance(body, dict) else "?"


def record_refusal(sender: str, reason: str, *, via: str) -> None:
    """Audit a refused change set (in its own transaction: the refused one left nothing)."""
    peer = Peer.objects.filter(name=sender).first()
    with transaction.atomic():
        audit_log(
            actor=None,
            actor_name=f"federation ← {sender}"[:150],
            action="federation_refuse",
            instance=peer,
            object_type="federation.peer",
            object_repr=sender[:200],
            after={"via": via, "reason": reason},
        )
