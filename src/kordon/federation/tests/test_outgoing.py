"""What a peer is owed, worked out by the database: the seizures it may hold that changed since
they were sent, and those it may no longer hold (the two-node tests see the same from outside)."""

import datetime
from typing import Any

from kordon.access.markings import Distribution, RecordKind, Tlp
from kordon.access.models import AgreementStatus
from kordon.access.services import AgreementData, agreement_save
from kordon.core.models import Agency
from kordon.federation.models import Peer, PeerStatus, SentRecord
from kordon.federation.outgoing import pending
from kordon.federation.records import SEIZURE, version
from kordon.seizures.models import Seizure


def _sent(peer: Peer, seizure: Seizure) -> None:
    """The peer holds the seizure as it is now (what record_accepted keeps)."""
    SentRecord.objects.create(peer=peer, kind=SEIZURE, local_id=seizure.pk, origin="kg-dcs", origin_id=seizure.pk,
                              version=version(seizure.updated_at), changed_at=seizure.updated_at)  # fmt: skip


def _owed(peer: Peer) -> tuple[set[int], set[int]]:
    owed = pending(peer)
    return (
        {local_id for kind, local_id in owed.withdrawn if kind == SEIZURE},
        {local_id for kind, local_id in owed.changed if kind == SEIZURE},
    )


def test_only_seizures_changed_or_no_longer_released_are_owed(world: Any, make_seizure: Any) -> None:
    parties = list(Agency.objects.filter(code__in=["KG-DCS", "UZ-CUSTOMS"]).values_list("pk", flat=True))
    agreement_save(actor=world.user("admin"), data=AgreementData(
        title="MOU KG DCS - UZ Customs", parties=parties, record_kinds=[RecordKind.SEIZURES], tlp_ceiling=Tlp.AMBER,
        valid_from=datetime.date(2012, 1, 1), status=AgreementStatus.ACTIVE))  # fmt: skip
    peer = Peer.objects.create(name="uz-customs", public_key="k" * 44, record_kinds=[RecordKind.SEIZURES],
                               status=PeerStatus.APPROVED)  # fmt: skip
    peer.agencies.set([Agency.objects.get(code="UZ-CUSTOMS")])  # a party to the KG DCS MOU
    shared = make_seizure("kg-dcs-blo-dostuk", tlp=Tlp.AMBER, distribution=Distribution.PARTNERS)
    kept = make_seizure("kg-dcs-blo-dostuk", tlp=Tlp.AMBER, distribution=Distribution.PARTNERS)
    own = make_seizure("kg-dcs-blo-dostuk", tlp=Tlp.AMBER, distribution=Distribution.AGENCY)
    withdrawn, changed = _owed(peer)
    assert {shared.pk, kept.pk} <= changed and own.pk not in changed and not withdrawn

    _sent(peer, shared)
    _sent(peer, kept)
    withdrawn, changed = _owed(peer)
    assert not {shared.pk, kept.pk} & (changed | withdrawn), "held as they are: nothing to send"

    Seizure.objects.filter(pk=shared.pk).update(updated_at=shared.updated_at + datetime.timedelta(seconds=1))
    Seizure.objects.filter(pk=kept.pk).update(distribution=Distribution.AGENCY)
    withdrawn, changed = _owed(peer)
    assert shared.pk in changed and kept.pk not in changed
    assert withdrawn == {kept.pk}, "narrowed to its agency: taken back"

    # A peer that no longer takes seizures is owed the withdrawal of every one it holds.
    peer.record_kinds = [RecordKind.ALERTS]
    peer.save()
    withdrawn, changed = _owed(peer)
    assert withdrawn == {shared.pk, kept.pk} and not changed
