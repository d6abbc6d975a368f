"""Cases and exhibits through the services, the API and the CLI: the chain of custody's rules
(append-only, gaps, unexplained weights, hand-overs outside the team flagged), and sharing a
case, or parts of it, through the one policy."""

import datetime
import json
import zipfile
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from kordon.access.markings import Distribution, RecordKind, Tlp
from kordon.access.models import AgreementStatus, AuditEntry, SharingAgreement
from kordon.cases import selectors, services
from kordon.cases.models import Case, CaseType, CustodyEvent, CustodyKind, TeamRole
from kordon.core.models import Agency
from kordon.entities import services as entity_services
from kordon.entities.models import EntityKind
from kordon.entities.tests.test_watchlists import bearer
from kordon.seizures.models import Substance

DOSTUK = "kg-dcs-blo-dostuk"
DAY = datetime.date(2013, 9, 14)
BISHKEK = ZoneInfo("Asia/Bishkek")


def at(hour: int, days: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(DAY + datetime.timedelta(days=days), datetime.time(hour))
    )


@pytest.fixture
def mou(world: Any) -> SharingAgreement:
    agreement = SharingAgreement.objects.create(
        title="KG-UZ cases",
        record_kinds=[RecordKind.CASES, RecordKind.ENTITIES, RecordKind.ALERTS],
        tlp_ceiling=Tlp.AMBER,
        valid_from=datetime.date(2010, 1, 1),
        status=AgreementStatus.ACTIVE,
    )
    agreement.parties.set(Agency.objects.filter(code__in=["KG-DCS", "UZ-CUSTOMS"]))
    return agreement


@pytest.fixture
def case(world: Any) -> Case:
    case = services.case_open(
        actor=world.user("kg.supervisor"),
        unit_id=world.unit(DOSTUK).pk,
        data=services.CaseData(
            reference="2013/17", title="Northern route", case_type=CaseType.DRUG_TRAFFICKING, opened_on=DAY,
            distribution=Distribution.PARTNERS,
        ),
    )  # fmt: skip
    services.member_add(
        actor=world.user("kg.supervisor"),
        case_id=case.pk,
        username="kg.blo.dostuk",
        role=TeamRole.INVESTIGATOR,
    )
    return case


def heroin_exhibit(world: Any, case: Case, make_seizure: Any) -> Any:
    seizure = make_seizure(DOSTUK, reference="KG-DOS-2013-17", occurred_on=DAY, quantity="1.5")
    services.item_add(
        actor=world.user("kg.blo.dostuk"), case_id=case.pk, record_type="seizure", reference="KG-DOS-2013-17"
    )
    return services.exhibit_add(
        actor=world.user("kg.blo.dostuk"),
        case_id=case.pk,
        data=services.ExhibitData(seizure_item_id=seizure.items.get().pk, seal_number="KG-0045871"),
    )


def record(world: Any, exhibit: Any, kind: str, hour: int, **values: Any) -> CustodyEvent:
    return services.custody_record(
        actor=world.user("kg.blo.dostuk"),
        exhibit_id=exhibit.pk,
        data=services.CustodyData(kind, at(hour), **values),
    )


def flags(world: Any, exhibit: Any) -> list[str]:
    return [
        flag.code
        for flag in selectors.exhibit_view(user=world.user("kg.supervisor"), exhibit_id=exhibit.pk).flags
    ]


def test_an_exhibit_from_a_seizure_carries_its_commodity_and_starts_its_chain(
    world: Any, case: Case, make_seizure: Any
) -> None:
    exhibit = heroin_exhibit(world, case, make_seizure)
    assert (exhibit.label, exhibit.commodity.code, exhibit.quantity, exhibit.unit) == (
        "2013/17/E1",
        "heroin",
        Decimal("1.5"),
        "kg",
    )
    first = exhibit.events.get()
    assert (first.kind, first.holder.username, first.weight, first.at.date()) == (
        CustodyKind.SEIZED,
        "kg.blo.dostuk",
        Decimal("1.5"),
        DAY,
    )
    assert flags(world, exhibit) == []


def test_a_complete_chain_holds_and_each_break_is_flagged(world: Any, case: Case, make_seizure: Any) -> None:
    exhibit = heroin_exhibit(world, case, make_seizure)
    record(world, exhibit, CustodyKind.SEALED, 13, weight=Decimal("1.5"))
    record(world, exhibit, CustodyKind.HANDED_OVER, 14, from_user="kg.blo.dostuk", holder="kg.supervisor")
    assert flags(world, exhibit) == ["not_received"]  # a hand-over waits for its receipt
    record(world, exhibit, CustodyKind.RECEIVED, 15, holder="kg.supervisor")
    record(world, exhibit, CustodyKind.SENT_TO_LAB, 16, holder_name="Forensic centre, Bishkek")
    services.lab_result_record(
        actor=world.user("kg.supervisor"), exhibit_id=exhibit.pk, laboratory="Forensic centre", lab_reference="FC-1",
        analysed_on=DAY, confirmed_id=Substance.objects.get(code="heroin").pk, net_weight=Decimal("1.46"),
        purity_percent=Decimal("62.5"),
    )  # fmt: skip
    record(world, exhibit, CustodyKind.RETURNED, 17, holder="kg.supervisor", weight=Decimal("1.46"))
    assert flags(world, exhibit) == []  # the laboratory's net weight explains the lighter exhibit
    record(world, exhibit, CustodyKind.STORED, 18, weight=Decimal("1.2"))
    assert flags(world, exhibit) == ["weight"]
    record(world, exhibit, CustodyKind.STORED, 19, holder="kg.blo.dostuk")
    assert flags(world, exhibit) == ["weight", "gap"]  # changed hands without a hand-over
    record(world, exhibit, CustodyKind.HANDED_OVER, 20, from_user="kg.blo.dostuk", holder="kg.analyst")
    record(world, exhibit, CustodyKind.RECEIVED, 21, holder="kg.analyst")
    assert flags(world, exhibit) == ["weight", "gap", "outside_team"]


def test_the_chain_is_append_only(world: Any, case: Case, make_seizure: Any) -> None:
    exhibit = heroin_exhibit(world, case, make_seizure)
    with pytest.raises(ValidationError):  # destruction needs two witnesses
        record(world, exhibit, CustodyKind.DESTROYED, 15, witnesses=["one"])
    with pytest.raises(ValidationError):  # nothing before the last event
        record(world, exhibit, CustodyKind.STORED, 5)
    record(world, exhibit, CustodyKind.DESTROYED, 16, witnesses=["Prosecutor A.", "Clerk B."])
    with pytest.raises(ValidationError):
        record(world, exhibit, CustodyKind.STORED, 17)
    assert flags(world, exhibit) == []
    # Changed behind Kordon's back, in the database: the hashes show it.
    CustodyEvent.objects.filter(exhibit=exhibit, sequence=1).update(weight=Decimal("1.2"))
    assert flags(world, exhibit) == ["altered"]
    assert AuditEntry.objects.filter(action="custody", object_id=str(exhibit.pk)).count() == 2


def test_only_the_team_and_the_owner_unit_work_on_a_case(world: Any, case: Case, make_seizure: Any) -> None:
    with pytest.raises(PermissionDenied):  # sees the agency's case, is not on its team
        services.note_add(actor=world.user("kg.analyst"), case_id=case.pk, text="a note")
    services.member_add(
        actor=world.user("kg.supervisor"), case_id=case.pk, username="kg.analyst", role=TeamRole.ANALYST
    )
    services.note_add(actor=world.user("kg.analyst"), case_id=case.pk, text="a note")
    with pytest.raises(ValidationError):  # tasks go to the team
        services.task_add(
            actor=world.user("kg.supervisor"), case_id=case.pk, title="Interview", assignee="uz.blo.dustlik"
        )
    with pytest.raises(Case.DoesNotExist):
        services.note_add(actor=world.user("tj.analyst"), case_id=case.pk, text="a note")
    with pytest.raises(ValidationError):
        services.case_set_status(
            actor=world.user("kg.supervisor"), case_id=case.pk, status="closed"
        )  # no outcome
    closed = services.case_set_status(
        actor=world.user("kg.supervisor"), case_id=case.pk, status="closed", outcome="sent_to_court"
    )
    assert closed.closed_on == timezone.localdate()


def test_a_partner_sees_only_the_shared_parts_of_a_case(
    world: Any, case: Case, mou: SharingAgreement, make_seizure: Any
) -> None:
    kg, lead = world.user("kg.blo.dostuk"), world.user("kg.supervisor")
    heroin_exhibit(world, case, make_seizure)  # the seizure stays within the agency
    courier = entity_services.entity_create(
        actor=kg, unit_id=world.unit(DOSTUK).pk,
        data=entity_services.EntityData(kind=EntityKind.PERSON, name="Султанов Алимбай", tlp=Tlp.AMBER, distribution=Distribution.PARTNERS),
    )  # fmt: skip
    secret = entity_services.entity_create(
        actor=kg, unit_id=world.unit(DOSTUK).pk,
        data=entity_services.EntityData(kind=EntityKind.PERSON, name="Источник Х", tlp=Tlp.AMBER, distribution=Distribution.AGENCY),
    )  # fmt: skip
    services.item_add(
        actor=lead, case_id=case.pk, record_type="entity", reference=str(courier.pk), shared=True
    )
    services.item_add(
        actor=lead, case_id=case.pk, record_type="entity", reference=str(secret.pk), shared=True
    )
    services.note_add(actor=lead, case_id=case.pk, text="Shared note", shared=True)
    services.note_add(actor=lead, case_id=case.pk, text="Internal note")
    services.task_add(actor=lead, case_id=case.pk, title="Internal task", assignee="kg.blo.dostuk")
    with pytest.raises(PermissionDenied):  # only the owner unit shares parts of the case
        services.item_share(actor=world.user("kg.analyst"), item_id=case.items.first().pk, shared=True)

    insider = selectors.case_view(user=world.user("kg.analyst"), case_id=case.pk)
    assert (
        insider.insider and len(insider.items) == 3 and len(insider.exhibits) == 1 and len(insider.tasks) == 1
    )
    partner = selectors.case_view(user=world.user("uz.blo.dustlik"), case_id=case.pk)
    assert not partner.insider
    assert [item.label for item in partner.items] == ["Султанов Алимбай"]  # shared and visible to him
    assert [note.text for note in partner.notes] == ["Shared note"]
    assert (partner.tasks, partner.exhibits, partner.team) == ([], [], [])
    client = world.client("uz.blo.dustlik")
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/cases/exhibits/{case.exhibits.get().pk}/").status_code == 404
    assert world.client("tj.analyst").get(f"/cases/{case.pk}/").status_code == 404
    mou.status = AgreementStatus.SUSPENDED
    mou.save()
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_the_api_builds_a_case_and_its_chain(world: Any, make_seizure: Any, client: Any) -> None:
    seizure = make_seizure(DOSTUK, reference="KG-DOS-9", occurred_on=DAY, quantity="2")
    headers = bearer("kg.blo.dostuk")
    created = client.post(
        "/api/v1/cases",
        {
            "owner_unit": DOSTUK,
            "reference": "2013/18",
            "title": "Southern route",
            "case_type": "drug_trafficking",
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert client.post(f"/api/v1/cases/{case_id}/items", {"record_type": "seizure", "reference": "KG-DOS-9"},
                       content_type="application/json", headers=headers).status_code == 201  # fmt: skip
    exhibit = client.post(f"/api/v1/cases/{case_id}/exhibits", {"seizure_item": seizure.items.get().pk},
                          content_type="application/json", headers=headers).json()  # fmt: skip
    assert (exhibit["label"], exhibit["unit"]) == ("2013/18/E1", "kg")
    handed = client.post(
        f"/api/v1/exhibits/{exhibit['id']}/custody",
        {
            "kind": "handed_over",
            "at": timezone.now().isoformat(),
            "holder": "uz.blo.dustlik",
            "from_user": "kg.blo.dostuk",
        },
        content_type="application/json",
        headers=headers,
    )
    assert handed.status_code == 201, handed.content
    assert {flag["code"] for flag in handed.json()["flags"]} == {"outside_team", "not_received"}
    missing = client.post("/api/v1/cases/999999/items", {"record_type": "seizure", "reference": "KG-DOS-9"},
                          content_type="application/json", headers=headers)  # fmt: skip
    assert missing.status_code == 404
    assert (
        client.get(f"/api/v1/exhibits/{exhibit['id']}/custody", headers=bearer("tj.analyst")).status_code
        == 404
    )


def test_the_cli_exports_a_case_as_a_bundle(
    world: Any, case: Case, make_seizure: Any, tmp_path: Any, capsys: Any
) -> None:
    exhibit = heroin_exhibit(world, case, make_seizure)
    services.exhibit_document_add(
        actor=world.user("kg.blo.dostuk"), exhibit_id=exhibit.pk, kind="court_decision", name="../decision.txt",
        content_type="text/plain", content=b"The court orders the destruction.",
    )  # fmt: skip
    out = tmp_path / "case.zip"
    call_command("case", "export", "2013/17", "--user", "kg.analyst", "--out", str(out), "--language", "en")
    assert json.loads(capsys.readouterr().out)["exhibits"] == 1
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        data = json.loads(archive.read("case.json"))
        pdf = archive.read("exhibits/2013_17_E1-custody.pdf")
    assert "exhibits/2013_17_E1/decision.txt" in names  # no path from the uploaded name survives
    assert pdf.startswith(b"%PDF") and data["exhibits"][0]["events"][0]["kind"] == "seized"
    assert AuditEntry.objects.filter(action="export", object_type="cases.case").exists()
