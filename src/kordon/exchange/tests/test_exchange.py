"""The BLO exchange through its services, pages and API: alerts from send to outcome, requests
from send to answer, refusal and the overdue list, agreements that allow or stop the flow."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kordon.access.audit import verify_chain
from kordon.access.markings import Distribution, Tlp
from kordon.access.models import AgreementStatus, AuditEntry, SharingAgreement
from kordon.access.services import AgreementData, agreement_save, agreement_set_status
from kordon.access.tokens import token_issue
from kordon.conftest import PASSWORD
from kordon.core.models import Agency, Unit
from kordon.exchange import services
from kordon.exchange.models import Alert, AlertState, InformationRequest, RequestState
from kordon.exchange.selectors import alert_outcomes, attention_requests, inbox_counts


def today() -> datetime.date:
    """Today on the node's clock, read when a test runs: a date read at import goes stale when
    the suite crosses midnight, and the services then refuse it as in the past."""
    return timezone.localdate()


@pytest.fixture
def mou(world: Any) -> SharingAgreement:
    """The Dostuk-Dustlik MOU: seizures, alerts and requests up to AMBER."""
    return agreement_save(
        actor=world.user("admin"),
        data=AgreementData(
            title="MOU KG DCS - UZ Customs",
            parties=list(
                Agency.objects.filter(code__in=["KG-DCS", "UZ-CUSTOMS"]).values_list("pk", flat=True)
            ),
            record_kinds=["seizures", "alerts", "requests"],
            tlp_ceiling=Tlp.AMBER,
            valid_from=datetime.date(2012, 1, 1),
            status=AgreementStatus.ACTIVE,
        ),
    )


def unit(code: str) -> int:
    return int(Unit.objects.get(code=code).pk)


def send_truck_alert(world: Any, tlp: int = Tlp.AMBER) -> Alert:
    return services.alert_send(
        actor=world.user("kg.blo.dostuk"),
        sender_unit_id=unit("kg-dcs-blo-dostuk"),
        recipient_unit_ids=[unit("uz-customs-blo-dustlik")],
        data=services.AlertData(
            subject_kind="vehicle",
            title="Look out for truck 01KG123ABC, container MSKU1234565, heroin suspected",
            vehicle_plate="01 KG 123 ABC",
            container_number="MSKU 123456 5",
            valid_until=today() + datetime.timedelta(days=7),
            markings=services.Markings(tlp=tlp, distribution=Distribution.PARTNERS),
        ),
    )


def test_the_alert_round_trip(world: Any, mou: SharingAgreement, make_seizure: Any) -> None:
    alert = send_truck_alert(world)
    assert (alert.vehicle_plate, alert.container_number) == ("01KG123ABC", "MSKU1234565")
    assert alert.recipients.get().agreement == mou
    uz = world.user("uz.blo.dustlik")
    assert inbox_counts(uz).alerts == 1
    page = world.client("uz.blo.dustlik").get(f"/exchange/alerts/{alert.pk}/")
    assert page.status_code == 200 and b"01KG123ABC" in page.content
    assert inbox_counts(world.user("uz.blo.dustlik")).alerts == 0  # opened: read
    # Only a recipient acknowledges; the sender cannot.
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(actor=world.user("kg.blo.dostuk"), alert_id=alert.pk)
    services.alert_acknowledge(actor=uz, alert_id=alert.pk)
    seizure = make_seizure(
        "uz-customs-blo-dustlik",
        actor=uz,
        reference="UZ-2026-77",
        quantity="12.5",
        distribution=Distribution.PARTNERS,
        occurred_on=today(),
        country_id="UZ",
    )
    services.alert_link_seizure(actor=uz, alert_id=alert.pk, seizure_id=seizure.pk)
    alert.refresh_from_db()
    assert alert.state == AlertState.ACTED_ON
    # The sender sees the outcome and the seizure itself (shared with partners under the MOU).
    sender_page = world.client("kg.blo.dostuk").get(f"/exchange/alerts/{alert.pk}/").content.decode()
    assert "UZ-2026-77" in sender_page
    panel = world.client("kg.blo.dostuk").get(f"/exchange/seizures/{seizure.pk}/alerts/").content.decode()
    assert alert.reference in panel
    # And the figure "kg intercepted through cooperation" counts it, under the MOU.
    outcomes = alert_outcomes(user=world.user("kg.blo.dostuk"), date_from=today(), date_to=today())
    assert (outcomes.alert_seizures, outcomes.alert_kilograms) == (1, Decimal("12.5"))
    assert outcomes.rows[0].agreement == mou
    assert verify_chain().ok


def test_a_recipient_links_only_its_own_seizure(world: Any, mou: SharingAgreement, make_seizure: Any) -> None:
    alert = send_truck_alert(world)
    foreign = make_seizure("kg-dcs-blo-dostuk", distribution=Distribution.PARTNERS)
    with pytest.raises(ValidationError):
        services.alert_link_seizure(
            actor=world.user("uz.blo.dustlik"), alert_id=alert.pk, seizure_id=foreign.pk
        )


def test_no_agreement_no_alert(world: Any, mou: SharingAgreement) -> None:
    # Tajikistan has no agreement with the Kyrgyz service; RED is above the MOU's ceiling.
    with pytest.raises(ValidationError, match="No agreement"):
        services.alert_send(
            actor=world.user("kg.blo.dostuk"),
            sender_unit_id=unit("kg-dcs-blo-dostuk"),
            recipient_unit_ids=[unit("tj-dca-blo-panj")],
            data=services.AlertData(subject_kind="route", title="x", valid_until=today()),
        )
    with pytest.raises(ValidationError, match="No agreement"):
        send_truck_alert(world, tlp=Tlp.RED)
    assert not Alert.objects.exists()


def test_suspending_the_mou_stops_the_flow_that_second(world: Any, mou: SharingAgreement) -> None:
    alert = send_truck_alert(world)
    client = world.client("uz.blo.dustlik")
    assert client.get(f"/exchange/alerts/{alert.pk}/").status_code == 200
    agreement_set_status(actor=world.user("admin"), agreement_id=mou.pk, status=AgreementStatus.SUSPENDED)
    assert client.get(f"/exchange/alerts/{alert.pk}/").status_code == 404
    with pytest.raises(services.Alert.DoesNotExist):
        services.alert_acknowledge(actor=world.user("uz.blo.dustlik"), alert_id=alert.pk)
    with pytest.raises(ValidationError):
        send_truck_alert(world)
    # Only the node administrator manages agreements.
    with pytest.raises(PermissionDenied):
        agreement_set_status(
            actor=world.user("kg.supervisor"), agreement_id=mou.pk, status=AgreementStatus.ACTIVE
        )


def test_the_request_round_trip_and_the_overdue_list(world: Any, mou: SharingAgreement) -> None:
    uz, kg = world.user("uz.blo.dustlik"), world.user("kg.blo.dostuk")
    rfi = services.request_send(
        actor=uz,
        sender_unit_id=unit("uz-customs-blo-dustlik"),
        to_unit_id=unit("kg-dcs-blo-dostuk"),
        data=services.RequestData(subject="Owner of 01KG123ABC", questions="Who owns it?", deadline=today()),
    )
    assert rfi.agreement == mou and rfi.state == RequestState.SENT
    # Past the deadline without an answer: on both supervisors' lists, and only theirs.
    InformationRequest.objects.filter(pk=rfi.pk).update(deadline=today() - datetime.timedelta(days=1))
    for supervisor in ("kg.supervisor", "uz.supervisor"):
        assert [r.pk for r in attention_requests(user=world.user(supervisor))] == [rfi.pk]
        assert rfi.reference in world.client(supervisor).get("/exchange/requests/attention/").content.decode()
    assert world.client("kg.blo.dostuk").get("/exchange/requests/attention/").status_code == 403
    assert services.requests_remind_overdue() == 1
    assert services.requests_remind_overdue() == 0  # once a day
    with pytest.raises(PermissionDenied):
        services.request_answer(actor=uz, request_id=rfi.pk, text="answering my own request")
    services.request_answer(actor=kg, request_id=rfi.pk, text="Owned by OOO Osh Trans since 2011.")
    rfi.refresh_from_db()
    assert rfi.state == RequestState.ANSWERED and not rfi.is_overdue()
    assert attention_requests(user=world.user("kg.supervisor")).count() == 0
    services.request_close(actor=uz, request_id=rfi.pk)
    rfi.refresh_from_db()
    assert rfi.state == RequestState.CLOSED


def test_a_refusal_needs_a_reason_and_is_listed(world: Any, mou: SharingAgreement) -> None:
    rfi = services.request_send(
        actor=world.user("kg.blo.dostuk"),
        sender_unit_id=unit("kg-dcs-blo-dostuk"),
        to_unit_id=unit("uz-customs-blo-dustlik"),
        data=services.RequestData(subject="Bank accounts", questions="?", deadline=today()),
    )
    uz = world.user("uz.blo.dustlik")
    with pytest.raises(ValidationError):
        services.request_refuse(actor=uz, request_id=rfi.pk, reason="  ")
    services.request_refuse(actor=uz, request_id=rfi.pk, reason="Needs a prosecutor's request.")
    assert [r.pk for r in attention_requests(user=world.user("kg.supervisor"))] == [rfi.pk]


def test_markings_are_raised_by_editors_and_lowered_only_by_the_owner_unit(
    world: Any, make_seizure: Any
) -> None:
    from kordon.seizures.services import seizure_data_from, seizure_update

    seizure = make_seizure("kg-dcs-blo-dostuk", actor=world.user("kg.blo.dostuk"), tlp=Tlp.AMBER)
    admin = world.user("admin")
    raised = seizure_data_from(seizure)
    raised.tlp = Tlp.RED
    seizure_update(actor=admin, seizure_id=seizure.pk, data=raised)
    lowered = seizure_data_from(seizure)
    lowered.tlp = Tlp.GREEN
    with pytest.raises(PermissionDenied):
        seizure_update(actor=admin, seizure_id=seizure.pk, data=lowered)
    wider = seizure_data_from(seizure)
    wider.tlp, wider.distribution = Tlp.RED, Distribution.PARTNERS
    with pytest.raises(PermissionDenied):
        seizure_update(actor=admin, seizure_id=seizure.pk, data=wider)
    seizure_update(actor=world.user("kg.blo.dostuk"), seizure_id=seizure.pk, data=lowered)
    seizure.refresh_from_db()
    assert seizure.tlp == Tlp.GREEN


def test_partner_reads_are_audited_and_shown_to_the_owners_supervisor(
    world: Any, mou: SharingAgreement, make_seizure: Any
) -> None:
    seizure = make_seizure("kg-dcs-blo-dostuk", distribution=Distribution.PARTNERS, reference="KG-READ-1")
    assert world.client("uz.blo.dustlik").get(f"/seizures/{seizure.pk}/").status_code == 200
    line = AuditEntry.objects.filter(action="view", object_id=str(seizure.pk)).get()
    assert line.actor_unit.code == "uz-customs-blo-dustlik"
    assert line.object_owner_unit.code == "kg-dcs-blo-dostuk"
    page = world.client("kg.supervisor").get(f"/seizures/{seizure.pk}/").content.decode()
    assert "partner-views" in page and "uz.blo.dustlik" in page
    # The officer (no audit role) does not get the panel; the partner's supervisor sees the line too.
    assert (
        "partner-views" not in world.client("kg.blo.dostuk").get(f"/seizures/{seizure.pk}/").content.decode()
    )
    token = token_issue(request=None, username="uz.supervisor", password=PASSWORD, scopes=("read", "write"))
    lines = (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        .get("/api/v1/audit", {"object_type": "seizures.seizure", "object_id": str(seizure.pk)})
        .json()
    )
    assert [(row["action"], row["actor"]) for row in lines] == [("view", "uz.blo.dustlik")]


def test_attachments_follow_the_record(world: Any, mou: SharingAgreement) -> None:
    alert = send_truck_alert(world)
    services.attachment_add(
        actor=world.user("kg.blo.dostuk"),
        upload=SimpleUploadedFile("photo.jpg", b"jpeg bytes", content_type="image/jpeg"),
        alert_id=alert.pk,
    )
    token = alert.attachments.get().token
    download = world.client("uz.blo.dustlik").get(f"/exchange/files/{token}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"jpeg bytes"
    downloaded = AuditEntry.objects.filter(
        action="view", object_id=str(alert.pk), actor__username="uz.blo.dustlik"
    )
    assert [line.after for line in downloaded] == [{"attachment": "photo.jpg"}]
    assert world.client("tj.blo.panj").get(f"/exchange/files/{token}/").status_code == 404


def test_the_api_runs_the_alert_and_request_states(world: Any, mou: SharingAgreement) -> None:
    def api(username: str) -> Client:
        return Client(
            HTTP_AUTHORIZATION=f"Bearer {token_issue(request=None, username=username, password=PASSWORD, scopes=('read', 'write'))}"
        )

    kg, uz = api("kg.blo.dostuk"), api("uz.blo.dustlik")
    sent = kg.post(
        "/api/v1/alerts",
        {
            "from_unit": "kg-dcs-blo-dostuk",
            "to_units": ["uz-customs-blo-dustlik"],
            "subject_kind": "container",
            "title": "MSKU1234565",
            "container_number": "MSKU1234565",
            "valid_until": str(today()),
            "markings": {"tlp": "AMBER", "distribution": "partners"},
        },
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    alert_id = sent.json()["id"]
    assert uz.get("/api/v1/inbox").json()["unread_alerts"] == 1
    assert uz.post(f"/api/v1/alerts/{alert_id}/acknowledge").json()["state"] == "acknowledged"
    closed = uz.post(
        f"/api/v1/alerts/{alert_id}/outcome",
        {"state": "no_result", "note": "Nothing found"},
        content_type="application/json",
    )
    assert closed.json()["state"] == "no_result"
    assert kg.get(f"/api/v1/alerts/{alert_id}").json()["outcome_note"] == "Nothing found"
    refused = kg.post(
        "/api/v1/alerts",
        {"from_unit": "kg-dcs-blo-dostuk", "to_units": ["tj-dca-blo-panj"], "subject_kind": "route", "title": "x",
         "valid_until": str(today())},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 422 and "No agreement" in refused.content.decode()
    rfi = uz.post(
        "/api/v1/rfis",
        {"from_unit": "uz-customs-blo-dustlik", "to_unit": "kg-dcs-blo-dostuk", "subject": "Phone",
         "questions": "Subscriber?", "deadline": str(today())},
        content_type="application/json",
    ).json()  # fmt: skip
    answered = kg.post(
        f"/api/v1/rfis/{rfi['id']}/answer", {"text": "Unknown."}, content_type="application/json"
    )
    assert answered.json()["state"] == "answered" and answered.json()["answers"][0]["text"] == "Unknown."
    assert api("tj.blo.panj").get(f"/api/v1/rfis/{rfi['id']}").status_code == 404
    agreements = uz.get("/api/v1/agreements").json()
    assert [(row["title"], row["in_force"]) for row in agreements] == [("MOU KG DCS - UZ Customs", True)]
    assert api("tj.blo.panj").get("/api/v1/agreements").json() == []
    suspended = api("admin").post(
        f"/api/v1/agreements/{mou.pk}/status", {"status": "suspended"}, content_type="application/json"
    )
    assert suspended.json()["in_force"] is False
    assert uz.get(f"/api/v1/alerts/{alert_id}").status_code == 404
    assert (
        uz.post(
            f"/api/v1/agreements/{mou.pk}/status", {"status": "active"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_the_daily_job_expires_alerts_and_reminds_once(world: Any, mou: SharingAgreement) -> None:
    from io import StringIO

    from django.core.management import call_command

    alert = send_truck_alert(world)
    Alert.objects.filter(pk=alert.pk).update(valid_until=today() - datetime.timedelta(days=1))
    rfi = services.request_send(
        actor=world.user("uz.blo.dustlik"),
        sender_unit_id=unit("uz-customs-blo-dustlik"),
        to_unit_id=unit("kg-dcs-blo-dostuk"),
        data=services.RequestData(subject="Phone", questions="?", deadline=today()),
    )
    InformationRequest.objects.filter(pk=rfi.pk).update(deadline=today() - datetime.timedelta(days=2))
    out = StringIO()
    call_command("exchange", "daily", stdout=out)
    assert "Alerts expired: 1. Overdue requests reminded: 1." in out.getvalue()
    alert.refresh_from_db()
    assert alert.state == AlertState.EXPIRED
    call_command("exchange", "daily", stdout=out)
    assert out.getvalue().endswith("Alerts expired: 0. Overdue requests reminded: 0.\n")


def test_exchange_answers_follow_the_openapi_contract(world: Any, mou: SharingAgreement) -> None:
    import json as jsonlib

    from kordon.seizures.tests.test_api import conforms

    contract = jsonlib.loads(Client().get("/api/v1/openapi.json").content)

    def api(username: str) -> Client:
        return Client(
            HTTP_AUTHORIZATION=f"Bearer {token_issue(request=None, username=username, password=PASSWORD, scopes=('read', 'write'))}"
        )

    kg, uz = api("kg.blo.dostuk"), api("uz.blo.dustlik")
    alert = {"from_unit": "kg-dcs-blo-dostuk", "to_units": ["uz-customs-blo-dustlik"], "subject_kind": "person",
             "title": "Courier", "valid_until": str(today())}  # fmt: skip
    sent = conforms(
        contract, kg.post("/api/v1/alerts", alert, content_type="application/json"), "/api/v1/alerts", "post"
    )
    invalid = kg.post(
        "/api/v1/alerts", {**alert, "to_units": ["no-such-unit"]}, content_type="application/json"
    )
    assert invalid.status_code == 422
    conforms(contract, invalid, "/api/v1/alerts", "post")
    conforms(contract, uz.get(f"/api/v1/alerts/{sent['id']}"), "/api/v1/alerts/{alert_id}")
    conforms(
        contract,
        uz.post(f"/api/v1/alerts/{sent['id']}/acknowledge"),
        "/api/v1/alerts/{alert_id}/acknowledge",
        "post",
    )
    conforms(contract, uz.get("/api/v1/inbox"), "/api/v1/inbox")
    rfi = {"from_unit": "uz-customs-blo-dustlik", "to_unit": "kg-dcs-blo-dostuk", "subject": "s", "questions": "q",
           "deadline": str(today())}  # fmt: skip
    conforms(contract, uz.post("/api/v1/rfis", rfi, content_type="application/json"), "/api/v1/rfis", "post")
    conforms(contract, kg.get("/api/v1/rfis"), "/api/v1/rfis")
    conforms(contract, uz.get("/api/v1/agreements"), "/api/v1/agreements")
    conforms(contract, uz.get("/api/v1/sharing-groups"), "/api/v1/sharing-groups")
    conforms(contract, api("kg.supervisor").get("/api/v1/audit"), "/api/v1/audit")
    outcomes = uz.get("/api/v1/alert-outcomes", {"date_from": str(today()), "date_to": str(today())})
    conforms(contract, outcomes, "/api/v1/alert-outcomes")
    conforms(contract, uz.get("/api/v1/seizures/statistics"), "/api/v1/seizures/statistics")
