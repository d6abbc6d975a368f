"""What a node answers a request for changes from a peer it cannot reach: only a fresh request,
signed by that peer, made after the last one answered, and only when this node does not push to
it (the two-node test shows the changes themselves arriving)."""

import base64
import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from kordon.access.markings import RecordKind
from kordon.federation import identity, pulling
from kordon.federation.incoming import Refused
from kordon.federation.models import Peer, PeerStatus
from kordon.federation.outgoing import PROTOCOL


def signed_by(key: Ed25519PrivateKey, body: dict[str, Any]) -> dict[str, Any]:
    return {"body": body, "signature": base64.b64encode(key.sign(identity.canonical(body))).decode()}


def test_a_request_for_changes_is_answered_only_when_fresh_signed_and_new(db: Any) -> None:
    key = Ed25519PrivateKey.generate()
    peer = Peer.objects.create(name="uz-post", public_key=identity.public_key_text(key),
                               record_kinds=[RecordKind.SEIZURES], status=PeerStatus.APPROVED)  # fmt: skip
    now = timezone.now()
    request = {"protocol": PROTOCOL, "from": "uz-post", "to": identity.node_name(), "pull": True,
               "accepted_up_to": 0, "at": now.isoformat()}  # fmt: skip
    assert pulling.serve(signed_by(key, request)) is None, "nothing is owed to it"
    peer.refresh_from_db()
    assert peer.last_pull_at == now and peer.served is None

    with pytest.raises(Refused, match="replay"):
        pulling.serve(signed_by(key, request))
    with pytest.raises(Refused, match="five minutes"):
        pulling.serve(signed_by(key, request | {"at": (now - datetime.timedelta(minutes=6)).isoformat()}))
    with pytest.raises(Refused, match="when it was made"):
        pulling.serve(signed_by(key, request | {"at": "yesterday"}))
    later = request | {"at": (now + datetime.timedelta(seconds=1)).isoformat()}
    with pytest.raises(Refused, match="signature"):
        pulling.serve(signed_by(Ed25519PrivateKey.generate(), later))
    with pytest.raises(Refused, match="not a Kordon request"):
        pulling.serve(signed_by(key, later | {"pull": False}))

    Peer.objects.filter(pk=peer.pk).update(url="https://post.example")
    with pytest.raises(Refused, match="sends uz-post its changes itself"):
        pulling.serve(signed_by(key, later))
    Peer.objects.filter(pk=peer.pk).update(url="", status=PeerStatus.SUSPENDED)
    with pytest.raises(Refused, match="nothing is exchanged with it"):
        pulling.serve(signed_by(key, later))
    Peer.objects.filter(pk=peer.pk).update(status=PeerStatus.APPROVED)
    assert pulling.serve(signed_by(key, later)) is None, "a later request is answered"
