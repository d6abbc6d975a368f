"""Reading XLSForms (the questionnaires and checklists of the prisons and evaluation modules).

pyxform reads the workbook (.xlsx, .xls, or its markdown tables) and checks that the file is a
valid XLSForm, so that a form edited for Kordon also opens in ODK or KoboToolbox. Its parsed-form
dict is documented as internal, so modules read the sheets through this adapter and apply their
own rules to the rows; every problem names its row (the header is row 1).
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json_backends import definition_to_dict, get_definition_data  # type: ignore[import-untyped]
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from kordon.core.tabular import Problem

FILE_TYPES = {".xlsx": ".xlsx", ".xls": ".xls", ".md": ".md"}
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
class Sheets:
    """The rows of a workbook's sheets, with the form's default language."""

    survey: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    file_type: str = ""


def read_sheets(content: bytes, file_name: str) -> tuple[Sheets | None, list[Problem]]:
    """The sheets of an XLSForm, or None and the problem with the file as a whole (row 0)."""
    file_type = FILE_TYPES.get(PurePath(file_name).suffix.lower())
    if file_type is None:
        return None, [Problem(0, "", _("Send the form as an XLSForm: an Excel workbook (.xlsx)."))]
    try:
        data = definition_to_dict(get_definition_data(content), file_type=file_type)
    except (PyXFormError, UnicodeDecodeError, ValueError, KeyError) as error:
        return None, [
            Problem(0, "", _("The file could not be read as an XLSForm: %(error)s") % {"error": error})
        ]
    survey = getattr(data, "survey", None) or []
    if not survey:
        return None, [Problem(0, "", _("The workbook has no 'survey' sheet with questions."))]
    settings_rows = getattr(data, "settings", None) or []
    settings = settings_rows[0] if settings_rows else {}
    return (
        Sheets(
            survey=survey,
            choices=getattr(data, "choices", None) or [],
            settings=settings,
            language=default_language(settings),
            file_type=file_type,
        ),
        [],
    )


def xlsform_problem(content: bytes, file_type: str) -> Problem | None:
    """What pyxform finds wrong with the file as an XLSForm, or None. Run it after a module's
    own checks, which name rows and columns; pyxform stops at the first error."""
    try:
        convert(get_definition_data(content), file_type=file_type)
    except PyXFormError as error:
        return Problem(0, "", _("The file is not a valid XLSForm: %(error)s") % {"error": error})
    return None


def default_language(settings: dict[str, Any]) -> str:
    found = LANGUAGE_CODE.search(str(settings.get("default_language", "")))
    return found["code"].lower() if found else "en"


def _language(column: str, prefix: str, default: str) -> str | None:
    """The language code of a column like `label::Russian (ru)`; `label` alone is the default
    language; None for other columns."""
    if column == prefix:
        return default
    if not column.startswith(prefix + "::"):
        return None
    found = LANGUAGE_CODE.search(column)
    return found["code"].lower() if found else column[len(prefix) + 2 :].strip().lower()[:8]


def texts(row: dict[str, Any], prefix: str, default: str) -> dict[str, str]:
    """A row's texts in each language for `prefix` (label, hint, constraint_message)."""
    found = {}
    for column, value in row.items():
        code = _language(column, prefix, default)
        if code is not None and str(value).strip():
            found[code] = str(value).strip()
    return found


def language_column(prefix: str, code: str) -> str:
    return f"{prefix}::{LANGUAGE_NAMES.get(code, code)} ({code})"


def default_language_value(code: str = "en") -> str:
    """The settings sheet's default_language cell for `code`."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def kind_of(row: dict[str, Any]) -> str:
    return " ".join(str(row.get("type", "")).split())


def workbook_bytes(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
