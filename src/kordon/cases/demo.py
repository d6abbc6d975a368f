"""The demo's case: "Northern route 2013/17" of the Kyrgyz drug-control service, with the Dostuk
seizure, the courier and his truck, the alert to the Uzbek BLO and the request about the courier,
a team with tasks, and the 1.5 kg of heroin as exhibit 1 taken through the laboratory, the court
and destruction. Exhibit 2 shows what a broken chain looks like. The case is shared with Uzbek
customs (the alert and the courier only)."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.cases import services
from kordon.cases.models import Case, CaseType, CustodyKind, TeamRole
from kordon.core.models import Unit
from kordon.entities.models import Entity
from kordon.entities.records import LINKABLE
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

DOSTUK = "kg-dcs-blo-dostuk"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_cases() -> str:
    if Case.objects.exists():
        return f"cases: {Case.objects.count()} already there"
    users = get_user_model().objects.in_bulk(
        ["kg.supervisor", "kg.blo.dostuk", "kg.analyst"], field_name="username"
    )
    lead, officer, analyst = users["kg.supervisor"], users["kg.blo.dostuk"], users["kg.analyst"]
    unit = Unit.objects.get(code=DOSTUK)
    heroin = Substance.objects.get(code="heroin")
    day = datetime.date(2013, 9, 14)
    seizure = seizure_create(
        actor=officer,
        owner_unit_id=unit.pk,
        data=SeizureData(
            reference="KG-DOS/2013/17", occurred_on=day, country_id="KG", detection_method="intelligence",
            transport_mode="road", vehicle_plate="01KG123ABC", concealment="vehicle",
            origin_country_id="AF", transit_countries=["TJ"], destination_country_id="RU", persons_arrested=1,
            arrested_nationalities=["KG"], narrative="Heroin in the cab of truck 01KG123ABC at Dostuk.",
            tlp=Tlp.AMBER, distribution=Distribution.AGENCY, items=[ItemData(heroin.pk, Decimal("1.5"), "kg")],
        ),
    )  # fmt: skip
    case = services.case_open(
        actor=lead,
        unit_id=unit.pk,
        data=services.CaseData(
            reference="2013/17", title="Northern route", case_type=CaseType.DRUG_TRAFFICKING,
            summary="Heroin couriers from Osh to Andijan in trucks of OOO Fergana Trans.", opened_on=day,
            tlp=Tlp.AMBER, handling_code=HandlingCode.H2, distribution=Distribution.PARTNERS,
        ),
    )  # fmt: skip
    services.member_add(actor=lead, case_id=case.pk, username="kg.blo.dostuk", role=TeamRole.INVESTIGATOR)
    services.member_add(actor=lead, case_id=case.pk, username="kg.analyst", role=TeamRole.ANALYST)
    courier = Entity.objects.filter(name="Султанов Алимбай Каримович").first()
    truck = Entity.objects.filter(name="01KG123ABC").first()
    alert = LINKABLE["alert"].model.objects.filter(title__startswith="Truck 01KG123ABC").first()
    rfi = LINKABLE["rfi"].model.objects.filter(subject__startswith="Criminal record of Sultanov").first()
    items = [("seizure", str(seizure.pk), False, "")]
    items += [("entity", str(courier.pk), True, "courier")] if courier else []
    items += [("entity", str(truck.pk), False, "")] if truck else []
    items += [("alert", str(alert.pk), True, "the alert that led to the interception")] if alert else []
    items += [("rfi", str(rfi.pk), False, "")] if rfi else []
    for kind, reference, shared, note in items:
        services.item_add(
            actor=lead, case_id=case.pk, record_type=kind, reference=reference, note=note, shared=shared
        )
    services.note_add(actor=officer, case_id=case.pk, text="The driver says he was paid 500 USD in Osh.")
    services.task_add(actor=lead, case_id=case.pk, title="Ask Uzbek customs for the truck's crossings", assignee="kg.analyst",
                      due_on=timezone.localdate() + datetime.timedelta(days=10))  # fmt: skip
    services.task_add(actor=lead, case_id=case.pk, title="Interview the consignee", assignee="kg.blo.dostuk",
                      due_on=day + datetime.timedelta(days=30))  # fmt: skip

    item = seizure.items.get()
    exhibit = services.exhibit_add(
        actor=officer,
        case_id=case.pk,
        data=services.ExhibitData(seizure_item_id=item.pk, seal_number="KG-0045871", location="BLO Dostuk"),
    )
    steps = [
        services.CustodyData(CustodyKind.SEALED, _at(day, 14), seal_number="KG-0045871", weight=Decimal("1.5"),
                             location="BLO Dostuk", condition="packed in 3 bags, sealed"),
        services.CustodyData(CustodyKind.HANDED_OVER, _at(day, 16), holder="kg.analyst", from_user="kg.blo.dostuk",
                             location="BLO Dostuk"),
        services.CustodyData(CustodyKind.RECEIVED, _at(day, 17), holder="kg.analyst", location="Osh evidence room",
                             condition="seal intact"),
        services.CustodyData(CustodyKind.SENT_TO_LAB, _at(day + datetime.timedelta(days=2), 10),
                             holder_name="Forensic centre, Ministry of Interior, Bishkek", seal_number="KG-0045871"),
        services.CustodyData(CustodyKind.RETURNED, _at(day + datetime.timedelta(days=9), 11), holder="kg.analyst",
                             weight=Decimal("1.46"), weight_reason="40 g taken as the laboratory's sample",
                             seal_number="LAB-2013-0912"),
        services.CustodyData(CustodyKind.IN_COURT, _at(day + datetime.timedelta(days=90), 10),
                             holder_name="Osh city court", seal_number="LAB-2013-0912"),
        services.CustodyData(CustodyKind.RETURNED, _at(day + datetime.timedelta(days=91), 15), holder="kg.analyst",
                             seal_number="LAB-2013-0912"),
        services.CustodyData(CustodyKind.DESTROYED, _at(day + datetime.timedelta(days=120), 11),
                             location="Osh incinerator", witnesses=["Prosecutor A. Toktogulov", "Judge's clerk N. Isaeva"],
                             weight=Decimal("1.46")),
    ]  # fmt: skip
    for step in steps:
        services.custody_record(actor=officer, exhibit_id=exhibit.pk, data=step)
    services.lab_result_record(
        actor=analyst, exhibit_id=exhibit.pk, laboratory="Forensic centre, Ministry of Interior, Bishkek",
        lab_reference="FC-2013-4471", analysed_on=day + datetime.timedelta(days=8), confirmed_id=heroin.pk,
        net_weight=Decimal("1.46"), purity_percent=Decimal("62.5"), method="GC-MS",
    )  # fmt: skip
    phone = services.exhibit_add(
        actor=officer,
        case_id=case.pk,
        data=services.ExhibitData(description="Mobile phone of the driver", quantity=Decimal(1), unit="pieces",
                                  seal_number="KG-0045872", seized_at=_at(day, 13), location="BLO Dostuk"),
    )  # fmt: skip
    # Stored by someone who never received it: the chain shows the gap.
    services.custody_record(
        actor=officer,
        exhibit_id=phone.pk,
        data=services.CustodyData(
            CustodyKind.STORED, _at(day, 18), holder="kg.supervisor", location="Dostuk safe"
        ),
    )
    return f"cases: {case.reference} {case.title} with {case.exhibits.count()} exhibits"
