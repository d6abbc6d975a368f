"""Pull: a node that its peer cannot reach (a post behind a firewall) asks the peer for what it is
owed, instead of waiting for it to be pushed.

The request is signed like a change set and says up to which change set the asking node has
accepted from the peer. The peer answers with the next change set, signed, exactly as it would
have pushed it, or with nothing when nothing is owed. It remembers the set it gave until the next
request confirms it was accepted: only then is it recorded as held (SentRecord), so a set lost on
the way, or refused, is built and given again. A request carries its moment, which must be recent
and later than the last one's: a request recorded and replayed by someone else gets nothing.

A peer is either pushed to (it has an address here) or pulls, never both: both would number
change sets from the same counter.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kordon.federation import identity
from kordon.federation.incoming import Refused, signer
from kordon.federation.models import Peer
from kordon.federation.outgoing import (
    PROTOCOL,
    ChangeSet,
    Sent,
    change_sets,
    pending,
    record_accepted,
    skip_to,
)

PULL_PATH = "/federation/pull"
# How far the moment of a request may be from this node's clock.
FRESH = datetime.timedelta(minutes=5)


def request(peer: Peer) -> bytes:
    """A signed request for what `peer` owes this node."""
    return identity.signed(
        {
            "protocol": PROTOCOL,
            "from": identity.node_name(),
            "to": peer.name,
            "pull": True,
            "accepted_up_to": peer.received_sequence,
            "at": timezone.now().isoformat(),
        }
    )


def serve(envelope: Any) -> bytes | None:
    """The next change set owed to the node that signed `envelope`, signed; None when nothing is
    owed. Refused says why a request gets nothing."""
    body = envelope.get("body") if isinstance(envelope, dict) else None
    if not isinstance(body, dict) or body.get("pull") is not True or body.get("protocol") != PROTOCOL:
        raise Refused("This is not a Kordon request for changes.")
    accepted_up_to = body.get("accepted_up_to")
    try:
        moment = datetime.datetime.fromisoformat(str(body.get("at")))
    except ValueError:
        moment = None
    if not isinstance(accepted_up_to, int) or moment is None or moment.tzinfo is None:
        raise Refused("The request does not say what was accepted, or when it was made.")
    peer = signer(envelope, body, what="request")
    if peer.url:
        raise Refused(
            f"This node sends {peer.name} its changes itself (it has its address). Fetching is for "
            "a node that this one cannot reach: remove the address here, or stop fetching there."
        )
    if abs(timezone.now() - moment) > FRESH:
        raise Refused(
            "The request was made more than five minutes from this node's time: "
            "check the clocks of both nodes, or this is an old request sent again."
        )
    with transaction.atomic():
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        if peer.last_pull_at is not None and moment <= peer.last_pull_at:
            raise Refused("This request was made before one already answered: it is a replay.")
        if peer.served is not None and peer.served["sequence"] <= accepted_up_to:
            record_accepted(_served_change_set(peer, peer.served), via="https pull")
        # Number the next set after what the peer accepted (a file may have carried some), and
        # read the counter as record_accepted left it.
        skip_to(peer, accepted_up_to)
        owed = pending(peer)
        change_set = None if owed.empty else next(change_sets(peer, owed))
        # A set given and not accepted is forgotten: the next one carries its changes again.
        peer.served = _remembered(change_set) if change_set is not None else None
        peer.last_pull_at = moment
        peer.save(update_fields=["served", "last_pull_at"])
    return identity.signed(change_set.body) if change_set is not None else None


def _remembered(change_set: ChangeSet) -> dict[str, Any]:
    return {
        "sequence": change_set.body["sequence"],
        "sent": [
            [
                row.kind,
                row.local_id,
                row.origin,
                row.origin_id,
                row.version,
                row.changed_at.isoformat() if row.changed_at else None,
            ]
            for row in change_set.sent
        ],
        "withdrawn": [list(key) for key in change_set.withdrawn],
    }


def _served_change_set(peer: Peer, served: dict[str, Any]) -> ChangeSet:
    """The change set given to the peer, as record_accepted takes it."""
    return ChangeSet(
        peer=peer,
        body={"sequence": served["sequence"]},
        sent=[
            Sent(
                kind,
                local_id,
                origin,
                origin_id,
                version,
                datetime.datetime.fromisoformat(changed_at) if changed_at else None,
            )
            for kind, local_id, origin, origin_id, version, changed_at in served["sent"]
        ],
        withdrawn=[(kind, local_id) for kind, local_id in served["withdrawn"]],
    )
