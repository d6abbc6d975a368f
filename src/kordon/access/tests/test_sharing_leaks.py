"""The leak suite: every record kind x every way of reading x every relation to the owner.

All records are owned by the Kyrgyz BLO at Dostuk. The relations:
  same unit           kg.blo.dostuk
  same agency         kg.analyst
  partner, active     uz.blo.dustlik   (MOU KG DCS - UZ Customs, up to AMBER)
  partner, suspended  tj.blo.panj      (MOU with TJ DCA, suspended)
  partner, expired    kz.pcu.aktau     (MOU with KZ Customs, ended yesterday)
  partner, low ceiling tm.farap        (MOU with TM drug service, up to GREEN only)
  sharing-group member tm.port         (Turkmenbashi port unit, in the group, no agreement)
  outsider            kz.analyst       (an agency with no agreement)
  no unit             outsider
  node administrator  admin
  anonymous           (no log-in)
Each way of reading must give exactly the expected set; forbidden and missing look the same.
"""

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kordon.access.markings import Distribution, RecordKind, Tlp
from kordon.access.models import AgreementStatus, SharingAgreement, SharingGroup
from kordon.access.tokens import token_issue
from kordon.conftest import PASSWORD
from kordon.core.models import Agency, Membership, Unit, User
from kordon.entities.importing import watchlist_import
from kordon.entities.models import Watchlist
from kordon.exchange import notifications
from kordon.exchange.models import Alert, AlertRecipient, InformationRequest
from kordon.exchange.selectors import alert_list, request_list
from kordon.seizures.selectors import SeizureFilters, seizure_list, seizure_statistics
from kordon.targeting.models import Consignment, Inspection, RiskProfile

KINDS = [
    str(RecordKind.SEIZURES),
    str(RecordKind.ALERTS),
    str(RecordKind.REQUESTS),
    str(RecordKind.ENTITIES),
    str(RecordKind.CONSIGNMENTS),
]

PERSONAS = [
    "kg.blo.dostuk",
    "kg.analyst",
    "uz.blo.dustlik",
    "tj.blo.panj",
    "kz.pcu.aktau",
    "tm.farap",
    "tm.port",
    "kz.analyst",
    "outsider",
    "admin",
]
KG = {"kg.blo.dostuk", "kg.analyst", "admin"}
WITH_A_UNIT = set(PERSONAS) - {"outsider"}

SEIZURES = {
    "S-UNIT": (Distribution.UNIT, Tlp.AMBER, {"kg.blo.dostuk", "admin"}),
    "S-AGENCY": (Distribution.AGENCY, Tlp.AMBER, KG),
    "S-PARTNERS-AMBER": (Distribution.PARTNERS, Tlp.AMBER, KG | {"uz.blo.dustlik"}),
    "S-PARTNERS-GREEN": (Distribution.PARTNERS, Tlp.GREEN, KG | {"uz.blo.dustlik", "tm.farap"}),
    "S-PARTNERS-RED": (Distribution.PARTNERS, Tlp.RED, KG),
    "S-GROUP": (Distribution.GROUP, Tlp.AMBER, KG | {"tm.port"}),
    "S-ALL-GREEN": (Distribution.ALL, Tlp.GREEN, WITH_A_UNIT),
}
# name -> (recipient unit, TLP, who sees it); alerts go out with distribution "agency".
ALERTS = {
    "A-DUSTLIK": ("uz-customs-blo-dustlik", Tlp.AMBER, KG | {"uz.blo.dustlik"}),
    "A-DUSTLIK-RED": ("uz-customs-blo-dustlik", Tlp.RED, KG),
    "A-PANJ": ("tj-dca-blo-panj", Tlp.AMBER, KG),
    "A-FARAP-AMBER": ("tm-drug-farap", Tlp.AMBER, KG),
    "A-FARAP-GREEN": ("tm-drug-farap", Tlp.GREEN, KG | {"tm.farap"}),
    "A-AKTAU": ("kz-customs-pcu-aktau", Tlp.GREEN, KG),
}
REQUESTS = {
    "R-DUSTLIK": ("uz-customs-blo-dustlik", Tlp.AMBER, Distribution.AGENCY, KG | {"uz.blo.dustlik"}),
    "R-PANJ": ("tj-dca-blo-panj", Tlp.AMBER, Distribution.AGENCY, KG),
    # Within the agency, a RED request to the analysis unit only: the named recipient sees it.
    "R-ANALYSIS-RED": (
        "kg-dcs-analysis",
        Tlp.RED,
        Distribution.UNIT,
        {"kg.blo.dostuk", "kg.analyst", "admin"},
    ),
}


def _agreement(title: str, parties: list[str], ceiling: int, **fields: Any) -> SharingAgreement:
    agreement = SharingAgreement.objects.create(
        title=title,
        record_kinds=KINDS,
        tlp_ceiling=ceiling,
        valid_from=datetime.date(2012, 1, 1),
        status=fields.pop("status", AgreementStatus.ACTIVE),
        **fields,
    )
    agreement.parties.set(Agency.objects.filter(code__in=parties))
    return agreement


def _person(username: str, unit_code: str) -> None:
    user = User.objects.create(username=username, email=f"{username}@example.invalid")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role="officer")


@pytest.fixture
def shared(world: Any, make_seizure: Any) -> dict[str, Any]:
    """The agreements, the group and the records of the table above; name -> record."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    _agreement("KG-UZ", ["KG-DCS", "UZ-CUSTOMS"], Tlp.AMBER)
    _agreement("KG-TJ", ["KG-DCS", "TJ-DCA"], Tlp.AMBER, status=AgreementStatus.SUSPENDED)
    _agreement("KG-KZ", ["KG-DCS", "KZ-CUSTOMS"], Tlp.AMBER, valid_to=yesterday)
    _agreement("KG-TM", ["KG-DCS", "TM-DRUG"], Tlp.GREEN)
    group = SharingGroup.objects.create(name="Caspian ports")
    group.units.set(Unit.objects.filter(code="tm-customs-turkmenbashi"))
    _person("tm.farap", "tm-drug-farap")
    _person("tm.port", "tm-customs-turkmenbashi")
    records: dict[str, Any] = {}
    for name, (distribution, tlp, _who) in SEIZURES.items():
        records[name] = make_seizure(
            "kg-dcs-blo-dostuk",
            reference=f"LEAK-{name}",
            distribution=distribution,
            tlp=tlp,
            sharing_group_id=group.pk if distribution == Distribution.GROUP else None,
        )
    dostuk = Unit.objects.get(code="kg-dcs-blo-dostuk")
    sender = world.user("kg.blo.dostuk")
    today = timezone.localdate()
    for name, (recipient, tlp, _who) in ALERTS.items():
        alert = Alert.objects.create(
            owner_unit=dostuk, owner_agency_id=dostuk.agency_id, reference=f"LEAK-{name}", subject_kind="vehicle",
            title=f"Alert {name}", valid_from=today, valid_until=today, sent_by=sender, tlp=tlp,
            distribution=Distribution.AGENCY,
        )  # fmt: skip
        AlertRecipient.objects.create(alert=alert, unit=Unit.objects.get(code=recipient))
        records[name] = alert
    for name, (recipient, tlp, distribution, _who) in REQUESTS.items():
        records[name] = InformationRequest.objects.create(
            owner_unit=dostuk, owner_agency_id=dostuk.agency_id, reference=f"LEAK-{name}", subject=f"Request {name}",
            questions="?", to_unit=Unit.objects.get(code=recipient), deadline=today, sent_by=sender, tlp=tlp,
            distribution=distribution,
        )  # fmt: skip
    return records


def expected(table: dict[str, Any], username: str) -> set[str]:
    return {name for name, row in table.items() if username in row[-1]}


def names(records: dict[str, Any], pks: set[int], model: Any) -> set[str]:
    return {name for name, record in records.items() if isinstance(record, model) and record.pk in pks}


@pytest.mark.parametrize("username", PERSONAS)
def test_lists_and_searches(world: Any, shared: dict[str, Any], username: str) -> None:
    user = world.user(username)
    seizures = set(seizure_list(user=user, filters=SeizureFilters(q="leak-")).values_list("pk", flat=True))
    assert names(shared, seizures, type(shared["S-UNIT"])) == expected(SEIZURES, username)
    # A search for one hidden record's own reference finds nothing; the count says nothing either.
    for name in set(SEIZURES) - expected(SEIZURES, username):
        assert seizure_list(user=user, filters=SeizureFilters(q=f"leak-{name}")).count() == 0
    alerts = set(alert_list(user=user, box="all", q="LEAK-").values_list("pk", flat=True))
    assert names(shared, alerts, Alert) == expected(ALERTS, username)
    requests = set(request_list(user=user, box="all").values_list("pk", flat=True))
    assert names(shared, requests, InformationRequest) == expected(REQUESTS, username)


@pytest.mark.parametrize("username", PERSONAS)
def test_detail_pages_and_forbidden_looks_missing(world: Any, shared: dict[str, Any], username: str) -> None:
    client = world.client(username)
    urls = {
        **{name: f"/seizures/{shared[name].pk}/" for name in SEIZURES},
        **{name: f"/exchange/alerts/{shared[name].pk}/" for name in ALERTS},
        **{name: f"/exchange/requests/{shared[name].pk}/" for name in REQUESTS},
        **{name: f"/exchange/seizures/{shared[name].pk}/alerts/" for name in ("S-UNIT", "S-GROUP")},
    }
    visible = expected(SEIZURES, username) | expected(ALERTS, username) | expected(REQUESTS, username)
    for name, url in urls.items():
        assert client.get(url).status_code == (200 if name in visible else 404), (name, url)
    missing = client.get("/exchange/alerts/999999999/")
    hidden = [name for name in ALERTS if name not in visible]
    if hidden:
        assert client.get(urls[hidden[0]]).content == missing.content


@pytest.mark.parametrize("username", PERSONAS)
def test_api_lists_and_details(world: Any, shared: dict[str, Any], username: str) -> None:
    token = token_issue(request=None, username=username, password=PASSWORD, scopes=("read", "write"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = client.get("/api/v1/seizures", {"q": "LEAK-", "page_size": 200}).json()
    assert {row["reference"].removeprefix("LEAK-") for row in listed["results"]} == expected(
        SEIZURES, username
    )
    assert listed["count"] == len(expected(SEIZURES, username))
    alerts = client.get("/api/v1/alerts", {"box": "all"}).json()
    assert {row["reference"].removeprefix("LEAK-") for row in alerts} & set(ALERTS) == expected(
        ALERTS, username
    )
    rfis = client.get("/api/v1/rfis", {"box": "all"}).json()
    assert {row["reference"].removeprefix("LEAK-") for row in rfis} & set(REQUESTS) == expected(
        REQUESTS, username
    )
    for table, path in ((SEIZURES, "seizures"), (ALERTS, "alerts"), (REQUESTS, "rfis")):
        for name in table:
            status = client.get(f"/api/v1/{path}/{shared[name].pk}").status_code
            assert status == (200 if name in expected(table, username) else 404), name


@pytest.mark.parametrize("username", PERSONAS)
def test_exports_autocomplete_and_aggregates(world: Any, shared: dict[str, Any], username: str) -> None:
    client = world.client(username)
    body = b"".join(client.get("/seizures/export/csv/", {"q": "LEAK-"}).streaming_content).decode("utf-8-sig")
    exported = {row["reference"].removeprefix("LEAK-") for row in csv.DictReader(io.StringIO(body))}
    assert exported == expected(SEIZURES, username)
    page = client.get("/seizures/autocomplete/", {"q": "LEAK-S"}).content.decode()
    assert {name for name in SEIZURES if f">LEAK-{name} " in page} == expected(SEIZURES, username)
    token = token_issue(request=None, username=username, password=PASSWORD, scopes=("read", "write"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    suggested = api.get("/api/v1/seizures/autocomplete", {"q": "LEAK-S"}).json()
    assert {row["reference"].removeprefix("LEAK-") for row in suggested} == expected(SEIZURES, username)
    # The aggregate counts exactly the visible seizures (no statistics-only agreement here).
    statistics = seizure_statistics(user=world.user(username))
    assert sum(row["cases"] for row in statistics) == len(expected(SEIZURES, username))
    assert sum(row["cases"] for row in api.get("/api/v1/seizures/statistics").json()) == len(
        expected(SEIZURES, username)
    )


@pytest.mark.parametrize("username", PERSONAS)
def test_screening_uses_only_the_watchlists_one_may_see(
    world: Any, shared: dict[str, Any], username: str, tmp_path: Path
) -> None:
    """Watchlists carry the seizures' markings (same table): the same person is on every list,
    and a screening finds him only on the lists the persona may see."""
    people = tmp_path / "list.csv"
    people.write_text("id,name,birth_date,document_number\nP1,Султанов Алимбай,1975-03-12,AN1234567\n")
    officer = world.user("kg.blo.dostuk")
    lists = {}
    for name, (distribution, tlp, _who) in SEIZURES.items():
        result = watchlist_import(actor=officer, unit=world.unit("kg-dcs-blo-dostuk"), path=people, name=name)
        lists[name] = result.watchlist.pk
        Watchlist.objects.filter(pk=result.watchlist.pk).update(
            distribution=distribution,
            tlp=tlp,
            sharing_group=shared["S-GROUP"].sharing_group if distribution == Distribution.GROUP else None,
        )
    token = token_issue(request=None, username=username, password=PASSWORD, scopes=("read", "write"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    query = {"name": "SULTANOV ALIMBAI", "birth_date": "1975-03-12", "document_number": "AN1234567"}
    screened = api.post("/api/v1/screening/person", query, content_type="application/json").json()
    assert {match["watchlist"] for match in screened["matches"]} == expected(SEIZURES, username)
    assert {row["name"] for row in api.get("/api/v1/watchlists").json()} == expected(SEIZURES, username)
    page = world.client(username).post("/entities/screening/", query).content.decode()
    assert {name for name in SEIZURES if f">{name}<" in page} == expected(SEIZURES, username)
    client = world.client(username)
    listed = client.get("/entities/watchlists/").content.decode()
    assert {name for name in SEIZURES if f">{name}<" in listed} == expected(SEIZURES, username)
    upload = SimpleUploadedFile("people.csv", b"name,birth_date\nSULTANOV ALIMBAI,1975-03-12\n")
    response = world.client(username).post("/entities/screening/file/", {"file": upload})
    best = next(csv.DictReader(b"".join(response.streaming_content).decode().splitlines()))["best_watchlist"]
    assert best in expected(SEIZURES, username) if expected(SEIZURES, username) else best == ""
    exports = {
        name for name, pk in lists.items() if client.get(f"/entities/watchlists/{pk}/ftm/").status_code == 200
    }
    assert exports == expected(SEIZURES, username)


@pytest.mark.parametrize("username", PERSONAS)
def test_consignments_and_profiles_follow_the_same_markings(
    world: Any, shared: dict[str, Any], username: str
) -> None:
    """A consignment and a risk profile per row of the seizures' table, owned by Dostuk: the API,
    the worklist, the profiles page and the inspection form show exactly what the persona may see."""
    dostuk = world.unit("kg-dcs-blo-dostuk")
    day = datetime.date(2013, 6, 5)
    consignments = {}
    for name, (distribution, tlp, _who) in SEIZURES.items():
        group = shared["S-GROUP"].sharing_group if distribution == Distribution.GROUP else None
        markings = {
            "owner_unit": dostuk,
            "owner_agency_id": dostuk.agency_id,
            "distribution": distribution,
            "tlp": tlp,
            "sharing_group": group,
        }
        consignments[name] = Consignment.objects.create(
            declaration_id=f"LEAK-{name}", declared_on=day, office="DOSTUK", hs_code="291524", **markings
        )
        RiskProfile.objects.create(
            name=f"LEAK-{name}", conditions=[{"field": "hs_code", "op": "is", "value": ["1"]}],
            valid_from=day, created_by=world.user("kg.blo.dostuk"), **markings,
        )  # fmt: skip
    seen = expected(SEIZURES, username)
    token = token_issue(request=None, username=username, password=PASSWORD, scopes=("read", "write"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = {row["declaration_id"][5:] for row in api.get("/api/v1/consignments").json()["results"]}
    assert listed == seen
    assert {row["name"][5:] for row in api.get("/api/v1/profiles").json()} == seen
    client = world.client(username)
    worklist = client.get(f"/targeting/?day={day.isoformat()}").content.decode()
    assert {name for name in SEIZURES if f">LEAK-{name}<" in worklist} == seen
    profiles_page = client.get("/targeting/profiles/").content.decode()
    assert {name for name in SEIZURES if f">LEAK-{name}<" in profiles_page} == seen
    for name, consignment in consignments.items():
        answer = api.post(
            "/api/v1/inspections",
            {"consignment_id": consignment.pk, "outcome": "nothing", "inspected_on": day.isoformat()},
            content_type="application/json",
        )
        # Seeing is not changing: only the owner unit (and the administrator) records inspections.
        owner = username in {"kg.blo.dostuk", "admin"}
        assert answer.status_code == (404 if name not in seen else 201 if owner else 403)
    assert Inspection.objects.filter(consignment__owner_unit=dostuk).count() == (
        len(seen) if username in {"kg.blo.dostuk", "admin"} else 0
    )


def test_anonymous_cannot_screen(world: Any) -> None:
    response = Client().post("/api/v1/screening/person", {"name": "X"}, content_type="application/json")
    assert response.status_code == 401
    assert Client().get("/entities/screening/").status_code == 302


@pytest.mark.parametrize("name", sorted(ALERTS) + sorted(REQUESTS))
def test_notifications_reach_only_those_who_may_see(world: Any, shared: dict[str, Any], name: str) -> None:
    everyone = list(Unit.objects.values_list("pk", flat=True))
    notified = {user.username for user in notifications._recipients(shared[name], everyone)} & set(PERSONAS)
    table = ALERTS if name in ALERTS else REQUESTS
    assert notified == {user for user in table[name][-1] if user != "admin"}


def test_a_notification_carries_no_content(
    world: Any, shared: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    alert = shared["A-DUSTLIK"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.alert_sent(alert, [alert.recipients.get().unit_id])
    # Everyone at the BLO Dustlik, and nobody else.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "uz.blo.dustlik@demo.kordon.invalid",
        "uz.supervisor@demo.kordon.invalid",
    ]
    body = mail.outbox[0].body
    assert "LEAK-A-DUSTLIK" in body and f"/exchange/alerts/{alert.pk}/" in body
    assert alert.title not in body and alert.title not in mail.outbox[0].subject


def test_anonymous_sees_nothing(world: Any, shared: dict[str, Any]) -> None:
    anonymous = Client()
    for url in (
        "/exchange/",
        f"/exchange/alerts/{shared['A-DUSTLIK'].pk}/",
        "/seizures/autocomplete/?q=LEAK",
    ):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    for url in ("/api/v1/alerts", "/api/v1/rfis", "/api/v1/inbox", "/api/v1/seizures/autocomplete?q=LEAK"):
        assert anonymous.get(url).status_code == 401


def test_statistics_only_agreements_count_without_showing(world: Any, shared: dict[str, Any]) -> None:
    analyst = world.user("kz.analyst")
    before = sum(row["cases"] for row in seizure_statistics(user=analyst))
    _agreement("Statistics", ["KG-DCS", "KZ-MVD"], Tlp.GREEN, scope="statistics")
    analyst = world.user("kz.analyst")  # a new request: the scope is read afresh
    after = sum(row["cases"] for row in seizure_statistics(user=analyst))
    # Partners-or-all records up to GREEN: S-PARTNERS-GREEN joins S-ALL-GREEN in the counts ...
    assert (before, after) == (1, 2)
    # ... but no row of it can be read.
    listed = set(
        seizure_list(user=analyst, filters=SeizureFilters(q="leak-")).values_list("reference", flat=True)
    )
    assert listed == {"LEAK-S-ALL-GREEN"}
    assert world.client("kz.analyst").get(f"/seizures/{shared['S-PARTNERS-GREEN'].pk}/").status_code == 404


def test_suspending_the_agreement_stops_the_flow_at_once(world: Any, shared: dict[str, Any]) -> None:
    client = world.client("uz.blo.dustlik")
    url = f"/seizures/{shared['S-PARTNERS-AMBER'].pk}/"
    assert client.get(url).status_code == 200
    SharingAgreement.objects.filter(title="KG-UZ").update(status=AgreementStatus.SUSPENDED)
    assert client.get(url).status_code == 404
    assert client.get(f"/exchange/alerts/{shared['A-DUSTLIK'].pk}/").status_code == 404


def test_red_never_flows_under_an_agreement_even_with_a_red_ceiling(
    world: Any, shared: dict[str, Any]
) -> None:
    SharingAgreement.objects.filter(title="KG-UZ").update(tlp_ceiling=Tlp.RED)
    uz = world.user("uz.blo.dustlik")
    listed = set(seizure_list(user=uz, filters=SeizureFilters(q="leak-")).values_list("reference", flat=True))
    assert "LEAK-S-PARTNERS-RED" not in listed
    assert "LEAK-S-PARTNERS-AMBER" in listed
    # ... but a RED alert addressed to the BLO by name reaches it under that ceiling.
    assert set(alert_list(user=uz, box="all", q="LEAK-A-DUSTLIK").values_list("reference", flat=True)) == {
        "LEAK-A-DUSTLIK",
        "LEAK-A-DUSTLIK-RED",
    }


def test_the_admin_page_checks_agreements_by_the_apis_rules(world: Any) -> None:
    admin = world.client("admin")
    kg = Agency.objects.get(code="KG-DCS").pk
    form = {"title": "One party only", "parties": [kg], "record_kinds": ["seizures"], "tlp_ceiling": "1",
            "scope": "records", "valid_from": "2026-01-01", "status": "active"}  # fmt: skip
    refused = admin.post("/admin/access/sharingagreement/add/", form)
    assert refused.status_code == 200 and not SharingAgreement.objects.filter(title="One party only").exists()
    assert "at least two agencies" in refused.content.decode()
    form["parties"] = [kg, Agency.objects.get(code="UZ-CUSTOMS").pk]
    assert admin.post("/admin/access/sharingagreement/add/", form).status_code == 302
    saved = SharingAgreement.objects.get(title="One party only")
    assert saved.record_kinds == ["seizures"] and saved.parties.count() == 2
