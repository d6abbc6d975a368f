"""A programme officer's evaluation end to end: questionnaires from XLSForms (a broken one
refused with its problems), answers imported with bad rows reported and the rest kept, the
before/after figures equal to an independent computation, the report and the certificates; and
nobody outside the programme sees any of it."""

import datetime
import json
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from django.test import Client
from openpyxl import Workbook
from scipy import stats  # type: ignore[import-untyped]

from kordon.access.models import AuditEntry
from kordon.entities.tests.test_watchlists import bearer
from kordon.evaluation import analysis, services
from kordon.evaluation.demo import DATA, build_evaluation
from kordon.evaluation.models import Participant, Questionnaire, Response, TrainingEvent

UNIT = "unodc-roca-prevention"


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return " ".join(document[i].get_textpage().get_text_range() for i in range(len(document))).replace(
        "\r\n", " "
    )


def sdq(world: Any) -> Questionnaire:
    result = services.questionnaire_import(
        actor=world.user("unodc.programme"),
        unit=world.unit(UNIT),
        content=(DATA / "sdq_parent_form.md").read_bytes(),
        file_name="sdq_parent_form.md",
    )
    assert result.questionnaire is not None
    return result.questionnaire


def test_a_questionnaire_form_is_read_or_refused_with_its_problems(world: Any) -> None:
    questionnaire = sdq(world)
    assert questionnaire.informant == "parent" and len(questionnaire.items) == 25
    assert questionnaire.items[6] == {
        "name": "sdq_7",
        "score_as": "7",
        "labels": {"en": "SDQ item 7", "ru": "Пункт SDQ 7"},
        "values": [0.0, 1.0, 2.0],
    }
    assert questionnaire.scoring["name"] == "sdq_parent"
    text = (DATA / "sdq_parent_form.md").read_text()
    broken = text.replace("| | select_one sdq | sdq_7 | SDQ item 7 | Пункт SDQ 7 | 7 |\n", "").replace(
        "| | sdq | 2 | Certainly", "| | sdq | two | Certainly"
    )
    result = services.questionnaire_import(
        actor=world.user("unodc.programme"),
        unit=world.unit(UNIT),
        content=broken.encode(),
        file_name="broken.md",
    )
    assert result.questionnaire is None
    messages = {(problem.column, problem.message) for problem in result.problems}
    assert any(column == "score_as" and "7" in message for column, message in messages)
    assert any(column == "choices" and "two" in message for column, message in messages)
    assert Questionnaire.objects.count() == 1


def test_answers_are_imported_row_by_row_and_scored(world: Any, tmp_path: Path) -> None:
    questionnaire = sdq(world)
    book = Workbook()
    sheet = book.active
    sheet.append(["respondent", "wave", "date", "site", *[f"sdq_{n}" for n in range(1, 26)]])
    sheet.append(["FAM-1", "pre", "2011-02-14", "School 12", *[1] * 25])
    sheet.append(["FAM-1", "post", "2011-04-18", "School 12", *[0] * 25])
    sheet.append(["FAM-2", "pre", "2011-02-14", "School 12", *[2] * 24, 5])  # 5 is not an answer
    sheet.append(["FAM-3", "during", "2011-02-14", "School 12", *[1] * 25])  # no such wave
    sheet.append(["FAM-4", "pre", "14/02/2011", "School 12", *[1] * 25])  # a date Kordon cannot read
    sheet.append(["FAM-1", "pre", "2011-02-15", "School 12", *[1] * 25])  # already recorded
    path = tmp_path / "answers.xlsx"
    book.save(path)
    result = services.responses_import(
        actor=world.user("unodc.programme"), questionnaire_id=questionnaire.pk, path=path
    )
    assert (result.rows, result.saved) == (6, 2)
    assert [(problem.row, problem.column) for problem in result.problems] == [
        (4, "sdq_25"),
        (5, "wave"),
        (6, "date"),
        (7, "respondent"),
    ]
    pre = Response.objects.get(respondent="FAM-1", wave="pre")
    # All answers 1: each scale adds five 1s, reversed items (2 - 1) stay 1 → 5 per scale, total 20.
    assert (
        pre.scores["emotional"] == 5
        and pre.scores["prosocial"] == 5
        and pre.scores["total_difficulties"] == 20
    )
    post = Response.objects.get(respondent="FAM-1", wave="post")
    # All answers 0: reversed items score 2 each. Conduct has item 7 reversed → 2; hyperactivity
    # 21 and 25 → 4; peer 11 and 14 → 4; emotional none → 0: total 10. Prosocial (no reversed) 0.
    assert (
        post.scores["conduct"],
        post.scores["hyperactivity"],
        post.scores["peer"],
        post.scores["emotional"],
    ) == (2, 4, 4, 0)
    assert post.scores["total_difficulties"] == 10 and post.scores["prosocial"] == 0
    assert (
        AuditEntry.objects.filter(action="import", object_id=str(questionnaire.pk)).count() == 2
    )  # the form, the answers


def test_the_results_equal_an_independent_paired_t_test_and_make_a_report(world: Any) -> None:
    build_evaluation()
    questionnaire = Questionnaire.objects.get(form_id="sdq_parent")
    outcomes = {outcome.name: outcome for outcome in analysis.analyse(questionnaire)}
    pairs = {}
    for respondent, wave, scores in questionnaire.responses.values_list("respondent", "wave", "scores"):
        pairs.setdefault(respondent, {})[wave] = scores.get("total_difficulties")
    complete = [
        (p["pre"], p["post"])
        for p in pairs.values()
        if p.get("pre") is not None and p.get("post") is not None
    ]
    expected = stats.ttest_rel([post for _pre, post in complete], [pre for pre, _post in complete])
    total = outcomes["total_difficulties"].result
    assert total is not None and total.n == len(complete) >= 80
    assert total.t == pytest.approx(expected.statistic, rel=1e-9) and total.p_two_tailed == pytest.approx(
        expected.pvalue, rel=1e-9
    )
    assert total.mean_change < 0 and outcomes["total_difficulties"].improved  # the demo's families improve
    assert outcomes["prosocial"].improvement == "increase"
    # The band of concern is the rules' last: "abnormal" for parents (total difficulties 17-40).
    concern = outcomes["total_difficulties"]
    assert concern.concern_band == "abnormal"
    assert concern.in_band_before == sum(pre >= 17 for pre, _post in complete)
    assert concern.in_band_after == sum(post >= 17 for _pre, post in complete)
    client = world.client("unodc.programme")
    page = client.get(f"/evaluation/questionnaires/{questionnaire.pk}/").content.decode()
    assert "Total difficulties" in page and "data:image/png;base64," in page
    report = pdf_text(
        client.get(f"/evaluation/questionnaires/{questionnaire.pk}/report.pdf?language=en").content
    )
    assert "Programme evaluation report" in report and f"{total.mean_change:.2f}" in report
    participant = Participant.objects.first()
    assert participant is not None and participant.certificate.startswith(
        f"{participant.event.starts_on:%Y}-"
    )
    certificate = pdf_text(
        client.get(f"/evaluation/participants/{participant.pk}/certificate.pdf?language=en").content
    )
    assert participant.name in certificate and participant.certificate in certificate
    assert AuditEntry.objects.filter(action="export", object_type="evaluation.trainingevent").count() == 1


def test_nobody_outside_the_programme_sees_its_questionnaires_or_trainings(world: Any) -> None:
    build_evaluation()
    questionnaire = Questionnaire.objects.first()
    event = TrainingEvent.objects.first()
    assert questionnaire is not None and event is not None
    outsider = world.client("kg.blo.dostuk")
    assert outsider.get(f"/evaluation/questionnaires/{questionnaire.pk}/").status_code == 404
    assert outsider.get(f"/evaluation/training/{event.pk}/").status_code == 404
    assert (
        outsider.get(f"/evaluation/participants/{event.participants.first().pk}/certificate.pdf").status_code
        == 404
    )
    assert Client(headers=bearer("kg.blo.dostuk")).get("/api/v1/questionnaires").json() == []
    api = Client(headers=bearer("unodc.programme"))
    listed = api.get("/api/v1/questionnaires").json()
    assert {q["form_id"] for q in listed} == {"sdq_parent", "sdq_teacher"}
    results = api.get(f"/api/v1/questionnaires/{questionnaire.pk}/analysis").json()
    assert {row["name"] for row in results} >= {"emotional", "total_difficulties"}
    created = api.post(
        f"/api/v1/questionnaires/{questionnaire.pk}/responses",
        data=json.dumps(
            {
                "responses": [
                    {
                        "respondent": "NEW-1",
                        "wave": "pre",
                        "answered_on": "2012-01-10",
                        "answers": {str(n): 1 for n in range(1, 26)},
                    }
                ]
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 200 and created.json()["saved"] == 1
    assert datetime.date(2012, 1, 10) == Response.objects.get(respondent="NEW-1").answered_on
