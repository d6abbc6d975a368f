"""What this node sends a peer: change sets of the records released to it since the last one.

The records a peer may hold are those the members of its agencies may see here under the
agreements in force (access.policy.node_filter), within the peer's own limits. Comparing that set
with what the peer already holds (SentRecord) gives the change set: records new to the peer or
changed since, and tombstones for those it may no longer hold (withdrawn, marking raised,
agreement suspended or expired). What was sent is recorded only once the peer has accepted it,
so a peer that was down gets everything it missed at the next attempt.

Alerts and requests go the same way to the node that hosts a unit they are addressed to, and the
replies of this node's recipients to those received here go back to their owner
(kordon.federation.messages).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kordon.access import policy
from kordon.access.audit import audit_log
from kordon.access.markings import HandlingCode, RecordKind, Tlp
from kordon.core import bulk
from kordon.federation import identity, messages
from kordon.federation.models import Peer, ReceivedRecord, SentRecord
from kordon.federation.records import SEIZURE, encode_seizures, owner_fields, version
from kordon.seizures.models import Seizure

PROTOCOL = 1
# Changes per change set: about 1.5 kB each, so a set stays a few megabytes.
BATCH = 1000
# Handling codes a node may pass on to a third one; H2 never goes further than its first recipient.
FORWARDABLE = (HandlingCode.H0, HandlingCode.H1)


@dataclass(slots=True)
class Sent:
    """A record a change set carries, as SentRecord will remember it once the peer accepts."""

    kind: str
    local_id: int
    origin: str
    origin_id: int
    version: str
    changed_at: datetime.datetime | None


# SentRecord's columns as record_accepted writes them, in bulk: a first sync remembers a hundred
# thousand records, and model instances for them took a fifth of the sender's time.
SENT_COLUMNS = ("peer_id", "kind", "local_id", "origin", "origin_id", "version", "changed_at")


@dataclass
class ChangeSet:
    peer: Peer
    body: dict[str, Any]
    sent: list[Sent] = field(default_factory=list)  # records the peer will hold
    withdrawn: list[tuple[str, int]] = field(default_factory=list)  # (kind, local id) it will not


def released_seizures(peer: Peer) -> QuerySet[Seizure]:
    """The seizures the peer may hold now."""
    if RecordKind.SEIZURES not in peer.record_kinds:
        return Seizure.objects.none()
    agencies = list(peer.agencies.values_list("pk", flat=True))
    if not agencies:
        return Seizure.objects.none()
    ceiling = min(peer.tlp_ceiling, Tlp.AMBER_STRICT)
    return (
        Seizure.objects.filter(policy.node_filter(agencies, Seizure), tlp__lte=ceiling)
        # Own records; a received one only if its owner allowed it to go on, and never back.
        .filter(Q(origin_node="") | Q(handling_code__in=FORWARDABLE))
        .exclude(origin_node=peer.name)
        .exclude(owner_agency_id__in=agencies)
    )


def _origins(ids: list[int]) -> dict[int, tuple[str, int, str]]:
    """local id -> (owner node, id there, version there) for received seizures among `ids`."""
    rows = ReceivedRecord.objects.filter(kind=SEIZURE, local_id__in=ids)
    return {row.local_id: (row.origin, row.origin_id, row.version) for row in rows}


def released_messages(peer: Peer) -> dict[str, dict[int, str]]:
    """kind -> {local id: version} of the few records the peer may hold now besides seizures: this
    node's alerts and requests addressed to it, and the replies to those it sent here."""
    versions = {}
    for kind in (messages.ALERT, messages.REQUEST):
        versions[kind] = messages.released(peer, kind)
        versions[messages.REPLY[kind]] = messages.replies_owed(peer, kind)
    return versions


# Records before the replies that may name them (a seizure linked to an alert).
ORDER = [SEIZURE, messages.ALERT, messages.REQUEST, *messages.ANSWERED]


@dataclass
class Pending:
    """What the peer is owed: (kind, local id) of records to withdraw and of records to send."""

    withdrawn: list[tuple[str, int]]
    changed: list[tuple[str, int]]

    @property
    def empty(self) -> bool:
        return not self.withdrawn and not self.changed


def _seizures_owed(peer: Peer) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(withdrawn, changed) seizures, compared in the database: a peer may hold a hundred thousand,
    and reading them all each round to compare here took seconds (most of the steady-state delay)."""
    sent = SentRecord.objects.filter(peer=peer, kind=SEIZURE)
    released = released_seizures(peer)
    same = sent.filter(local_id=OuterRef("pk"), changed_at=OuterRef("updated_at"))
    changed = released.exclude(Exists(same)).values_list("pk", flat=True)
    gone = sent.exclude(Exists(released.filter(pk=OuterRef("local_id")))).values_list("local_id", flat=True)
    return {(SEIZURE, local_id) for local_id in gone}, {(SEIZURE, pk) for pk in changed}


def pending(peer: Peer) -> Pending:
    """Compare what the peer may hold now with what it holds."""
    withdrawn, changed = _seizures_owed(peer)
    held = {
        (kind, local_id): held_version
        for kind, local_id, held_version in SentRecord.objects.filter(peer=peer)
        .exclude(kind=SEIZURE)
        .values_list("kind", "local_id", "version")
    }
    now = {(kind, pk): at for kind, records in released_messages(peer).items() for pk, at in records.items()}
    withdrawn |= set(held) - set(now)
    changed |= {key for key, at in now.items() if held.get(key) != at}
    order = {kind: position for position, kind in enumerate(ORDER)}
    return Pending(
        withdrawn=sorted(withdrawn, key=lambda key: (order.get(key[0], 0), key[1])),
        changed=sorted(changed, key=lambda key: (order[key[0]], key[1])),
    )


def change_sets(peer: Peer, owed: Pending) -> Iterator[ChangeSet]:
    """The change sets that carry `owed`, BATCH changes each, withdrawals first, numbered on from
    the last one used. Each is built when asked for, so the next can be built while one travels."""
    changes = [("withdraw", key) for key in owed.withdrawn]
    changes += [("upsert", key) for key in owed.changed]
    peer.refresh_from_db(fields=["sent_sequence"])
    first = peer.sent_sequence + 1
    for number, start in enumerate(range(0, len(changes), BATCH)):
        batch = changes[start : start + BATCH]
        yield _change_set(
            peer,
            sequence=first + number,
            withdrawn=[key for op, key in batch if op == "withdraw"],
            changed=[key for op, key in batch if op == "upsert"],
        )


def _of_kind(keys: list[tuple[str, int]], kind: str) -> list[int]:
    return [local_id for key_kind, local_id in keys if key_kind == kind]


def _change_set(
    peer: Peer, *, sequence: int, withdrawn: list[tuple[str, int]], changed: list[tuple[str, int]]
) -> ChangeSet:
    own = identity.node_name()
    change_set = ChangeSet(peer=peer, body={}, withdrawn=withdrawn)
    changes: list[dict[str, Any]] = []
    # Only records are taken back: a reply to a copy that has left this node is just forgotten.
    for kind in (SEIZURE, messages.ALERT, messages.REQUEST):
        tombstones = SentRecord.objects.filter(
            peer=peer, kind=kind, local_id__in=_of_kind(withdrawn, kind)
        ).order_by("local_id")
        changes += [
            {"kind": kind, "op": "withdraw", "origin": row.origin, "origin_id": row.origin_id}
            for row in tombstones
        ]

    def upsert(
        kind: str,
        local_id: int,
        origin: tuple[str, int, str],
        record: dict[str, Any],
        at: str,
        changed_at: datetime.datetime | None = None,
    ) -> None:
        changes.append(
            {
                "kind": kind,
                "op": "upsert",
                "origin": origin[0],
                "origin_id": origin[1],
                "version": origin[2],
                "record": record,
            }
        )
        change_set.sent.append(Sent(kind, local_id, origin[0], origin[1], at, changed_at))

    seizures = _of_kind(changed, SEIZURE)
    origins = _origins(seizures)
    for local_id, changed_at, record in encode_seizures(seizures):
        local_version = version(changed_at)
        origin = origins.get(local_id, (own, local_id, local_version))
        upsert(SEIZURE, local_id, origin, record, local_version, changed_at)
    for kind in (messages.ALERT, messages.REQUEST):
        if ids := _of_kind(changed, kind):
            for local_id, local_version, record in messages.encode(kind, ids, peer, owner_fields):
                upsert(kind, local_id, (own, local_id, local_version), record, local_version)
    for reply, kind in messages.ANSWERED.items():
        if ids := _of_kind(changed, reply):
            for local_id, owner, owner_id, state_digest, state in messages.encode_replies(kind, ids):
                upsert(reply, local_id, (owner, owner_id, state_digest), state, state_digest)
    change_set.body = {
        "protocol": PROTOCOL,
        "from": own,
        "to": peer.name,
        "sequence": sequence,
        "created_at": timezone.now().isoformat(),
        "changes": changes,
    }
    return change_set


@transaction.atomic
def record_accepted(change_set: ChangeSet, *, via: str) -> None:
    """The peer holds what the change set carried: remember it, and audit what left the node."""
    peer = Peer.objects.select_for_update().get(pk=change_set.peer.pk)
    done = change_set.withdrawn + [(row.kind, row.local_id) for row in change_set.sent]
    for kind in {kind for kind, _local_id in done}:
        SentRecord.objects.filter(peer=peer, kind=kind, local_id__in=_of_kind(done, kind)).delete()
    prepare = bulk.row_preparer(SentRecord, SENT_COLUMNS)
    rows = [
        prepare((peer.pk, row.kind, row.local_id, row.origin, row.origin_id, row.version, row.changed_at))
        for row in change_set.sent
    ]
    bulk.insert_prepared(SentRecord, SENT_COLUMNS, rows)
    sequence = change_set.body["sequence"]
    peer.sent_sequence = max(peer.sent_sequence, sequence)
    peer.last_sent_at = timezone.now()
    peer.last_error = ""
    peer.save(update_fields=["sent_sequence", "last_sent_at", "last_error"])
    audit_log(
        actor=None,
        actor_name=f"federation → {peer.name}",
        action="federation_send",
        instance=peer,
        after={
            "via": via,
            "sequence": sequence,
            "sent": [[row.kind, row.origin, row.origin_id, row.local_id] for row in change_set.sent],
            "withdrawn": [list(key) for key in change_set.withdrawn],
        },
    )


def skip_to(peer: Peer, sequence: int) -> None:
    """The peer already accepted change sets up to `sequence` (its answer to a set it had seen,
    whose acceptance we never heard of): number the next one after it. What that set carried is
    sent again, and the peer keeps the newer version of each record."""
    Peer.objects.filter(pk=peer.pk, sent_sequence__lt=sequence).update(sent_sequence=sequence)
    peer.refresh_from_db()
