"""What this node sends a peer: change sets of the records released to it since the last one.

The records a peer may hold are those the members of its agencies may see here under the
agreements in force (access.policy.node_filter), within the peer's own limits. Comparing that set
with what the peer already holds (SentRecord) gives the change set: records new to the peer or
changed since, and tombstones for those it may no longer hold (withdrawn, marking raised,
agreement suspended or expired). What was sent is recorded only once the peer has accepted it,
so a peer that was down gets everything it missed at the next attempt.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kordon.access import policy
from kordon.access.audit import audit_log
from kordon.access.markings import HandlingCode, RecordKind, Tlp
from kordon.federation import identity
from kordon.federation.models import Peer, ReceivedRecord, SentRecord
from kordon.federation.records import SEIZURE, encode_seizures, version
from kordon.seizures.models import Seizure

PROTOCOL = 1
# Changes per change set: about 1.5 kB each, so a set stays a few megabytes.
BATCH = 1000
# Handling codes a node may pass on to a third one; H2 never goes further than its first recipient.
FORWARDABLE = (HandlingCode.H0, HandlingCode.H1)


@dataclass
class ChangeSet:
    peer: Peer
    body: dict[str, Any]
    sent: list[SentRecord] = field(default_factory=list)  # records the peer will hold
    withdrawn: list[int] = field(default_factory=list)  # local ids it will no longer hold


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
    """local id -> (owner node, id there, version there) for received records among `ids`."""
    rows = ReceivedRecord.objects.filter(kind=SEIZURE, local_id__in=ids)
    return {row.local_id: (row.origin, row.origin_id, row.version) for row in rows}


@dataclass
class Pending:
    """What the peer is owed: local ids of records to withdraw and of records to send."""

    withdrawn: list[int]
    changed: list[int]

    @property
    def empty(self) -> bool:
        return not self.withdrawn and not self.changed


def pending(peer: Peer) -> Pending:
    """Compare what the peer may hold now with what it holds."""
    released = dict(released_seizures(peer).values_list("pk", "updated_at"))
    held = dict(SentRecord.objects.filter(peer=peer, kind=SEIZURE).values_list("local_id", "version"))
    return Pending(
        withdrawn=sorted(set(held) - set(released)),
        changed=sorted(pk for pk, at in released.items() if held.get(pk) != version(at)),
    )


def change_sets(peer: Peer, owed: Pending) -> Iterator[ChangeSet]:
    """The change sets that carry `owed`, BATCH changes each, withdrawals first, numbered on from
    the last one used. Each is built when asked for, so the next can be built while one travels."""
    changes = [("withdraw", local_id) for local_id in owed.withdrawn]
    changes += [("upsert", pk) for pk in owed.changed]
    peer.refresh_from_db(fields=["sent_sequence"])
    first = peer.sent_sequence + 1
    for number, start in enumerate(range(0, len(changes), BATCH)):
        batch = changes[start : start + BATCH]
        yield _change_set(
            peer,
            sequence=first + number,
            withdrawn=[local_id for op, local_id in batch if op == "withdraw"],
            changed=[local_id for op, local_id in batch if op == "upsert"],
        )


def _change_set(peer: Peer, *, sequence: int, withdrawn: list[int], changed: list[int]) -> ChangeSet:
    origins = _origins(withdrawn + changed)
    tombstones = SentRecord.objects.filter(peer=peer, kind=SEIZURE, local_id__in=withdrawn).order_by(
        "local_id"
    )
    changes: list[dict[str, Any]] = [
        {"kind": SEIZURE, "op": "withdraw", "origin": row.origin, "origin_id": row.origin_id}
        for row in tombstones
    ]
    change_set = ChangeSet(peer=peer, body={}, withdrawn=withdrawn)
    own = identity.node_name()
    for local_id, local_version, record in encode_seizures(changed):
        origin, origin_id, origin_version = origins.get(local_id, (own, local_id, local_version))
        changes.append(
            {
                "kind": SEIZURE,
                "op": "upsert",
                "origin": origin,
                "origin_id": origin_id,
                "version": origin_version,
                "record": record,
            }
        )
        change_set.sent.append(
            SentRecord(
                peer=peer,
                kind=SEIZURE,
                local_id=local_id,
                origin=origin,
                origin_id=origin_id,
                version=local_version,
            )
        )
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
    SentRecord.objects.filter(peer=peer, kind=SEIZURE, local_id__in=change_set.withdrawn).delete()
    SentRecord.objects.filter(
        peer=peer, kind=SEIZURE, local_id__in=[row.local_id for row in change_set.sent]
    ).delete()
    SentRecord.objects.bulk_create(change_set.sent, batch_size=500)
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
            "sent": [[row.origin, row.origin_id, row.local_id] for row in change_set.sent],
            "withdrawn": change_set.withdrawn,
        },
    )


def skip_to(peer: Peer, sequence: int) -> None:
    """The peer already accepted change sets up to `sequence` (its answer to a set it had seen,
    whose acceptance we never heard of): number the next one after it. What that set carried is
    sent again, and the peer keeps the newer version of each record."""
    Peer.objects.filter(pk=peer.pk, sent_sequence__lt=sequence).update(sent_sequence=sequence)
    peer.refresh_from_db()
