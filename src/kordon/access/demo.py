"""The demo's sharing agreements and sharing group (built idempotently, by title and name)."""

import datetime

from django.db import transaction

from kordon.access.audit import audit_log
from kordon.access.markings import RecordKind, Tlp
from kordon.access.models import AgreementScope, AgreementStatus, SharingAgreement, SharingGroup
from kordon.core.models import Agency, Unit

AGREEMENTS = (
    (
        "MOU KG DCS – UZ Customs: seizures and alerts",
        ["KG-DCS", "UZ-CUSTOMS"],
        [RecordKind.SEIZURES, RecordKind.ALERTS, RecordKind.REQUESTS, RecordKind.ENTITIES, RecordKind.CASES],
        Tlp.AMBER,
        AgreementScope.RECORDS,
        "Memorandum of understanding on cooperation of the Border Liaison Offices Dostuk and Dustlik, 2012",
    ),
    (
        "MOU TJ DCA – Afghan CNPA: alerts",
        ["TJ-DCA", "AF-CNPA"],
        [RecordKind.ALERTS],
        Tlp.GREEN,
        AgreementScope.RECORDS,
        "Protocol on the exchange of operational information between the BLOs Nizhny Panj and Shir Khan Bandar",
    ),
    (
        "MOU KG Penitentiary Service – KG DCS: drug-related prison incidents",
        ["KG-PRISON", "KG-DCS"],
        [RecordKind.PRISON_INCIDENTS],
        Tlp.AMBER,
        AgreementScope.RECORDS,
        'Joint order on cooperation against drug trafficking in penitentiary institutions (operation "Perebros"), 2012',
    ),
    (
        "Almaty referral pathway for victims of trafficking",
        ["KZ-SHELTER", "KZ-HEALTH", "KZ-LEGALAID"],
        [RecordKind.REFERRALS],
        Tlp.AMBER,
        AgreementScope.RECORDS,
        "Memorandum on the referral of victims of trafficking between the crisis centre, the city polyclinic and the legal aid centre, 2013",
    ),
    (
        "Central Asian drug-control agencies: statistics",
        ["KG-DCS", "KZ-MVD", "TJ-DCA", "TM-DRUG", "UZ-NIAC"],
        [RecordKind.SEIZURES],
        Tlp.GREEN,
        AgreementScope.STATISTICS,
        "Regional agreement on the exchange of drug seizure statistics",
    ),
)

FERGANA_GROUP = "BLO network Fergana valley"
FERGANA_UNITS = ["kg-dcs-blo-dostuk", "kg-dcs-osh", "uz-customs-blo-dustlik"]


@transaction.atomic
def build_sharing() -> list[str]:
    agencies = dict(Agency.objects.values_list("code", "pk"))
    for title, parties, kinds, ceiling, scope, document in AGREEMENTS:
        agreement, _created = SharingAgreement.objects.update_or_create(
            title=title,
            defaults={
                "record_kinds": [str(kind) for kind in kinds],
                "tlp_ceiling": ceiling,
                "scope": scope,
                "valid_from": datetime.date(2012, 1, 1),
                "valid_to": None,
                "status": AgreementStatus.ACTIVE,
                "document_reference": document,
            },
        )
        agreement.parties.set([agencies[code] for code in parties])
    group, _created = SharingGroup.objects.update_or_create(
        name=FERGANA_GROUP,
        defaults={
            "description": "Border Liaison Offices and regional departments around the Fergana valley crossings",
            "active": True,
        },
    )
    group.units.set(Unit.objects.filter(code__in=FERGANA_UNITS))
    audit_log(
        actor=None,
        action="demo_build",
        object_type="access.sharingagreement",
        after={"agreements": len(AGREEMENTS), "groups": 1},
    )
    return [f"sharing: {len(AGREEMENTS)} agreements, 1 sharing group"]
