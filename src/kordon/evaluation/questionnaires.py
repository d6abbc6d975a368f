"""A questionnaire as an XLSForm: its items and the scoring rules it names, with every problem
found by row and column.

What Kordon needs of the form beyond a valid XLSForm:

- items are `select_one LIST` with numeric choice names (0, 1, 2) or `integer` / `decimal`;
- an optional column `score_as` gives the item's number in the scoring rules (`sdq_7` → `7`);
  without it the item's name is used;
- the settings sheet may name built-in rules in a column `scoring` (`sdq_parent`, `sdq_teacher`)
  and the informant in `informant` (parent, teacher, self, other); every item the rules score
  must be in the form.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from kordon.core.tabular import Problem
from kordon.core.xlsform import kind_of, read_sheets, texts, xlsform_problem
from kordon.evaluation import scoring
from kordon.evaluation.models import Informant

BUILT_IN_RULES = ("sdq_parent", "sdq_teacher")
IGNORED_TYPES = {"note", "calculate", "start", "end", "today", "deviceid", "username", "audit", "hidden",
                 "begin_group", "begin group", "end_group", "end group", "text", "date"}  # fmt: skip
NUMBERS = {"integer", "decimal"}


@dataclass
class ParsedQuestionnaire:
    form_id: str = ""
    title: str = ""
    informant: str = Informant.OTHER
    items: list[dict[str, Any]] = field(default_factory=list)
    scoring: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def built_in_rules(name: str) -> scoring.ScoringRules:
    return scoring.load_sdq(name.removeprefix("sdq_"))


def _choice_values(rows: list[dict[str, Any]], parsed: ParsedQuestionnaire) -> dict[str, list[float]]:
    lists: dict[str, list[float]] = {}
    for index, row in enumerate(rows):
        name, value = str(row.get("list_name", "")).strip(), str(row.get("name", "")).strip()
        if not name:
            continue
        try:
            lists.setdefault(name, []).append(float(Decimal(value)))
        except InvalidOperation:
            parsed.problems.append(
                Problem(
                    index + 2,
                    "choices",
                    _(
                        "The choice '%(value)s' of the list '%(list)s' must be a number: it is the score of the answer."
                    )
                    % {"value": value, "list": name},
                )
            )
    return lists


def read_questionnaire(content: bytes, file_name: str) -> ParsedQuestionnaire:
    parsed = ParsedQuestionnaire()
    sheets, problems = read_sheets(content, file_name)
    if sheets is None:
        parsed.problems = problems
        return parsed
    settings = sheets.settings
    parsed.form_id = str(settings.get("form_id") or PurePath(file_name).stem)[:100]
    parsed.title = str(settings.get("form_title") or parsed.form_id)[:200]
    informant = str(settings.get("informant", "other")).strip().lower()
    if informant not in Informant.values:
        parsed.problems.append(
            Problem(0, "informant", _("The informant must be parent, teacher, self or other."))
        )
    parsed.informant = informant
    lists = _choice_values(sheets.choices, parsed)
    seen: set[str] = set()
    for index, row in enumerate(sheets.survey):
        number, kind, name = index + 2, kind_of(row), str(row.get("name", "")).strip()
        if not kind or kind in IGNORED_TYPES:
            continue
        if kind.startswith("select_one "):
            values = lists.get(kind.removeprefix("select_one ").strip())
            if values is None:
                parsed.problems.append(
                    Problem(
                        number,
                        "type",
                        _("There is no choices list '%(list)s'.")
                        % {"list": kind.removeprefix("select_one ")},
                    )
                )
                continue
        elif kind in NUMBERS:
            values = []
        else:
            parsed.problems.append(
                Problem(
                    number,
                    "type",
                    _(
                        "The type '%(type)s' cannot be scored: use select_one with numeric choices, integer or decimal."
                    )
                    % {"type": kind},
                )
            )
            continue
        score_as = str(row.get("score_as", "") or name).strip()
        if not name or score_as in seen:
            parsed.problems.append(
                Problem(
                    number,
                    "name",
                    _("Every item needs its own name and scoring number; '%(name)s' is used twice.")
                    % {"name": score_as},
                )
            )
            continue
        seen.add(score_as)
        parsed.items.append(
            {
                "name": name,
                "score_as": score_as,
                "labels": texts(row, "label", sheets.language),
                "values": values,
            }
        )
    rules_name = str(settings.get("scoring", "")).strip()
    if rules_name:
        if rules_name not in BUILT_IN_RULES:
            parsed.problems.append(
                Problem(
                    0,
                    "scoring",
                    _("Unknown scoring rules '%(name)s': use sdq_parent or sdq_teacher, or leave it empty.")
                    % {"name": rules_name},
                )
            )
        else:
            rules = built_in_rules(rules_name)
            needed = {item for scale in rules.scales for item in scale.items}
            missing = sorted(needed - seen, key=lambda item: (len(item), item))
            if missing:
                parsed.problems.append(
                    Problem(
                        0,
                        "score_as",
                        _(
                            "The scoring rules need the items %(items)s: add them or give their number in the column score_as."
                        )
                        % {"items": ", ".join(missing)},
                    )
                )
            parsed.scoring = scoring.rules_to_dict(rules)
    if not parsed.items and not parsed.problems:
        parsed.problems.append(Problem(0, "type", _("The form has no item to score.")))
    if not parsed.problems:
        problem = xlsform_problem(content, sheets.file_type)
        if problem is not None:
            parsed.problems.append(problem)
    return parsed
