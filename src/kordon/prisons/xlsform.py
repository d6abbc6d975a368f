"""The security framework as an XLSForm: read one (xlsx, or pyxform's markdown tables) into
framework items with every problem found, and write a framework back as an xlsx workbook.

pyxform reads the workbook and checks that the file is a valid XLSForm (so that it also opens in
ODK or KoboToolbox); what a framework needs beyond that (sections, criticality, expressions that
Kordon can evaluate) is checked here. pyxform's parsed-form dict is documented as internal, so
this adapter reads the sheets through its backend reader and keeps its use in one place.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json_backends import definition_to_dict, get_definition_data  # type: ignore[import-untyped]
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from kordon.core.tabular import Problem
from kordon.prisons import expressions
from kordon.prisons.models import Component, Criticality, Evidence, ItemKind

FILE_TYPES = {".xlsx": ".xlsx", ".xls": ".xls", ".md": ".md"}
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
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "ky": "Kyrgyz",
    "kk": "Kazakh",
    "uz": "Uzbek",
    "tg": "Tajik",
}
LANGUAGE_CODE = re.compile(r"\((?P<code>[A-Za-z-]{2,8})\)\s*$")
YES = {"yes", "true", "1", "true()"}


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


def _language(column: str, prefix: str, default: str) -> str | None:
    """The language code of a column like `label::Russian (ru)`; `label` alone is the default
    language; None for other columns."""
    if column == prefix:
        return default
    if not column.startswith(prefix + "::"):
        return None
    found = LANGUAGE_CODE.search(column)
    return found["code"].lower() if found else column[len(prefix) + 2 :].strip().lower()[:8]


def _texts(row: dict[str, Any], prefix: str, default: str) -> dict[str, str]:
    texts = {}
    for column, value in row.items():
        code = _language(column, prefix, default)
        if code is not None and str(value).strip():
            texts[code] = str(value).strip()
    return texts


def _default_language(settings_rows: list[dict[str, Any]]) -> str:
    declared = str((settings_rows[0] if settings_rows else {}).get("default_language", ""))
    found = LANGUAGE_CODE.search(declared)
    return found["code"].lower() if found else "en"


def read_framework(content: bytes, file_name: str) -> ParsedFramework:
    """Read an XLSForm into framework items, reporting every problem with its row and column
    (row 0: the file as a whole). Items are only usable when `problems` is empty."""
    parsed = ParsedFramework()
    file_type = FILE_TYPES.get(PurePath(file_name).suffix.lower())
    if file_type is None:
        parsed.problem(0, "", _("Send the framework as an XLSForm: an Excel workbook (.xlsx)."))
        return parsed
    try:
        sheets = definition_to_dict(get_definition_data(content), file_type=file_type)
    except (PyXFormError, UnicodeDecodeError, ValueError, KeyError) as error:
        parsed.problem(0, "", _("The file could not be read as an XLSForm: %(error)s") % {"error": error})
        return parsed
    survey = getattr(sheets, "survey", None) or []
    if not survey:
        parsed.problem(0, "", _("The workbook has no 'survey' sheet with questions."))
        return parsed
    settings_rows = getattr(sheets, "settings", None) or []
    language = _default_language(settings_rows)
    _read_settings(parsed, settings_rows, file_name)
    _read_choices(parsed, getattr(sheets, "choices", None) or [])
    _read_survey(parsed, survey, language)
    if not parsed.problems:
        # Whatever else makes the file an invalid XLSForm (pyxform's own checks).
        try:
            convert(get_definition_data(content), file_type=file_type)
        except PyXFormError as error:
            parsed.problem(0, "", _("The file is not a valid XLSForm: %(error)s") % {"error": error})
    return parsed


def _read_settings(parsed: ParsedFramework, rows: list[dict[str, Any]], file_name: str) -> None:
    settings = rows[0] if rows else {}
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
        kind = " ".join(str(row.get("type", "")).split())
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
                    "labels": _texts(row, "label", language),
                    "hints": _texts(row, "hint", language),
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
    if not name:
        parsed.problem(number, "name", _("Every question needs a name."))
        return None
    if not section:
        parsed.problem(
            number,
            "type",
            _("The question '%(name)s' is outside the sections: put it inside a group.") % {"name": name},
        )
        return None
    labels = _texts(row, "label", language)
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
        hints=_texts(row, "hint", language),
        area=str(row.get("area", "")).strip()[:50],
        criticality=criticality if item_kind == ItemKind.COMPLIANCE else "",
        evidence=evidence,
        rules=str(row.get("rules", "")).strip()[:100],
        required=str(row.get("required", "")).strip().lower() in YES,
        relevant=str(row.get("relevant", "")).strip(),
        constraint=str(row.get("constraint", "")).strip(),
        constraint_messages=_texts(row, "constraint_message", language),
    )


def _check_expressions(parsed: ParsedFramework, item: ParsedItem, names: set[str]) -> None:
    for column in ("relevant", "constraint"):
        text = getattr(item, column)
        if not text:
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


def _language_column(prefix: str, code: str) -> str:
    return f"{prefix}::{LANGUAGE_NAMES.get(code, code)} ({code})"


SURVEY_COLUMNS = ("type", "name")
OWN_COLUMNS = ("required", "relevant", "constraint", "criticality", "evidence", "area", "rules")


def write_framework(framework: Any) -> bytes:
    """The framework version as an XLSForm workbook: what headquarters edits in Excel and
    uploads again as the next version."""
    items = list(framework.items.order_by("position"))
    languages = sorted(
        {code for item in items for code in item.labels} | {"en"}, key=lambda code: (code != "en", code)
    )
    label_columns = [_language_column("label", code) for code in languages]
    hint_columns = [_language_column("hint", code) for code in languages]
    message_columns = [_language_column("constraint_message", code) for code in languages]
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
        [framework.title, framework.form_id, str(framework.version), _language_column("", "en")[2:]]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
