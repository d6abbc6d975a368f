"""Persons, vehicles, companies, phones and documents as records: written through the services,
read through the one policy (lists, details, links, the link chart, the review queue, the FtM
export), linked across agencies by a linking run whose suggestions wait for people's decisions."""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kordon.access.markings import Distribution, RecordKind, Tlp
from kordon.access.models import AgreementStatus, AuditEntry, SharingAgreement
from kordon.core.models import Agency
from kordon.entities import linking, selectors, services
from kordon.entities.models import Entity, EntityKind, LinkingRun, MatchDecision, Verdict
from kordon.entities.tests.test_watchlists import bearer

DOSTUK, DUSTLIK = "kg-dcs-blo-dostuk", "uz-customs-blo-dustlik"


@pytest.fixture
def mou(world: Any) -> SharingAgreement:
    """The Kyrgyz drug-control service and Uzbek customs share persons and seizures up to AMBER."""
    agreement = SharingAgreement.objects.create(
        title="KG-UZ persons and seizures",
        record_kinds=[RecordKind.ENTITIES, RecordKind.SEIZURES],
        tlp_ceiling=Tlp.AMBER,
        valid_from=datetime.date(2020, 1, 1),
        status=AgreementStatus.ACTIVE,
    )
    agreement.parties.set(Agency.objects.filter(code__in=["KG-DCS", "UZ-CUSTOMS"]))
    return agreement


def record(
    world: Any,
    username: str,
    unit: str,
    name: str,
    *,
    kind: str = EntityKind.PERSON,
    shared: bool = True,
    **values: Any,
) -> Entity:
    data = services.EntityData(
        kind=kind,
        name=name,
        tlp=Tlp.AMBER,
        distribution=Distribution.PARTNERS if shared else Distribution.AGENCY,
        **values,
    )
    return services.entity_create(actor=world.user(username), unit_id=world.unit(unit).pk, data=data)


def sultanov_kg(world: Any, **values: Any) -> Entity:
    return record(
        world, "kg.blo.dostuk", DOSTUK, "Султанов Алимбай Каримович",
        birth_date="12.03.1975", country="Кыргызстан", gender="male",
        documents=[{"type": "passport", "number": "AC 1234567", "country": "KG"}],
        phones=["+996 555 12-34-56"], **values,
    )  # fmt: skip


def sultanov_uz(world: Any) -> Entity:
    return record(
        world, "uz.blo.dustlik", DUSTLIK, "Sultonov Alimboy Karimovich",
        alt_names=["SULTANOV<<ALIMBAI"], birth_date="1975-12-03", country="KG", gender="male",
        documents=[{"type": "passport", "number": "AC1234576", "country": "KG"}],
    )  # fmt: skip


def test_a_person_is_recorded_cleaned_audited_and_found_in_any_script(world: Any) -> None:
    person = sultanov_kg(world)
    assert (person.birth_date, person.country, person.documents[0]["number"]) == (
        "1975-03-12",
        "KG",
        "AC 1234567",
    )
    assert person.owner_agency.code == "KG-DCS"
    created = AuditEntry.objects.get(action="create", object_type="entities.entity", object_id=str(person.pk))
    assert created.after["name"] == "Султанов Алимбай Каримович"
    analyst = world.user("kg.analyst")
    for query in ("Sultonov", "SOULTANOV alimbai", "султанов", "AC1234567", "555-12-34-56"):
        assert list(selectors.entities(user=analyst, query=query)) == [person], query
    assert list(selectors.entities(user=analyst, query="Petrov")) == []
    # Nobody outside the agency and its partners learns that the record exists.
    assert list(selectors.entities(user=world.user("tj.analyst"), query="Sultanov")) == []


def test_bad_input_is_refused_with_every_problem_and_nothing_written(world: Any) -> None:
    data = services.EntityData(
        kind=EntityKind.VEHICLE,
        name="  ",
        birth_date="31.02.1980",
        country="Atlantis",
        phones=["no digits"],
        details={"vin": "YV2A4CAA1XB234567", "wingspan": "12 m"},
        distribution=Distribution.ALL,
        tlp=Tlp.AMBER,
    )
    with pytest.raises(ValidationError) as refused:
        services.entity_create(actor=world.user("kg.blo.dostuk"), unit_id=world.unit(DOSTUK).pk, data=data)
    assert set(refused.value.message_dict) >= {
        "name",
        "birth_date",
        "country",
        "phones",
        "details",
        "distribution",
    }
    assert not Entity.objects.exists()
    with pytest.raises(PermissionDenied):
        record(world, "uz.blo.dustlik", DOSTUK, "Someone")  # not his unit


def test_only_the_owner_unit_releases_a_record_more_widely(world: Any, mou: SharingAgreement) -> None:
    person = sultanov_kg(world, shared=False)
    data = services.entity_data_from(person)
    data.distribution = Distribution.PARTNERS
    with pytest.raises(PermissionDenied):  # the analyst sees the agency's record but may not change it
        services.entity_update(actor=world.user("kg.analyst"), entity_id=person.pk, data=data)
    uz = world.user("uz.blo.dustlik")
    assert not selectors.entities(user=uz).exists()
    services.entity_update(actor=world.user("kg.blo.dostuk"), entity_id=person.pk, data=data)
    assert list(selectors.entities(user=uz)) == [person]
    mou.status = AgreementStatus.SUSPENDED
    mou.save()
    assert not selectors.entities(user=world.user("uz.blo.dustlik")).exists()  # the next request


def test_links_show_only_ends_the_reader_may_see(
    world: Any, mou: SharingAgreement, make_seizure: Any
) -> None:
    person = sultanov_kg(world)
    truck = record(
        world, "kg.blo.dostuk", DOSTUK, "01KG123ABC", kind=EntityKind.VEHICLE, details={"make": "Volvo"}
    )
    kept_home = make_seizure(DOSTUK, reference="KG-HOME-1", distribution=Distribution.AGENCY)
    shared = make_seizure(DOSTUK, reference="KG-SHARED-1", distribution=Distribution.PARTNERS)
    kg = world.user("kg.blo.dostuk")
    services.entity_link_entity(actor=kg, entity_id=person.pk, other_id=truck.pk, role="driver")
    services.entity_link_record(
        actor=kg, entity_id=person.pk, record_type="seizure", reference="KG-HOME-1", role="courier"
    )
    services.entity_link_record(
        actor=kg, entity_id=person.pk, record_type="seizure", reference=str(shared.pk), role="courier"
    )
    with pytest.raises(ValidationError):  # a reference nobody can see is refused like a missing one
        services.entity_link_record(
            actor=world.user("uz.blo.dustlik"),
            entity_id=person.pk,
            record_type="seizure",
            reference="KG-HOME-1",
            role="courier",
        )

    def seen(username: str) -> set[str]:
        return {view.label for view in selectors.links_of(user=world.user(username), entity_ids=[person.pk])}

    assert seen("kg.analyst") == {"01KG123ABC", str(kept_home), str(shared)}
    assert seen("uz.blo.dustlik") == {"01KG123ABC", str(shared)}
    graph = selectors.neighbourhood(user=world.user("uz.blo.dustlik"), entity=person)
    assert {node["id"] for node in graph["nodes"]} == {
        f"entity-{person.pk}",
        f"entity-{truck.pk}",
        f"seizure-{shared.pk}",
    }
    # Only the unit that recorded a link removes it.
    link = person.links.get(other=truck)
    with pytest.raises(PermissionDenied):
        services.entity_link_remove(actor=world.user("kg.analyst"), link_id=link.pk)
    services.entity_link_remove(actor=kg, link_id=link.pk)
    assert seen("kg.analyst") == {str(kept_home), str(shared)}


def test_the_chart_joins_records_through_a_shared_seizure_and_phone(
    world: Any, mou: SharingAgreement, make_seizure: Any
) -> None:
    courier = sultanov_kg(world)
    partner = record(world, "kg.blo.dostuk", DOSTUK, "Рахимов Бахтиёр", phones=["996555123456"])
    seizure = make_seizure(DOSTUK, reference="KG-DOS-7", distribution=Distribution.PARTNERS)
    kg = world.user("kg.blo.dostuk")
    for person in (courier, partner):
        services.entity_link_record(
            actor=kg, entity_id=person.pk, record_type="seizure", reference="KG-DOS-7", role="courier"
        )
    graph = selectors.neighbourhood(user=world.user("kg.analyst"), entity=courier)
    ids = {node["id"] for node in graph["nodes"]}
    assert {f"entity-{partner.pk}", f"seizure-{seizure.pk}", "phone-996555123456"} <= ids
    phone_edges = {edge["source"] for edge in graph["edges"] if edge["target"] == "phone-996555123456"}
    assert phone_edges == {f"entity-{courier.pk}", f"entity-{partner.pk}"}


def run_linking(world: Any, username: str) -> LinkingRun:
    run = services.linking_request(actor=world.user(username))
    assert services.run_linking_runs() == 1
    run.refresh_from_db()
    assert run.status == LinkingRun.Status.DONE, run.error
    return run


def test_a_linking_run_queues_the_likely_pairs_and_later_runs_keep_decisions(
    world: Any, mou: SharingAgreement
) -> None:
    kg, uz = sultanov_kg(world), sultanov_uz(world)
    osh = record(
        world, "kg.analyst", "kg-dcs-analysis", "Султанов А.К.", birth_date="1975", phones=["996555123456"]
    )
    namesake = record(
        world, "kg.blo.dostuk", DOSTUK, "Султанов Алмаз Бакытович", birth_date="1991-07-01", country="KG"
    )
    run = run_linking(world, "kg.analyst")
    assert (run.records, run.queued) == (4, 2)
    pairs = {(decision.first_id, decision.second_id) for decision in MatchDecision.objects.all()}
    assert pairs == {tuple(sorted((kg.pk, uz.pk))), tuple(sorted((kg.pk, osh.pk)))}
    assert all(namesake.pk not in pair for pair in pairs)
    shared_phone = MatchDecision.objects.get(first_id=min(kg.pk, osh.pk), second_id=max(kg.pk, osh.pk))
    assert "996555123456" in selectors.pair_match(kg, osh).explanation
    analyst = world.user("kg.analyst")
    services.match_decide(actor=analyst, decision_id=shared_phone.pk, verdict=Verdict.NOT_SAME)
    uzbek = MatchDecision.objects.get(verdict=Verdict.PENDING)
    services.match_decide(actor=analyst, decision_id=uzbek.pk, verdict=Verdict.SAME, note="passport photo")
    assert AuditEntry.objects.filter(action="match_decide").count() == 2

    again = run_linking(world, "kg.analyst")
    assert (again.suggested, again.queued) == (2, 0)
    shared_phone.refresh_from_db()
    assert shared_phone.verdict == Verdict.NOT_SAME  # a decision is never undone by a run
    assert [member.pk for member in selectors.same_person(user=analyst, entity=kg)] == [kg.pk, uz.pk]
    merged = dict(selectors.merged([kg, uz]))
    births = {
        value.value: {source.owner_agency.code for source in value.sources} for value in merged["Birth date"]
    }
    assert births == {"1975-03-12": {"KG-DCS"}, "1975-12-03": {"UZ-CUSTOMS"}}


def test_the_review_queue_and_decisions_go_through_the_policy(world: Any, mou: SharingAgreement) -> None:
    sultanov_kg(world)
    sultanov_uz(world)
    run_linking(world, "kg.analyst")
    pair = MatchDecision.objects.get()
    assert selectors.review_queue(user=world.user("uz.blo.dustlik")).count() == 1
    assert selectors.review_queue(user=world.user("tj.analyst")).count() == 0
    with pytest.raises(MatchDecision.DoesNotExist):
        services.match_decide(actor=world.user("tj.analyst"), decision_id=pair.pk, verdict=Verdict.SAME)
    mou.status = AgreementStatus.SUSPENDED
    mou.save()
    assert selectors.review_queue(user=world.user("uz.blo.dustlik")).count() == 0
    # A run by a user who sees only his own agency compares only its records.
    assert run_linking(world, "uz.blo.dustlik").records == 1


def test_clusters_are_the_connected_groups_of_joined_pairs() -> None:
    groups = linking.clusters([10, 20, 30, 40, 50], [(10, 20), (30, 20), (40, 50)])
    assert groups[10] == groups[20] == groups[30] != groups[40] == groups[50]


def test_the_api_records_links_and_decides(
    world: Any, mou: SharingAgreement, client: Any, make_seizure: Any
) -> None:
    make_seizure(
        DUSTLIK, actor=world.user("uz.blo.dustlik"), reference="UZ-DUS-9", distribution=Distribution.PARTNERS
    )
    payload = {
        "owner_unit": DUSTLIK,
        "kind": "person",
        "name": "Sultonov Alimboy Karimovich",
        "birth_date": "03.12.1975",
        "country": "KGZ",
        "documents": [{"number": "AC1234576", "country": "KG"}],
        "markings": {"tlp": "AMBER", "distribution": "partners"},
    }
    uz = bearer("uz.blo.dustlik")
    created = client.post("/api/v1/entities", payload, content_type="application/json", headers=uz)
    assert created.status_code == 201, created.content
    person = created.json()
    assert (person["birth_date"], person["country"], person["markings"]["distribution"]) == (
        "1975-12-03",
        "KG",
        "partners",
    )
    bad = client.post(
        "/api/v1/entities",
        payload | {"birth_date": "1975-13-40", "country": "Narnia"},
        content_type="application/json",
        headers=uz,
    )
    assert bad.status_code == 422
    assert {error["loc"][-1] for error in bad.json()["detail"]} >= {"birth_date", "country"}
    linked = client.post(
        f"/api/v1/entities/{person['id']}/links",
        {"role": "courier", "record_type": "seizure", "reference": "UZ-DUS-9"},
        content_type="application/json",
        headers=uz,
    )
    assert linked.status_code == 201, linked.content
    kg_person = sultanov_kg(world)
    run_linking(world, "kg.analyst")
    kg = bearer("kg.analyst")
    detail = client.get(f"/api/v1/entities/{person['id']}", headers=kg).json()
    assert [link["record_reference"] for link in detail["links"]] == ["UZ-DUS-9"]
    pairs = client.get("/api/v1/entity-pairs", headers=kg).json()
    assert len(pairs) == 1 and "day and month swapped" in pairs[0]["explanation"]
    decided = client.post(
        f"/api/v1/entity-pairs/{pairs[0]['id']}/decision",
        {"verdict": "same"},
        content_type="application/json",
        headers=kg,
    )
    assert decided.json()["verdict"] == "same"
    assert client.get(f"/api/v1/entities/{kg_person.pk}", headers=kg).json()["same_as"] == [person["id"]]
    graph = client.get(f"/api/v1/entities/{kg_person.pk}/graph", headers=kg).json()
    assert any(node["label"] == "UZ-DUS-9" for node in graph["nodes"])
    outsider = bearer("tj.analyst")
    assert client.get(f"/api/v1/entities/{person['id']}", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/entities/{person['id']}/graph", headers=outsider).status_code == 404
    assert client.get("/api/v1/entities?q=sultonov", headers=outsider).json() == []


# Property names of the FtM 4 schemas the export writes (with those they inherit from LegalEntity,
# Thing, Asset, Interval, Interest), restated here rather than installing followthemoney.
FTM_PROPERTIES = {
    "Person": {
        "name",
        "alias",
        "birthDate",
        "nationality",
        "gender",
        "idNumber",
        "phone",
        "address",
        "notes",
    },
    "Company": {
        "name",
        "alias",
        "jurisdiction",
        "registrationNumber",
        "legalForm",
        "phone",
        "address",
        "notes",
    },
    "Vehicle": {"name", "registrationNumber", "model", "country", "notes"},
    "Vessel": {"name", "registrationNumber", "model", "country", "imoNumber", "flag", "notes"},
    "Identification": {"number", "country", "type", "notes"},
    "UserAccount": {"phone", "country", "service", "notes"},
    "UnknownLink": {"subject", "object", "role"},
    "Event": {"name", "date", "involved"},
}


def test_the_ftm_export_holds_what_the_user_may_export_in_ftm_terms(
    world: Any, mou: SharingAgreement, make_seizure: Any
) -> None:
    person = sultanov_kg(world)
    home = record(world, "kg.blo.dostuk", DOSTUK, "Домашний Секрет", shared=False)
    truck = record(
        world,
        "kg.blo.dostuk",
        DOSTUK,
        "01KG123ABC",
        kind=EntityKind.VEHICLE,
        details={"make": "Volvo", "model": "FH12"},
    )
    record(world, "kg.blo.dostuk", DOSTUK, "+996555123456", kind=EntityKind.PHONE)
    record(
        world,
        "kg.blo.dostuk",
        DOSTUK,
        "MSKU1234565",
        kind=EntityKind.VESSEL,
        details={"imo_number": "9321483"},
    )
    record(world, "kg.blo.dostuk", DOSTUK, "OOO Fergana Trans", kind=EntityKind.COMPANY, country="UZ")
    record(
        world,
        "kg.blo.dostuk",
        DOSTUK,
        "AC1234567",
        kind=EntityKind.DOCUMENT,
        details={"document_type": "passport"},
    )
    make_seizure(DOSTUK, reference="KG-DOS-8", distribution=Distribution.PARTNERS)
    kg = world.user("kg.blo.dostuk")
    services.entity_link_entity(actor=kg, entity_id=truck.pk, other_id=person.pk, role="driver")
    services.entity_link_record(
        actor=kg, entity_id=person.pk, record_type="seizure", reference="KG-DOS-8", role="courier"
    )
    response = world.client("uz.blo.dustlik").get("/entities/export.ftm.json")
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    schemas = {line["schema"] for line in lines}
    assert schemas == set(FTM_PROPERTIES)
    for line in lines:
        assert set(line["properties"]) <= FTM_PROPERTIES[line["schema"]], line
    names = {value for line in lines for value in line["properties"].get("name", [])}
    assert "Домашний Секрет" not in names and home.name == "Домашний Секрет"
    link = next(line for line in lines if line["schema"] == "UnknownLink")
    assert link["properties"]["subject"] == [f"kordon-entity-{person.pk}"]  # the legal entity is the subject
    event = next(line for line in lines if line["schema"] == "Event")
    assert event["properties"]["name"] == ["KG-DOS-8"]
    assert AuditEntry.objects.filter(
        action="export", object_type="entities.entity", actor__username="uz.blo.dustlik"
    ).exists()


def test_the_cli_links_and_exports(world: Any, mou: SharingAgreement, tmp_path: Any, capsys: Any) -> None:
    sultanov_kg(world)
    sultanov_uz(world)
    call_command("entities", "link", "--user", "kg.analyst")
    figures = json.loads(capsys.readouterr().out)
    assert (figures["records"], figures["queued"], figures["clusters"]) == (2, 1, 1)
    out = tmp_path / "entities.ftm.json"
    call_command("entities", "export", "--user", "tj.analyst", "--out", str(out))
    assert out.read_text(encoding="utf-8") == ""  # nothing of it is his to export
    call_command("entities", "export", "--user", "uz.blo.dustlik", "--out", str(out))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    with pytest.raises(CommandError):
        call_command("entities", "link", "--user", "nobody-here")


def test_a_linking_run_pairs_vehicles_and_companies_too(world: Any, mou: SharingAgreement) -> None:
    truck_kg = record(
        world, "kg.blo.dostuk", DOSTUK, "01KG123ABC", kind=EntityKind.VEHICLE, details={"make": "Volvo"}
    )
    truck_uz = record(
        world, "uz.blo.dustlik", DUSTLIK, "01 KG 123 АВС", kind=EntityKind.VEHICLE, details={"make": "VOLVO"}
    )
    record(world, "kg.blo.dostuk", DOSTUK, "01KG777XYZ", kind=EntityKind.VEHICLE)
    firm_uz = record(world, "uz.blo.dustlik", DUSTLIK, "OOO Fergana Trans", kind=EntityKind.COMPANY, country="UZ",
                     details={"registration_number": "302 456 789"})  # fmt: skip
    firm_kg = record(world, "kg.blo.dostuk", DOSTUK, "ООО «Фергана Транс»", kind=EntityKind.COMPANY, country="UZ",
                     details={"registration_number": "302456789"})  # fmt: skip
    record(world, "kg.blo.dostuk", DOSTUK, "ОсОО «Ош Транс»", kind=EntityKind.COMPANY, country="KG")
    run = run_linking(world, "kg.analyst")
    pairs = {(decision.first_id, decision.second_id) for decision in MatchDecision.objects.all()}
    assert pairs == {tuple(sorted((truck_kg.pk, truck_uz.pk))), tuple(sorted((firm_uz.pk, firm_kg.pk)))}
    assert run.records == 6
    why = selectors.pair_match(truck_kg, truck_uz).explanation
    assert "01KG123ABC" in why and "Volvo" in why
    assert "302456789" in selectors.pair_match(firm_uz, firm_kg).explanation


@pytest.mark.parametrize("dies_in", ["link_objects", "clusters"])
def test_a_run_whose_worker_died_is_done_again_once_without_duplicates(
    world: Any, mou: SharingAgreement, monkeypatch: Any, dies_in: str
) -> None:
    """The worker dies (a BaseException, which no `except Exception` catches, as a kill would end
    it) before the run writes anything, or half-way through writing its queue. Nothing of that
    attempt stays; once the run is stale another worker takes it and queues each pair once."""
    sultanov_kg(world), sultanov_uz(world)
    record(
        world, "kg.analyst", "kg-dcs-analysis", "Султанов А.К.", birth_date="1975", phones=["996555123456"]
    )
    run = services.linking_request(actor=world.user("kg.analyst"))
    real = getattr(linking, dies_in)

    def dying(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(linking, dies_in, dying)
    with pytest.raises(KeyboardInterrupt):
        services.run_linking_runs()
    monkeypatch.setattr(linking, dies_in, real)
    run.refresh_from_db()
    assert run.status == LinkingRun.Status.RUNNING and MatchDecision.objects.count() == 0
    assert services.run_linking_runs() == 0  # a live worker may still be on it: left alone
    LinkingRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - services.STALE_AFTER)
    assert services.run_linking_runs() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts, run.queued) == (LinkingRun.Status.DONE, 2, 2)
    pairs = list(MatchDecision.objects.values_list("first_id", "second_id"))
    assert len(pairs) == len(set(pairs)) == 2


def test_a_failed_run_tells_the_officer_what_to_do_and_only_an_administrator_the_reason(
    world: Any, mou: SharingAgreement, monkeypatch: Any
) -> None:
    sultanov_kg(world), sultanov_uz(world)
    services.linking_request(actor=world.user("kg.analyst"))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("relation entities_x does not exist")

    monkeypatch.setattr(linking, "link_objects", broken)
    for _attempt in range(services.MAX_ATTEMPTS):
        services.run_linking_runs()
        LinkingRun.objects.update(started_at=None)
    run = LinkingRun.objects.get()
    assert run.status == LinkingRun.Status.FAILED and "entities_x" in run.error
    officer = world.client("kg.analyst").get("/entities/review/").content.decode()
    assert "The run failed. Start a new one" in officer and "entities_x" not in officer
    # An administrator who ran it sees the technical reason too.
    type(world.user("kg.analyst")).objects.filter(username="kg.analyst").update(is_staff=True)
    assert "entities_x" in world.client("kg.analyst").get("/entities/review/").content.decode()
