"""The security framework as an XLSForm: the default one ships and round-trips through Excel; a
broken file is refused with every problem by row and column; a new version leaves audits already
submitted as they were."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from kordon.access.models import AuditEntry
from kordon.prisons import services, xlsform
from kordon.prisons.models import Audit, Framework, FrameworkItem

HQ = "kg-prison-hq"
HEADER = [
    "type",
    "name",
    "label::English (en)",
    "label::Russian (ru)",
    "criticality",
    "relevant",
    "constraint",
]
CHOICES = [
    ["list_name", "name", "label"],
    *[["compliance", name, name] for name in ("yes", "partial", "no", "na")],
]


def workbook(survey: list[list[str]], choices: list[list[str]] = CHOICES) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [HEADER, *survey]:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    for row in choices:
        choice_sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Test framework", "test_framework", "7"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["begin_group", "physical", "Physical", "Физическая"],
    ["select_one compliance", "wall", "Is the wall whole?", "Стена цела?", "critical"],
    ["decimal", "wall_height", "Wall height, m", "Высота, м", "", "${wall} != 'na'", ". > 2"],
    ["end_group"],
    ["begin_group", "dynamic", "Dynamic", "Динамическая"],
    ["select_one compliance", "staff", "Staff on the wings?", "Персонал в отрядах?", "minor"],
    ["end_group"],
]


def test_the_default_framework_imports_and_round_trips_through_excel(world: Any) -> None:
    auditor, unit = world.user("kg.prison.auditor"), world.unit(HQ)
    first = services.framework_import_default(actor=auditor, unit=unit).framework
    assert first is not None and first.version == 1 and first.form_id == "kordon_prison_security"
    standards = first.items.filter(kind="compliance")
    assert standards.count() == 40
    assert set(standards.values_list("component", flat=True)) == {
        "physical",
        "procedural",
        "dynamic",
        "oversight",
    }
    search = standards.get(name="r_src_02")
    assert search.rules == "51" and search.labels["ru"] and search.labels["en"] and search.criticality
    follow_up = first.items.get(name="p_cctv_01_working")
    assert follow_up.constraint == ". >= 0 and . <= ${p_cctv_01_total}" and not follow_up.criticality

    exported = xlsform.write_framework(first)
    assert load_workbook(io.BytesIO(exported)).sheetnames == ["survey", "choices", "settings"]
    second = services.framework_import(
        actor=auditor, unit=unit, content=exported, file_name="edited.xlsx"
    ).framework
    assert second is not None and second.version == 2
    fields = ("name", "kind", "component", "area", "labels", "hints", "criticality", "evidence", "rules",
              "required", "relevant", "constraint", "constraint_messages")  # fmt: skip
    assert list(second.items.values_list(*fields)) == list(first.items.values_list(*fields))
    assert second.sections == first.sections
    assert AuditEntry.objects.filter(action="import", object_type="prisons.framework").count() == 2


def test_a_broken_file_is_refused_with_every_problem_and_nothing_is_stored(world: Any) -> None:
    broken = [
        ["begin_group", "walls", "Walls"],  # row 2: not a section
        ["end_group"],
        ["begin_group", "physical", "Physical"],
        ["select_one compliance", "gate", "Gate interlock?", "", "severe"],  # row 5: criticality
        ["select_one compliance", "gate", "Gate again?", "", "major"],  # row 6: name twice
        ["integer", "cameras", "Cameras", "", "", "${camera} > 0"],  # row 7: unknown reference
        ["integer", "lights", "Lights", "", "", "", ". >= "],  # row 8: broken expression
        ["geopoint", "tower", "Tower"],  # row 9: type not used
        ["select_one compliance", "unlabelled", "", "", "major"],  # row 10: no label
        ["integer", "count", "Count", "", "minor"],  # row 11: a measurement is not scored
        ["end_group"],
    ]
    content = workbook(broken, choices=CHOICES[:3])
    result = services.framework_import(
        actor=world.user("kg.prison.auditor"), unit=world.unit(HQ), content=content, file_name="broken.xlsx"
    )
    assert result.framework is None
    found = {(problem.row, problem.column) for problem in result.problems}
    assert found == {
        (0, "choices"),
        (2, "name"),
        (5, "criticality"),
        (6, "name"),
        (7, "relevant"),
        (8, "constraint"),
        (9, "type"),
        (10, "label"),
        (11, "criticality"),
    }
    messages = {(problem.row, problem.column): problem.message for problem in result.problems}
    assert "${camera}" in messages[(7, "relevant")]
    assert "na" in messages[(0, "choices")] and "no" in messages[(0, "choices")]
    assert not Framework.objects.exists() and not FrameworkItem.objects.exists()


def test_other_files_are_refused_clearly(world: Any) -> None:
    auditor, unit = world.user("kg.prison.auditor"), world.unit(HQ)
    not_excel = services.framework_import(actor=auditor, unit=unit, content=b"type,name\n", file_name="f.csv")
    assert [p.message for p in not_excel.problems] == [
        "Send the form as an XLSForm: an Excel workbook (.xlsx)."
    ]
    damaged = services.framework_import(
        actor=auditor, unit=unit, content=b"PK\x03\x04 not a zip", file_name="f.xlsx"
    )
    assert damaged.framework is None and damaged.problems[0].row == 0
    assert not Framework.objects.exists()


def test_a_new_version_leaves_submitted_audits_as_they_were(world: Any) -> None:
    auditor, unit = world.user("kg.prison.auditor"), world.unit(HQ)
    first = services.framework_import(
        actor=auditor, unit=unit, content=workbook(GOOD), file_name="v1.xlsx"
    ).framework
    assert first is not None
    facility = services.facility_save(
        actor=auditor,
        unit=unit,
        data=services.FacilityData(
            "IK-47", "Colony 47", "repeat_offenders", "high", 1000, 1200, first.created_at.date()
        ),
    )
    audit = services.audit_plan(
        actor=auditor, unit=unit, facility=facility, planned_on=first.created_at.date()
    )
    services.answers_save(
        actor=auditor,
        audit_id=audit.pk,
        answers=[services.AnswerData("wall", "partial"), services.AnswerData("staff", "yes")],
    )
    submitted = services.audit_submit(actor=auditor, audit_id=audit.pk)
    scores = submitted.scores
    assert scores["components"] == {"physical": 50.0, "dynamic": 100.0}

    # Headquarters makes "staff" critical and adds a standard.
    changed = [row[:] for row in GOOD]
    changed[5][4] = "critical"
    changed.insert(6, ["select_one compliance", "keys", "Key register kept?", "Ключи?", "major"])
    second = services.framework_import(
        actor=auditor, unit=unit, content=workbook(changed), file_name="v2.xlsx"
    ).framework
    assert second is not None and second.version == 2 and second.form_id == first.form_id

    kept = Audit.objects.get(pk=audit.pk)
    assert kept.framework_id == first.pk and kept.scores == scores
    assert first.items.get(name="staff").criticality == "minor"
    newer = services.audit_plan(
        actor=auditor, unit=unit, facility=facility, planned_on=first.created_at.date()
    )
    assert newer.framework_id == second.pk and newer.framework.items.filter(kind="compliance").count() == 3


def test_the_command_imports_reports_problems_and_exports(world: Any, tmp_path: Path) -> None:
    good, bad = tmp_path / "framework.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(GOOD))
    bad.write_bytes(
        workbook([["begin_group", "physical"], ["select_one compliance", "gate", "Gate?"], ["end_group"]])
    )
    out = io.StringIO()
    call_command("prisons", "framework", "import", str(good), "--user", "kg.prison.auditor", stdout=out)
    assert "version 1 with 3 questions (2 scored standards)" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problems: nothing was stored"):
        call_command("prisons", "framework", "import", str(bad), "--user", "kg.prison.auditor", stdout=out)
    assert "row 3 [criticality]" in out.getvalue()
    exported = tmp_path / "out.xlsx"
    call_command(
        "prisons",
        "framework",
        "export",
        "--out",
        str(exported),
        "--user",
        "kg.prison.auditor",
        stdout=io.StringIO(),
    )
    survey = list(load_workbook(exported)["survey"].iter_rows(values_only=True))
    assert [row[1] for row in survey if row[0] == "select_one compliance"] == ["wall", "staff"]
    assert AuditEntry.objects.filter(action="export", object_type="prisons.framework").count() == 1
    with pytest.raises(CommandError, match="no file"):
        call_command(
            "prisons", "framework", "import", str(tmp_path / "missing.xlsx"), "--user", "kg.prison.auditor"
        )
