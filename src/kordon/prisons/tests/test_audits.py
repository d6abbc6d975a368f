"""An audit from plan to report: answers checked against the framework's expressions, kept
one by one; submission scored; recommendations answered by the facility, overdue ones listed;
the report in Russian and English; incidents with drugs in the seizure registry; the
evaluation of two periods. Through the services, the pages and the API, each write audited."""

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pypdfium2
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from kordon.access.models import AuditEntry
from kordon.entities.tests.test_watchlists import bearer
from kordon.prisons import selectors, services
from kordon.prisons.models import Answer, Audit, Contraband, EvidenceFile, Facility, Incident, Recommendation
from kordon.seizures.models import Seizure, Substance

HQ, COLONY = "kg-prison-hq", "kg-prison-ik47"
DAY = datetime.date(2013, 10, 22)


@pytest.fixture
def audit(world: Any) -> Audit:
    auditor, unit = world.user("kg.prison.auditor"), world.unit(HQ)
    services.framework_import_default(actor=auditor, unit=unit)
    facility = services.facility_save(
        actor=world.user("kg.ik47"),
        unit=world.unit(COLONY),
        data=services.FacilityData(
            "IK-47", "Исправительная колония № 47", "repeat_offenders", "high", 1100, 1240, DAY
        ),
    )
    return services.audit_plan(actor=auditor, unit=unit, facility=facility, planned_on=DAY)


def answer_all(auditor: Any, audit: Audit, value: str = "yes", **special: str) -> None:
    answers = [
        services.AnswerData(item.name, special.get(item.name, value))
        for item in audit.framework.items.filter(kind="compliance")
    ]
    saved = services.answers_save(actor=auditor, audit_id=audit.pk, answers=answers)
    assert not saved.problems


def test_answers_are_checked_one_by_one_and_the_good_ones_kept(world: Any, audit: Audit) -> None:
    auditor = world.user("kg.prison.auditor")
    result = services.answers_save(
        actor=auditor,
        audit_id=audit.pk,
        answers=[
            services.AnswerData("p_cctv_01", "partial", "Камеры на вышках 3 и 4 не работают."),
            services.AnswerData("p_cctv_01_total", "48"),
            services.AnswerData("p_cctv_01_working", "52"),  # more than installed: the constraint fails
            services.AnswerData("p_cel_02", "maybe"),  # not a compliance answer
            services.AnswerData("d_trn_01_trained_pct", "sixty"),  # not a number
            services.AnswerData("no_such_question", "yes"),
        ],
        language="ru",
    )
    assert result.saved == ["p_cctv_01", "p_cctv_01_total"]
    assert set(result.problems) == {
        "p_cctv_01_working",
        "p_cel_02",
        "d_trn_01_trained_pct",
        "no_such_question",
    }
    working = audit.framework.items.get(name="p_cctv_01_working")
    assert result.problems["p_cctv_01_working"] == working.constraint_messages["ru"]
    assert dict(Answer.objects.filter(audit=audit).values_list("item__name", "value")) == {
        "p_cctv_01": "partial",
        "p_cctv_01_total": "48",
    }
    assert Audit.objects.get(pk=audit.pk).status == "in_progress"
    line = AuditEntry.objects.filter(action="update", object_type="prisons.audit").latest("seq")
    assert line.after["answers"] == {"p_cctv_01": "partial", "p_cctv_01_total": "48"}

    # The same value within the constraint is taken; a follow-up that is no longer asked is dropped.
    services.answers_save(
        actor=auditor, audit_id=audit.pk, answers=[services.AnswerData("p_cctv_01_working", "40")]
    )
    assert Answer.objects.get(audit=audit, item__name="p_cctv_01_working").value == "40"
    services.answers_save(
        actor=auditor,
        audit_id=audit.pk,
        answers=[services.AnswerData("p_cctv_01", "na"), services.AnswerData("p_cctv_01_total", "48")],
    )
    assert not Answer.objects.filter(audit=audit, item__name="p_cctv_01_total").exists()


def test_submission_needs_every_required_answer_then_scores_and_closes_the_checklist(
    world: Any, audit: Audit
) -> None:
    auditor = world.user("kg.prison.auditor")
    services.answers_save(actor=auditor, audit_id=audit.pk, answers=[services.AnswerData("p_per_01", "yes")])
    with pytest.raises(ValidationError, match="P-PER-02"):
        services.audit_submit(actor=auditor, audit_id=audit.pk)
    answer_all(auditor, audit, p_per_01="no", r_key_01="partial", d_stf_03="na")
    submitted = services.audit_submit(actor=auditor, audit_id=audit.pk)
    assert submitted.status == "submitted" and submitted.scores["critical_fail"] is True
    assert submitted.scores["rating"] == "red" and submitted.scores["applicable"] == 39
    assert submitted.scores["components"]["dynamic"] == 100.0
    assert submitted.scores["components"]["physical"] < 100.0
    assert [gap.name for gap, _item in services.audit_gaps(submitted)] == ["p_per_01", "r_key_01"]
    with pytest.raises(ValidationError):
        services.answers_save(
            actor=auditor, audit_id=audit.pk, answers=[services.AnswerData("p_per_01", "yes")]
        )
    assert Answer.objects.get(audit=audit, item__name="p_per_01").value == "no"
    # Reviewing is a supervisor's: the auditor (an officer) is refused as if the audit were not there.
    with pytest.raises(ObjectDoesNotExist):
        services.audit_review(actor=auditor, audit_id=audit.pk, summary="ok")
    reviewed = services.audit_review(
        actor=world.user("kg.prison.head"), audit_id=audit.pk, summary="Периметр — срочно."
    )
    assert reviewed.status == "reviewed" and reviewed.reviewed_by.username == "kg.prison.head"
    assert AuditEntry.objects.filter(action="submit", object_id=str(audit.pk)).exists()


def test_recommendations_are_answered_by_the_facility_and_overdue_ones_show(world: Any, audit: Audit) -> None:
    auditor, colony, analyst = (
        world.user("kg.prison.auditor"),
        world.user("kg.ik47"),
        world.user("kg.analyst"),
    )
    answer_all(auditor, audit, p_per_01="no")
    with pytest.raises(ValidationError):  # recommendations follow the submitted audit's gaps
        services.recommendation_add(
            actor=auditor, audit_id=audit.pk, data=services.RecommendationData("x", "30d", "y", DAY)
        )
    services.audit_submit(actor=auditor, audit_id=audit.pk)
    overdue_one = services.recommendation_add(
        actor=auditor,
        audit_id=audit.pk,
        data=services.RecommendationData(
            "Восстановить ограждение на участке 4",
            "immediate",
            "Зам. начальника по режиму",
            DAY,
            item="p_per_01",
        ),
    )
    later = services.recommendation_add(
        actor=auditor,
        audit_id=audit.pk,
        data=services.RecommendationData(
            "Обучить смену", "90d", "Отдел кадров", DAY + datetime.timedelta(days=3650)
        ),
    )
    with pytest.raises(ValidationError):
        services.recommendation_respond(
            actor=colony, recommendation_id=later.pk, status="rejected", response=" "
        )
    services.recommendation_respond(
        actor=colony, recommendation_id=later.pk, status="rejected", response="Нет бюджета."
    )
    with pytest.raises(ObjectDoesNotExist):  # the drug-control analyst does not see the audit at all
        services.recommendation_respond(
            actor=analyst, recommendation_id=overdue_one.pk, status="done", response=""
        )
    today = timezone.localdate()
    assert list(selectors.overdue(auditor, today)) == [overdue_one]
    assert list(selectors.overdue(colony, today)) == [overdue_one]
    assert list(selectors.overdue(analyst, today)) == []
    services.recommendation_respond(
        actor=colony, recommendation_id=overdue_one.pk, status="done", response="Сделано."
    )
    assert list(selectors.overdue(auditor, today)) == []
    assert Recommendation.objects.get(pk=later.pk).status == "rejected"
    assert AuditEntry.objects.filter(action="respond", object_type="prisons.recommendation").count() == 2


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(document[index].get_textpage().get_text_range() for index in range(len(document)))


def test_the_pages_and_the_report_in_russian_and_english(world: Any, audit: Audit) -> None:
    auditor = world.user("kg.prison.auditor")
    client = world.client("kg.prison.auditor")
    answer_all(auditor, audit, d_act_01="partial")
    page = client.get(f"/prisons/audits/{audit.pk}/checklist/")
    assert page.status_code == 200 and "P-PER-01" in page.content.decode()
    assert page["Cache-Control"] == "no-cache, private"
    sent = client.post(
        f"/prisons/audits/{audit.pk}/answers",
        data=json.dumps(
            {
                "answers": [{"item": "p_per_01", "value": "no", "finding": "Пролом у вышки 4."}],
                "evidence": [
                    {
                        "key": "photo-1",
                        "item": "p_per_01",
                        "name": "wall.jpg",
                        "type": "image/jpeg",
                        "data": "data:image/jpeg;base64,/9j/4AAQ",
                    }
                ],
            }
        ),
        content_type="application/json",
    )
    assert sent.status_code == 200 and sent.json() == {
        "saved": ["p_per_01"],
        "problems": {},
        "evidence": ["photo-1"],
    }
    # The tablet sends the same photo again after a dropped connection: it is stored once.
    client.post(
        f"/prisons/audits/{audit.pk}/answers",
        data=json.dumps(
            {"answers": [], "evidence": [{"key": "photo-1", "item": "p_per_01", "data": "/9j/4AAQ"}]}
        ),
        content_type="application/json",
    )
    assert EvidenceFile.objects.filter(audit=audit).count() == 1
    photo = EvidenceFile.objects.get(audit=audit)
    shown = client.get(f"/prisons/evidence/{photo.pk}")
    assert shown["Content-Type"] == "image/jpeg" and shown["Content-Security-Policy"] == "sandbox"
    EvidenceFile.objects.filter(pk=photo.pk).update(content_type="text/html")
    assert client.get(f"/prisons/evidence/{photo.pk}")["Content-Type"] == "application/octet-stream"
    assert (
        client.post(
            f"/prisons/audits/{audit.pk}/answers", data="{", content_type="application/json"
        ).status_code
        == 400
    )
    assert client.post(f"/prisons/audits/{audit.pk}/submit").status_code == 302
    closed = client.post(
        f"/prisons/audits/{audit.pk}/answers",
        data=json.dumps({"answers": [{"item": "p_per_01", "value": "yes"}]}),
        content_type="application/json",
    )
    assert closed.status_code == 409
    detail = client.get(f"/prisons/audits/{audit.pk}/").content.decode()
    assert "P-PER-01" in detail and "D-ACT-01" in detail
    russian = pdf_text(client.get(f"/prisons/audits/{audit.pk}/report.pdf?language=ru").content)
    english = pdf_text(client.get(f"/prisons/audits/{audit.pk}/report.pdf?language=en").content)
    assert "Исправительная колония № 47" in russian and "Пролом у вышки 4." in russian
    assert "P-PER-01" in russian and "не соответствует" in russian
    assert "Security audit report" in english and "not compliant" in english
    assert AuditEntry.objects.filter(action="export", object_id=str(audit.pk)).count() == 2
    # An outsider to the prison service gets 404 everywhere.
    outsider = world.client("kg.blo.dostuk")
    for url in ("/", "checklist/", "report.pdf"):
        assert outsider.get(f"/prisons/audits/{audit.pk}/{url}".replace("//", "/")).status_code == 404
    facilities = client.get("/prisons/").content.decode()
    assert "Исправительная колония № 47" in facilities and f"/prisons/audits/{audit.pk}/" in facilities


def test_an_incident_with_drugs_goes_to_the_seizure_registry(world: Any) -> None:
    auditor, unit = world.user("kg.prison.auditor"), world.unit(HQ)
    facility = services.facility_save(
        actor=auditor,
        unit=unit,
        data=services.FacilityData("IK-1", "ИК-1", "first_offenders", "medium", 1200, 1034, DAY),
    )
    heroin = Substance.objects.get(name="Heroin")
    incident = services.incident_create(
        actor=auditor,
        unit=unit,
        data=services.IncidentData(
            facility_id=facility.pk,
            reference="ИНЦ-2013-900",
            kind="contraband_introduced",
            occurred_at=timezone.make_aware(datetime.datetime(2013, 6, 19, 23, 40)),
            description="Свёрток переброшен через ограждение.",
            detected_through="joint_operation",
            persons=[services.PersonData("prisoner", "Исаков Т.", identifier="4411")],
            contraband=[
                services.ContrabandData(
                    "drugs",
                    Decimal("250"),
                    "g",
                    substance_id=heroin.pk,
                    route="throw_over",
                    record_seizure=True,
                ),
                services.ContrabandData("phones", Decimal("3"), "pieces", route="throw_over"),
            ],
            distribution=2,
        ),
    )
    assert incident.drug_related and incident.persons_involved == 1
    drugs = Contraband.objects.get(incident=incident, kind="drugs")
    seizure = Seizure.objects.get(pk=drugs.seizure_id)
    assert seizure.reference == "ИНЦ-2013-900-1" and seizure.owner_unit_id == unit.pk
    assert seizure.items.get().quantity == Decimal("250") and seizure.distribution == 2
    assert Contraband.objects.get(incident=incident, kind="phones").seizure_id is None
    with pytest.raises(ValidationError):  # the reference is taken
        services.incident_create(
            actor=auditor,
            unit=unit,
            data=services.IncidentData(facility.pk, "ИНЦ-2013-900", "fire", timezone.now(), "Пожар."),
        )
    with pytest.raises(PermissionDenied):  # not a unit of the drug-control officer
        services.incident_create(
            actor=world.user("kg.blo.dostuk"),
            unit=unit,
            data=services.IncidentData(facility.pk, "X-1", "fire", timezone.now(), "Пожар."),
        )
    assert Incident.objects.count() == 1 and Seizure.objects.filter(reference__startswith="ИНЦ").count() == 1


def test_the_api_runs_an_audit_and_registers_an_incident(world: Any, audit: Audit) -> None:
    from django.test import Client

    api = Client(headers=bearer("kg.prison.auditor"))
    facilities = api.get("/api/v1/facilities").json()
    assert [f["code"] for f in facilities] == ["IK-47"] and facilities[0]["occupancy_percent"] == 112.7
    answers = [
        {"item": item.name, "value": "yes"} for item in audit.framework.items.filter(kind="compliance")
    ]
    answers[0]["value"] = "no"
    put = api.put(
        f"/api/v1/audits/{audit.pk}/answers",
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )
    assert put.status_code == 200 and len(put.json()["saved"]) == 40
    submitted = api.post(f"/api/v1/audits/{audit.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["scores"]["rating"] == "red"
    detail = api.get(f"/api/v1/audits/{audit.pk}").json()
    assert detail["gaps"] == [
        {"item": "p_per_01", "component": "physical", "criticality": "critical", "answer": "no"}
    ]
    again = api.post(f"/api/v1/audits/{audit.pk}/submit")
    assert again.status_code == 409
    created = api.post(
        "/api/v1/incidents",
        data=json.dumps(
            {
                "owner_unit": HQ,
                "facility_id": audit.facility_id,
                "reference": "API-1",
                "kind": "hunger_strike",
                "occurred_at": "2013-05-02T10:00:00+06:00",
                "description": "Отказ от пищи.",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["drug_related"] is False
    assert api.get("/api/v1/incidents?year=2013").json()[0]["reference"] == "API-1"
    framework = api.get("/api/v1/frameworks").json()[0]
    assert framework["version"] == 1 and len(framework["items"]) == 49
    outsider = Client(headers=bearer("uz.blo.dustlik"))
    assert outsider.get("/api/v1/facilities").json() == []
    assert outsider.get(f"/api/v1/audits/{audit.pk}").status_code == 404
    assert (
        outsider.put(
            f"/api/v1/audits/{audit.pk}/answers",
            data=json.dumps({"answers": answers}),
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_evaluation_compares_two_periods_and_exports_them(world: Any) -> None:
    from kordon.access.demo import build_sharing
    from kordon.prisons.demo import build_prisons

    build_sharing()
    build_prisons()
    auditor = world.user("kg.prison.auditor")
    first = selectors.period_figures(auditor, datetime.date(2012, 1, 1), datetime.date(2012, 9, 30))
    second = selectors.period_figures(auditor, datetime.date(2013, 1, 1), datetime.date(2013, 9, 30))
    assert second.operations == 1 and second.officers == 1012 and first.operations == 0
    finds = Contraband.objects.filter(
        kind="drugs",
        incident__occurred_at__date__range=(datetime.date(2013, 1, 1), datetime.date(2013, 9, 30)),
    )
    assert second.drug_finds == finds.count()
    assert second.drugs_kg == sum(c.quantity for c in finds) / 1000
    joint = finds.filter(incident__detected_through__in=["interagency", "joint_operation"])
    assert second.drugs_kg_interagency == sum(c.quantity for c in joint) / 1000
    client = world.client("kg.prison.auditor")
    query = "first_from=2012-01-01&first_to=2012-09-30&second_from=2013-01-01&second_to=2013-09-30"
    page = client.get(f"/prisons/operations/evaluation/?{query}").content.decode()
    assert '<td class="text-end">1,012</td>' in page
    workbook = load_workbook(
        io.BytesIO(client.get(f"/prisons/operations/evaluation/?{query}&format=xlsx").content)
    )
    rows = {row[0]: row[1:] for row in workbook.active.iter_rows(values_only=True)}
    assert rows["Officers deployed"][:2] == (0, 1012)
    assert rows["Drugs found, kg"][1] == pytest.approx(float(second.drugs_kg))
    csv_text = client.get(f"/prisons/operations/evaluation/?{query}&format=csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == 'Measure,01.01.2012–30.09.2012,01.01.2013–30.09.2013,"change, %"'
    assert AuditEntry.objects.filter(action="export", object_type="prisons.evaluation").count() == 2
    assert (
        client.get(
            "/prisons/operations/evaluation/?first_from=2013-01-01&first_to=2012-01-01&second_from=x"
        ).status_code
        == 400
    )
    # Side by side, each facility's incidents are those of the year before its latest audit.
    for row in selectors.comparison(auditor, datetime.date(2026, 1, 1)):
        assert row.audit is not None and row.audit.planned_on.year == 2013
        start = row.audit.planned_on - datetime.timedelta(days=365)
        expected = [
            i for i in Incident.objects.filter(facility=row.facility)
            if start < timezone.localtime(i.occurred_at).date() <= row.audit.planned_on
        ]  # fmt: skip
        assert row.incidents == len(expected)
    assert sum(row.incidents for row in selectors.comparison(auditor, datetime.date(2026, 1, 1))) > 10
    # Seven facilities, eight scored audits (a 2012 baseline for colony 47), incidents since 2009.
    assert Facility.objects.count() == 7 and Audit.objects.filter(status="reviewed").count() == 8
    assert Incident.objects.order_by("occurred_at").first().occurred_at.year == 2009
    assert Incident.objects.filter(kind="escape").count() == 4


def test_the_incident_form_links_a_recorded_seizure_or_says_it_is_unknown(
    world: Any, make_seizure: Any
) -> None:
    auditor, unit = world.user("kg.prison.auditor"), world.unit(HQ)
    facility = services.facility_save(
        actor=auditor,
        unit=unit,
        data=services.FacilityData("IK-1", "ИК-1", "first_offenders", "medium", 1200, 1034, DAY),
    )
    seizure = make_seizure("kg-prison-hq", reference="ГСИН-2013-7")
    client = world.client("kg.prison.auditor")
    heroin = Substance.objects.get(name="Heroin")
    form = {
        "unit": unit.pk,
        "facility": facility.pk,
        "reference": "ИНЦ-2013-950",
        "kind": "contraband_found",
        "occurred_at": "2013-07-02T11:30",
        "severity": "2",
        "detected_through": "interagency",
        "description": "Найден свёрток в комнате свиданий.",
        "tlp": "2",
        "distribution": "2",
        "contraband-TOTAL_FORMS": "1",
        "contraband-INITIAL_FORMS": "0",
        "contraband-0-kind": "drugs",
        "contraband-0-substance": heroin.pk,
        "contraband-0-quantity": "35",
        "contraband-0-unit": "g",
        "contraband-0-route": "visitor",
        "contraband-0-seizure_reference": "NO-SUCH-1",
        # Two person rows left empty, as the page sends them: they are not rows.
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-0-role": "",
        "persons-1-role": "",
    }
    refused = client.post("/prisons/incidents/", form)
    assert refused.status_code == 400 and "NO-SUCH-1" in refused.content.decode()
    assert not Incident.objects.exists()
    created = client.post("/prisons/incidents/", form | {"contraband-0-seizure_reference": "ГСИН-2013-7"})
    assert created.status_code == 302
    incident = Incident.objects.get(reference="ИНЦ-2013-950")
    assert incident.drug_related and incident.contraband.get().seizure_id == seizure.pk
    assert Seizure.objects.count() == 1  # linked, not recorded twice
    detail = client.get(created["Location"]).content.decode()
    assert "ГСИН-2013-7" in detail


def test_review_findings_stay_fixed(world: Any, audit: Audit) -> None:
    """Decimals are kept as plain digits; answers no longer asked are dropped and audited;
    an incident cannot go to all members; a file key sent twice in one batch is stored once."""
    auditor = world.user("kg.prison.auditor")
    saved = services.answers_save(
        actor=auditor,
        audit_id=audit.pk,
        answers=[services.AnswerData("d_stf_01", "yes"), services.AnswerData("d_stf_01_day_ratio", "10")],
    )
    assert saved.saved == ["d_stf_01", "d_stf_01_day_ratio"]  # 10 is not stored as 1E+1
    assert Answer.objects.get(audit=audit, item__name="d_stf_01_day_ratio").value == "10"
    dropped = services.answers_save(
        actor=auditor, audit_id=audit.pk, answers=[services.AnswerData("d_stf_01", "na")]
    )
    assert dropped.dropped == ["d_stf_01_day_ratio"]
    assert not Answer.objects.filter(audit=audit, item__name="d_stf_01_day_ratio").exists()
    line = AuditEntry.objects.filter(action="update", object_id=str(audit.pk)).latest("seq")
    assert line.after["dropped"] == ["d_stf_01_day_ratio"]
    photo = services.EvidenceData("p_per_01", "k1", "a.jpg", "image/jpeg", b"\xff\xd8")
    kept = services.answers_save(actor=auditor, audit_id=audit.pk, answers=[], evidence=[photo, photo])
    assert kept.evidence_kept == ["k1", "k1"] and EvidenceFile.objects.filter(audit=audit).count() == 1
    with pytest.raises(ValidationError):
        services.incident_create(
            actor=auditor,
            unit=world.unit(HQ),
            data=services.IncidentData(
                audit.facility_id, "X-ALL", "escape", timezone.now(), "Побег.", distribution=4, tlp=1
            ),
        )
    with pytest.raises(ValidationError):
        services.incident_create(
            actor=auditor,
            unit=world.unit(HQ),
            data=services.IncidentData(
                audit.facility_id, "X-SUB", "contraband_found", datetime.datetime(2013, 5, 2, 10), "Найдено.",
                contraband=[services.ContrabandData("drugs", Decimal(5), "g", substance_id=999999)],
            ),
        )  # fmt: skip
    naive = services.incident_create(
        actor=auditor,
        unit=world.unit(HQ),
        data=services.IncidentData(
            audit.facility_id, "X-NAIVE", "fire", datetime.datetime(2013, 5, 2, 10), "Пожар."
        ),
    )
    assert timezone.is_aware(naive.occurred_at)
