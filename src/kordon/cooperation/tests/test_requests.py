"""Cooperation requests: the states the conventions allow, refusals with their ground, overdue
requests, the dashboard's figures and the files; through the services, the pages and the API."""

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.test import Client, override_settings
from openpyxl import load_workbook

from kordon.access.models import AuditEntry
from kordon.cooperation import selectors, services
from kordon.cooperation.models import CooperationRequest, RequestEvent
from kordon.entities.tests.test_watchlists import bearer

UNIT = "uz-gp-mla"


def outgoing(world: Any, reference: str = "UZ-1", **changes: Any) -> CooperationRequest:
    values: dict[str, Any] = {
        "reference": reference,
        "direction": "outgoing",
        "requesting_country_id": "UZ",
        "requested_country_id": "LV",
        "requesting_authority": "Генеральная прокуратура",
        "legal_basis": "untoc_18",
        "offences": "Laundering of drug money",
        "measures": ["bank_records", "freezing"],
    }
    data = services.RequestData(**(values | changes))
    return services.request_create(actor=world.user("uz.prosecutor"), unit=world.unit(UNIT), data=data)


def test_a_request_moves_only_as_the_conventions_allow(world: Any) -> None:
    prosecutor = world.user("uz.prosecutor")
    request = outgoing(world)
    assert request.status == "draft" and request.opened_on is None
    with pytest.raises(ValidationError, match="cannot become"):
        services.request_transition(
            actor=prosecutor, request_id=request.pk, status="executed", on=datetime.date(2013, 3, 1)
        )
    sent = services.request_transition(
        actor=prosecutor, request_id=request.pk, status="sent", on=datetime.date(2013, 2, 11)
    )
    assert sent.opened_on == datetime.date(2013, 2, 11)
    with pytest.raises(ValidationError, match="between"):  # before it left
        services.request_transition(
            actor=prosecutor, request_id=request.pk, status="in_execution", on=datetime.date(2013, 1, 1)
        )
    services.request_transition(
        actor=prosecutor, request_id=request.pk, status="in_execution", on=datetime.date(2013, 3, 1)
    )
    with pytest.raises(ValidationError) as refused:
        services.request_transition(
            actor=prosecutor, request_id=request.pk, status="refused", on=datetime.date(2013, 5, 1)
        )
    assert "refusal_ground" in refused.value.message_dict
    done = services.request_transition(
        actor=prosecutor,
        request_id=request.pk,
        status="partially_executed",
        on=datetime.date(2013, 6, 30),
        note="Bank records came; no freezing.",
    )
    assert done.answered_on == datetime.date(2013, 6, 30)
    services.request_transition(
        actor=prosecutor, request_id=request.pk, status="executed", on=datetime.date(2013, 9, 1)
    )
    final = CooperationRequest.objects.get(pk=request.pk)
    assert final.status == "executed" and final.answered_on == datetime.date(
        2013, 6, 30
    )  # the first answer counts
    with pytest.raises(ValidationError):  # executed is final
        services.request_transition(
            actor=prosecutor, request_id=request.pk, status="withdrawn", on=datetime.date(2013, 9, 2)
        )
    assert list(RequestEvent.objects.filter(request=request).order_by("id").values_list("status", flat=True)) == [
        "draft", "sent", "in_execution", "partially_executed", "executed",
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="transition", object_id=str(request.pk)).count() == 4
    # Another agency's officer may not touch it: it is not there for them.
    with pytest.raises(ObjectDoesNotExist):
        services.request_transition(
            actor=world.user("kg.blo.dostuk"),
            request_id=request.pk,
            status="withdrawn",
            on=datetime.date(2013, 9, 2),
        )


def test_incoming_requests_start_received_and_bad_ones_are_refused_clearly(world: Any) -> None:
    prosecutor, unit = world.user("uz.prosecutor"), world.unit(UNIT)
    incoming = services.request_create(
        actor=prosecutor,
        unit=unit,
        data=services.RequestData(
            reference="KZ-IN-1", direction="incoming", requesting_country_id="KZ", requested_country_id="UZ",
            requesting_authority="Генеральная прокуратура РК", legal_basis="treaty", treaty="Minsk Convention 1993",
            offences="Drug trafficking", measures=["evidence"], received_on=datetime.date(2013, 3, 5),
        ),
    )  # fmt: skip
    assert incoming.status == "received" and incoming.opened_on == datetime.date(2013, 3, 5)
    with pytest.raises(ValidationError, match="cannot become"):  # only an outgoing request is sent
        services.request_transition(
            actor=prosecutor, request_id=incoming.pk, status="sent", on=datetime.date(2013, 3, 6)
        )
    with pytest.raises(ValidationError) as wrong:
        outgoing(world, "UZ-2", legal_basis="treaty")  # no treaty named
    assert "treaty" in wrong.value.message_dict
    with pytest.raises(ValidationError) as wrong:
        services.request_create(
            actor=prosecutor,
            unit=unit,
            data=services.RequestData("UZ-3", "outgoing", "KZ", "LV", "x", "untoc_18", "x", ["evidence"]),
        )
    assert "requesting_country" in wrong.value.message_dict  # our own state asks
    with pytest.raises(ValidationError) as wrong:
        services.request_create(
            actor=prosecutor,
            unit=unit,
            data=services.RequestData(
                "UZ-5",
                "incoming",
                "KZ",
                "UZ",
                "x",
                "untoc_18",
                "x",
                ["evidence"],
                received_on=datetime.date(9999, 12, 31),
            ),
        )
    assert "received_on" in wrong.value.message_dict
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=world.user("kg.blo.dostuk"),
            unit=unit,
            data=services.RequestData("UZ-4", "outgoing", "UZ", "LV", "x", "untoc_18", "x", ["evidence"]),
        )


@override_settings(KORDON_COOPERATION_ANSWER_DAYS=90)
def test_overdue_requests_and_the_dashboard(world: Any) -> None:
    prosecutor = world.user("uz.prosecutor")
    with_deadline = outgoing(world, "UZ-10", deadline=datetime.date(2013, 4, 1))
    without = outgoing(world, "UZ-11")
    refused = outgoing(world, "UZ-12")
    for request in (with_deadline, without, refused):
        services.request_transition(
            actor=prosecutor, request_id=request.pk, status="sent", on=datetime.date(2013, 2, 1)
        )
    services.request_transition(
        actor=prosecutor,
        request_id=refused.pk,
        status="refused",
        on=datetime.date(2013, 3, 3),
        refusal_ground="Bank secrecy",
    )
    services.asset_record(
        actor=prosecutor,
        request_id=with_deadline.pk,
        description="Account",
        stage="frozen",
        amount=Decimal("1000.50"),
        currency="eur",
        on=datetime.date(2013, 3, 1),
    )
    day = datetime.date(2013, 4, 15)  # the deadline has passed; 90 days since sending have not
    board = selectors.dashboard(prosecutor, day)
    assert [r.reference for r in board.overdue] == ["UZ-10"]
    assert board.open == 2 and board.unsatisfied == 1 and board.by_status == {"sent": 2, "refused": 1}
    assert board.median_days == 30.0 and board.answered == 1  # 1 Feb → 3 Mar
    assert board.assets == {"frozen": {"EUR": Decimal("1000.50")}}
    latvia = next(row for row in board.by_country if row.country == "Latvia")
    assert (latvia.open, latvia.overdue, latvia.refused) == (2, 1, 1)
    later = selectors.dashboard(prosecutor, datetime.date(2013, 5, 3))  # 91 days after sending
    assert {r.reference for r in later.overdue} == {"UZ-10", "UZ-11"}
    assert selectors.dashboard(world.user("kg.analyst"), day).total == 0
    services.request_remind(
        actor=prosecutor, request_id=without.pk, on=datetime.date(2013, 5, 3), note="By e-mail"
    )
    assert CooperationRequest.objects.get(pk=without.pk).last_reminder_on == datetime.date(2013, 5, 3)


def test_the_pages_files_and_api(world: Any) -> None:
    prosecutor = world.user("uz.prosecutor")
    request = outgoing(world, "UZ-20")
    services.request_transition(
        actor=prosecutor, request_id=request.pk, status="sent", on=datetime.date(2013, 2, 1)
    )
    client = world.client("uz.prosecutor")
    page = client.get("/cooperation/").content.decode()
    assert "UZ-20" in page and 'id="overdue-count">1<' in page
    detail = client.get(f"/cooperation/requests/{request.pk}/")
    assert (
        detail.status_code == 200
        and AuditEntry.objects.filter(action="view", object_id=str(request.pk)).exists()
    )
    moved = client.post(
        f"/cooperation/requests/{request.pk}/transition",
        {"status": "refused", "on": "2013-04-01", "refusal_ground": ""},
    )
    assert moved.status_code == 302 and CooperationRequest.objects.get(pk=request.pk).status == "sent"
    sheet = load_workbook(io.BytesIO(client.get("/cooperation/requests.xlsx").content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)][1:] == ["UZ-20"]
    printed = client.get("/cooperation/requests/print/").content.decode()
    assert "UZ-20" in printed
    assert client.get("/cooperation/requests.pdf").status_code == 404
    assert world.client("kg.blo.dostuk").get(f"/cooperation/requests/{request.pk}/").status_code == 404

    api = Client(headers=bearer("uz.prosecutor"))
    created = api.post(
        "/api/v1/cooperation-requests",
        data=json.dumps({
            "owner_unit": UNIT, "reference": "API-1", "direction": "incoming", "requesting_country": "KZ",
            "requested_country": "UZ", "requesting_authority": "Prosecutor General", "legal_basis": "reciprocity",
            "offences": "Trafficking", "measures": ["evidence"], "received_on": "2013-05-05",
        }),
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["status"] == "received"
    wrong = api.post(
        f"/api/v1/cooperation-requests/{created.json()['id']}/transition",
        data=json.dumps({"status": "executed", "on": "2013-06-01"}),
        content_type="application/json",
    )
    assert wrong.status_code == 422
    board = api.get("/api/v1/cooperation-dashboard").json()
    assert board["total"] == 2 and board["by_status"] == {"sent": 1, "received": 1}
    assert Client(headers=bearer("kg.blo.dostuk")).get("/api/v1/cooperation-requests").json() == []
