"""Risk profiles: a targeter's conditions over a declaration and its trader's history.

A profile's conditions all have to hold ("container from Bandar Abbas via Turkmenbashi, HS 2915,
consignee first seen less than 90 days ago"). Each condition is {"field", "op", "value"}:

- text fields (`office`, `importer`, `hs_code`, `origin_country`, `route_ports`, `description`…):
  `is` / `is_not` one of a list, `starts_with` one of a list (HS headings), `contains` a word;
- numbers (`tax_rate`, `net_mass`, `declared_value`, `value_per_kg`): `below` / `above`;
- history: `importer_days_known` (days since the importer's first earlier declaration; 0 for a new
  one) and `importer_declarations` (how many earlier declarations), both `below` / `above`.

History is computed from earlier declarations only, never from the one being judged or later ones.
"""

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

TEXT_FIELDS = (
    "office", "declarant", "importer", "shipper", "courier", "hs_code", "description", "origin_country",
    "departure_country", "route_ports", "transport_mode", "container_number", "bill_of_lading",
)  # fmt: skip
NUMBER_FIELDS = ("tax_rate", "net_mass", "declared_value", "value_per_kg")
HISTORY_FIELDS = ("importer_days_known", "importer_declarations")
TEXT_OPS = ("is", "is_not", "starts_with", "contains")
NUMBER_OPS = ("below", "above")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any

    def holds(self, fields: Mapping[str, Any]) -> bool:
        actual = fields.get(self.field)
        if self.op in NUMBER_OPS:
            if actual is None:
                return False
            return actual < self.value if self.op == "below" else actual > self.value
        text = str(actual or "").upper()
        if self.op == "is":
            return text in self.value
        if self.op == "is_not":
            return text not in self.value
        if self.op == "starts_with":
            return any(text.startswith(prefix) for prefix in self.value)
        return any(word in text for word in self.value)  # contains


def parse_conditions(raw: Any) -> tuple[list[Condition], list[str]]:
    """The conditions a profile's JSON describes, and what is wrong with it (one message each)."""
    problems: list[str] = []
    conditions: list[Condition] = []
    if not isinstance(raw, list) or not raw:
        return [], [_("A profile needs at least one condition.")]
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"field", "op", "value"}:
            problems.append(_("Condition %(n)s must have a field, an op and a value.") % {"n": number})
            continue
        field, op, value = item["field"], item["op"], item["value"]
        if "\\u0000" in json.dumps(value):  # no database stores it; no real condition needs it
            problems.append(_("Condition %(n)s holds a NUL character.") % {"n": number})
            continue
        if field in TEXT_FIELDS and op in TEXT_OPS:
            words = value if isinstance(value, list) else [value]
            words = [" ".join(str(word).split()).upper() for word in words if str(word).strip()]
            if not words:
                problems.append(_("Condition %(n)s has no value to compare with.") % {"n": number})
                continue
            conditions.append(Condition(field, op, words))
        elif field in (*NUMBER_FIELDS, *HISTORY_FIELDS) and op in NUMBER_OPS:
            try:
                conditions.append(Condition(field, op, float(value)))
            except (TypeError, ValueError):
                problems.append(
                    _("Condition %(n)s compares with a number; “%(value)s” is not one.")
                    % {"n": number, "value": value}
                )
        else:
            problems.append(
                _(
                    "Condition %(n)s: “%(field)s %(op)s” is not a condition Kordon knows. Text fields take is, is_not, starts_with or contains; numbers and history take below or above."
                )
                % {"n": number, "field": field, "op": op}
            )
    return conditions, problems


class ImporterHistory:
    """How long each importer has been known and how often it declared, from earlier declarations
    only. Feed declarations in time order with `see`; ask before seeing the one being judged."""

    def __init__(self, known: Mapping[str, tuple[datetime.date, int]] | None = None) -> None:
        # importer → (first declaration date, number of declarations)
        self.known: dict[str, tuple[datetime.date, int]] = dict(known or {})

    def facts(self, importer: str, day: datetime.date) -> dict[str, float]:
        first, count = self.known.get(importer, (day, 0))
        if first > day:  # known only from later declarations: new as of that day
            first, count = day, 0
        return {"importer_days_known": float((day - first).days), "importer_declarations": float(count)}

    def see(self, importer: str, day: datetime.date) -> None:
        first, count = self.known.get(importer, (day, 0))
        self.known[importer] = (min(first, day), count + 1)


def judged_fields(fields: Mapping[str, Any], history: ImporterHistory) -> dict[str, Any]:
    """The declaration's fields with what the conditions compare: value per kg and history."""
    judged = dict(fields)
    mass, value = fields.get("net_mass"), fields.get("declared_value")
    judged["value_per_kg"] = value / mass if mass and value is not None else None
    judged.update(history.facts(fields.get("importer") or "", fields["declared_on"]))
    return judged


@dataclass(frozen=True)
class Profile:
    """A profile ready to judge declarations (made from a RiskProfile row or a test)."""

    key: int
    name: str
    conditions: tuple[Condition, ...]
    weight: int
    lane: str
    valid_from: datetime.date
    valid_until: datetime.date | None

    def fires(self, judged: Mapping[str, Any]) -> bool:
        day = judged["declared_on"]
        if day < self.valid_from or (self.valid_until is not None and day > self.valid_until):
            return False
        return all(condition.holds(judged) for condition in self.conditions)


def fired(profiles: Sequence[Profile], judged: Mapping[str, Any]) -> list[Profile]:
    return [profile for profile in profiles if profile.fires(judged)]


def combined_weight(weights: Iterable[int]) -> int:
    """Profiles' weights (0–100) combined as independent chances: 60 and 50 make 80, never over 100."""
    missed = 1.0
    for weight in weights:
        missed *= 1 - min(weight, 100) / 100
    return round((1 - missed) * 100)
