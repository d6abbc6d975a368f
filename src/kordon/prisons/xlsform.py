"""The security framework as an XLSForm: read one (xlsx, or pyxform's markdown tables) into
framework items with every problem found, and write a framework back as an xlsx workbook.

core.xlsform reads the sheets and has pyxform check the file; what a framework needs beyond a
valid XLSForm (sections, criticality, expressions that Kordon can evaluate) is checked here.
"""

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kordon.core.tabular import Problem
from kordon.core.xlsform import (
    YES,
    default_language_value,
    kind_of,
    language_column,
    read_sheets,
    texts,
    workbook_bytes,
    xlsform_problem,
)
from kordon.prisons import expressions
from kordon.prisons.models import Component, Criticality, Evidence, ItemKind

COMPLIANCE_LIST = "compliance"
COMPLIANCE_CHOICES = {
    "yes": {"en": "Compliant", "ru": "Соответствует"},
    "partial": {"en": "Partially compliant", "ru": "Частично соответствует"},
    "no": {"en": "Not compliant", "ru": "Не соответствует"},
    "na": {"en": "Not applicable", "ru": "Неприменимо"},
}
MEASUREMENTS = {
    "integer": ItemKind.INTEGER,
    "decimal": ItemKind.DECIMAL,
    "date": ItemKind.DATE,
    "text": ItemKind.TEXT,
}
# XLSForm rows that describe the form rather than ask something: accepted and left out.
IGNORED_TYPES = {"note", "calculate", "start", "end", "today", "deviceid", "username", "audit", "hidden"}


@dataclass
class ParsedItem:
    row: int
    name: str
    kind: str
    component: str
    labels: dict[str, str]
    hints: dict[str, str] = field(default_factory=dict)
    area: str = ""
    criticality: str = ""
    evidence: str = ""
    rules: str = ""
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_messages: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFramework:
    form_id: str = ""
    title: str = ""
    form_version: str = ""
    sections: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    items: list[ParsedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message))


def read_framework(content: bytes, file_name: str) -> ParsedFramework:
    """Read an XLSForm into framework items, reporting every problem with its row and column
    (row 0: the file as a whole). Items are only usable when `problems` is empty."""
    parsed = ParsedFramework()
    sheets, problems = read_sheets(content, file_name)
    if sheets is None:
        parsed.problems = problems
        return parsed
    _read_settings(parsed, sheets.settings, file_name)
    _read_choices(parsed, sheets.choices)
    _read_survey(parsed, sheets.survey, sheets.language)
    if not parsed.problems:
        problem = xlsform_problem(content, sheets.file_type)
        if problem is not None:
            parsed.problems.append(problem)
    return parsed


def _read_settings(parsed: ParsedFramework, settings: dict[str, Any], file_name: str) -> None:
    parsed.form_id = str(settings.get("form_id") or PurePath(file_name).stem)[:100]
    parsed.title = str(settings.get("form_title") or parsed.form_id)[:200]
    parsed.form_version = str(settings.get("version") or "")[:50]


def _read_choices(parsed: ParsedFramework, rows: list[dict[str, Any]]) -> None:
    names = {str(row.get("name", "")) for row in rows if row.get("list_name") == COMPLIANCE_LIST}
    missing = sorted(set(COMPLIANCE_CHOICES) - names)
    if missing:
        parsed.problem(
            0,
            "choices",
            _(
                "The 'choices' sheet needs the list 'compliance' with the answers yes, partial, no and na; missing: %(names)s."
            )
            % {"names": ", ".join(missing)},
        )


def _read_survey(parsed: ParsedFramework, rows: list[dict[str, Any]], language: str) -> None:
    names = {str(row["name"]).strip() for row in rows if row.get("name")}
    seen: set[str] = set()
    section = ""
    for index, row in enumerate(rows):
        number = index + 2  # the header is row 1
        kind = kind_of(row)
        name = str(row.get("name", "")).strip()
        if not kind:
            continue
        if kind in ("begin_group", "begin group"):
            if section:
                parsed.problem(
                    number,
                    "type",
                    _("Groups cannot be nested: close the group '%(name)s' first.") % {"name": section},
                )
            elif name not in Component.values:
                parsed.problem(
                    number,
                    "name",
                    _(
                        "The group '%(name)s' is not a section of the framework: name it physical, procedural, dynamic or oversight."
                    )
                    % {"name": name},
                )
            else:
                section = name
                parsed.sections[name] = {
                    "labels": texts(row, "label", language),
                    "hints": texts(row, "hint", language),
                }
            continue
        if kind in ("end_group", "end group"):
            section = ""
            continue
        if kind in IGNORED_TYPES:
            continue
        item = _read_item(parsed, row, number, kind, name, section, language)
        if item is None:
            continue
        if name in seen:
            parsed.problem(number, "name", _("The name '%(name)s' is used twice.") % {"name": name})
            continue
        seen.add(name)
        _check_expressions(parsed, item, names)
        parsed.items.append(item)
    if not any(item.kind == ItemKind.COMPLIANCE for item in parsed.items) and not parsed.problems:
        parsed.problem(
            0, "type", _("The form has no standard to score: add rows of type 'select_one compliance'.")
        )


def _read_item(
    parsed: ParsedFramework,
    row: dict[str, Any],
    number: int,
    kind: str,
    name: str,
    section: str,
    language: str,
) -> ParsedItem | None:
    if kind == f"select_one {COMPLIANCE_LIST}":
        item_kind = ItemKind.COMPLIANCE
    elif kind in MEASUREMENTS:
        item_kind = MEASUREMENTS[kind]
    else:
        parsed.problem(
            number,
            "type",
            _(
                "The type '%(type)s' is not used in a security framework: use 'select_one compliance' for a standard, or integer, decimal, date or text for a measurement."
            )
            % {"type": kind},
        )
        return None
    if not name or len(name) > 100:
        parsed.problem(number, "name", _("Every question needs a name of at most 100 characters."))
        return None
    if not section:
        parsed.problem(
            number,
            "type",
            _("The question '%(name)s' is outside the sections: put it inside a group.") % {"name": name},
        )
        return None
    labels = texts(row, "label", language)
    if not labels:
        parsed.problem(number, "label", _("The question '%(name)s' has no label.") % {"name": name})
    criticality = str(row.get("criticality", "")).strip().lower()
    evidence = str(row.get("evidence", "")).strip().lower()
    if item_kind == ItemKind.COMPLIANCE and criticality not in Criticality.values:
        parsed.problem(number, "criticality", _("Give the standard a criticality: critical, major or minor."))
    if item_kind != ItemKind.COMPLIANCE and criticality:
        parsed.problem(
            number,
            "criticality",
            _("Only compliance questions are scored: leave the criticality of a measurement empty."),
        )
    if evidence and evidence not in Evidence.values:
        parsed.problem(number, "evidence", _("The evidence must be observe, document, interview or count."))
    return ParsedItem(
        row=number,
        name=name,
        kind=item_kind,
        component=section,
        labels=labels,
        hints=texts(row, "hint", language),
        area=str(row.get("area", "")).strip()[:50],
        criticality=criticality if item_kind == ItemKind.COMPLIANCE else "",
        evidence=evidence,
        rules=str(row.get("rules", "")).strip()[:100],
        required=str(row.get("required", "")).strip().lower() in YES,
        relevant=str(row.get("relevant", "")).strip(),
        constraint=str(row.get("constraint", "")).strip(),
        constraint_messages=texts(row, "constraint_message", language),
    )


def _check_expressions(parsed: ParsedFramework, item: ParsedItem, names: set[str]) -> None:
    for column in ("relevant", "constraint"):
        text = getattr(item, column)
        if not text:
            continue
        if len(text) > 500:
            parsed.problem(item.row, column, _("An expression may be at most 500 characters long."))
            continue
        try:
            expression = expressions.parse(text)
        except expressions.ExpressionError as error:
            parsed.problem(item.row, column, str(error))
            continue
        for unknown in sorted(expression.references - names):
            parsed.problem(
                item.row,
                column,
                _("It refers to ${%(name)s}, which is not a question of this form.") % {"name": unknown},
            )


SURVEY_COLUMNS = ("type", "name")
OWN_COLUMNS = ("required", "relevant", "constraint", "criticality", "evidence", "area", "rules")


def write_framework(framework: Any) -> bytes:
    """The framework version as an XLSForm workbook: what headquarters edits in Excel and
    uploads again as the next version."""
    items = list(framework.items.order_by("position"))
    languages = sorted(
        {code for item in items for code in item.labels} | {"en"}, key=lambda code: (code != "en", code)
    )
    label_columns = [language_column("label", code) for code in languages]
    hint_columns = [language_column("hint", code) for code in languages]
    message_columns = [language_column("constraint_message", code) for code in languages]
    header = [*SURVEY_COLUMNS, *label_columns, *hint_columns, *OWN_COLUMNS, *message_columns]
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(header)
    section = ""
    for item in items:
        if item.component != section:
            if section:
                survey.append(["end_group"])
            section = item.component
            texts = framework.sections.get(section, {})
            survey.append(
                ["begin_group", section]
                + [texts.get("labels", {}).get(code, "") for code in languages]
                + [texts.get("hints", {}).get(code, "") for code in languages]
            )
        kind = f"select_one {COMPLIANCE_LIST}" if item.kind == ItemKind.COMPLIANCE else item.kind
        survey.append(
            [kind, item.name]
            + [item.labels.get(code, "") for code in languages]
            + [item.hints.get(code, "") for code in languages]
            + [
                "yes" if item.required else "",
                item.relevant,
                item.constraint,
                item.criticality,
                item.evidence,
            ]
            + [item.area, item.rules]
            + [item.constraint_messages.get(code, "") for code in languages]
        )
    if section:
        survey.append(["end_group"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", *label_columns])
    for name, labels in COMPLIANCE_CHOICES.items():
        choices.append([COMPLIANCE_LIST, name, *(labels.get(code, labels["en"]) for code in languages)])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        [framework.title, framework.form_id, str(framework.version), default_language_value("en")]
    )
    return workbook_bytes(workbook)
