"""Scoring of questionnaires made of numbered items, driven by rules stored as data.

Why data and not code: the same engine has to score the SDQ for parents and for teachers, with
cut-off bands that differ by informant and by country (the UK bands are not Central Asian norms),
and later other instruments (FES and the like). A deployment adjusts a JSON table; nobody edits
Python to change a cut-off.

Why item numbers and no wording: the SDQ (© Robert Goodman / Youthinmind) and the FES are licensed
questionnaires; electronic versions need the owner's agreement. Kordon therefore ships only how
answers are scored, keyed on item numbers ("1".."25"), and a licensed deployment loads the official
(translated) wording itself.

The rules:

- a ``Scale`` adds its items' answers, reversing the items that are worded positively
  (``item_max + item_min - x``, i.e. ``2 - x`` on the SDQ's 0-2 range);
- with ``prorate`` a scale with missing items is still scored when at least ``minimum_answered``
  are answered: the mean of the answered items times the number of items (the sdqinfo.org rule:
  "prorate if at least 3 of the 5 items are answered"), rounded half up to an integer;
- a ``Composite`` adds whole scales (SDQ total difficulties = emotional + conduct + hyperactivity +
  peer) and is missing when any part is missing;
- ``Band`` tables name the range a score falls in ("borderline", "high", ...).
"""

import itertools
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

SDQ_FILE = Path(__file__).resolve().parent / "data" / "sdq.json"


@dataclass(frozen=True)
class Scale:
    """A sum of items; ``reversed`` items are scored ``item_max + item_min - x``.

    ``minimum_answered`` = 0 means every item must be answered. Without ``prorate`` every item must
    be answered as well: a plain sum over some of the items would not be comparable between people.
    """

    name: str
    items: tuple[str, ...]
    _: KW_ONLY
    item_max: float
    reversed: frozenset[str] = frozenset()
    minimum_answered: int = 0
    item_min: float = 0
    prorate: bool = True
    round_to_integer: bool = True

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("A scale needs a name.")
        if not self.items:
            raise ValueError(f"Scale {self.name!r} has no items.")
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"Scale {self.name!r} lists an item more than once.")
        unknown = sorted(self.reversed - set(self.items))
        if unknown:
            raise ValueError(
                f"Scale {self.name!r} reverses item(s) {', '.join(unknown)}, which are not among its items."
            )
        if not self.item_min < self.item_max:
            raise ValueError(
                f"Scale {self.name!r}: the lowest answer ({self.item_min}) must be below the highest ({self.item_max})."
            )
        if self.minimum_answered < 0:
            raise ValueError(f"Scale {self.name!r}: minimum_answered cannot be negative.")
        if self.minimum_answered > len(self.items):
            raise ValueError(
                f"Scale {self.name!r} asks for at least {self.minimum_answered} answered items "
                f"but has only {len(self.items)}."
            )
        if not self.prorate and self.minimum_answered not in (0, len(self.items)):
            raise ValueError(
                f"Scale {self.name!r} is not prorated, so every item must be answered; "
                f"set minimum_answered to 0 or turn prorating on."
            )

    @property
    def required(self) -> int:
        """How many items must be answered for the scale to have a score."""
        if not self.prorate or self.minimum_answered == 0:
            return len(self.items)
        return self.minimum_answered


@dataclass(frozen=True)
class Composite:
    """A sum of scales (e.g. SDQ total difficulties); missing when any part is missing."""

    name: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    """A named score range, both ends included (SDQ cut-offs are written as 0-13, 14-16, 17-40)."""

    label: str
    low: float
    high: float


@dataclass(frozen=True)
class ScoringRules:
    """Everything needed to turn answers into scores and bands for one questionnaire and informant.

    ``bands`` is keyed by scale or composite name and may leave names out (the SDQ publishes no bands
    for externalising/internalising). ``higher_is_better`` names the scales where a high score is good
    (SDQ prosocial), so reports can say which direction is an improvement. ``source`` cites where the
    rules come from.
    """

    name: str
    scales: tuple[Scale, ...]
    composites: tuple[Composite, ...] = ()
    _: KW_ONLY
    bands: dict[str, tuple[Band, ...]] = field(default_factory=dict)
    higher_is_better: frozenset[str] = frozenset()
    source: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Scoring rules need a name.")
        if not self.scales:
            raise ValueError(f"Scoring rules {self.name!r} have no scales.")
        scale_names = [scale.name for scale in self.scales]
        _no_repeats(scale_names, f"Scoring rules {self.name!r} name a scale more than once")
        names = set(scale_names)
        for composite in self.composites:
            if composite.name in names:
                raise ValueError(
                    f"Composite {composite.name!r} has the same name as a scale or another composite."
                )
            if not composite.parts:
                raise ValueError(f"Composite {composite.name!r} has no parts.")
            unknown = [part for part in composite.parts if part not in scale_names]
            if unknown:
                raise ValueError(
                    f"Composite {composite.name!r} adds {', '.join(map(repr, unknown))}, "
                    f"which is not a scale of {self.name!r}."
                )
            names.add(composite.name)
        for name, bands in self.bands.items():
            if name not in names:
                raise ValueError(f"Bands are given for {name!r}, which is not a scale or composite.")
            _check_bands(name, bands)
        unknown_better = sorted(self.higher_is_better - names)
        if unknown_better:
            raise ValueError(
                f"higher_is_better names {', '.join(map(repr, unknown_better))}, "
                f"which is not a scale or composite."
            )

    @property
    def names(self) -> tuple[str, ...]:
        """Scale names then composite names, in the order the rules list them."""
        return tuple(s.name for s in self.scales) + tuple(c.name for c in self.composites)


def _no_repeats(names: Iterable[str], message: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{message}: {name!r}.")
        seen.add(name)


def _check_bands(name: str, bands: tuple[Band, ...]) -> None:
    labels = [b.label for b in bands]
    _no_repeats(labels, f"The bands of {name!r} repeat a label")
    for b in bands:
        if b.low > b.high:
            raise ValueError(f"Band {b.label!r} of {name!r} starts at {b.low}, above its end {b.high}.")
    ordered = sorted(bands, key=lambda b: b.low)
    for lower, upper in itertools.pairwise(ordered):
        # Both ends are included, so 0-3 and 3-5 overlap at 3 while 0-3 and 4-5 do not.
        if upper.low <= lower.high:
            raise ValueError(
                f"Bands {lower.label!r} ({lower.low}-{lower.high}) and {upper.label!r} "
                f"({upper.low}-{upper.high}) of {name!r} overlap."
            )


def _round_half_up(value: Fraction) -> int:
    # SPSS RND() as in the sdqinfo.org syntax: halves go up (scores are never negative here).
    # Python's round() would send 2.5 to 2 (bankers' rounding), so it is not used.
    return math.floor(value + Fraction(1, 2))


def _score_scale(scale: Scale, answers: Mapping[str, float | None]) -> float | None:
    answered: list[Fraction] = []
    for item in scale.items:
        value = answers.get(item)
        if value is None:
            continue
        # Fraction of a float is exact, so prorating and rounding carry no binary rounding error
        # (4/3 × 5 is 20/3, and 2/4 × 5 is exactly 5/2, which rounds up to 3).
        exact = Fraction(float(value))  # float() also turns numpy scalars into plain numbers
        if item in scale.reversed:
            exact = Fraction(scale.item_max) + Fraction(scale.item_min) - exact
        answered.append(exact)
    if len(answered) < scale.required:
        return None
    # Mean of the answered items × number of items; with every item answered this is the plain sum.
    total = sum(answered, Fraction(0)) * len(scale.items) / len(answered)
    if scale.round_to_integer:
        return _round_half_up(total)
    return float(total)


def _check_answers(rules: ScoringRules, answers: Mapping[str, float | None]) -> None:
    for scale in rules.scales:
        for item in scale.items:
            value = answers.get(item)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"The answer to item {item} is {value!r}, not a number.")
            if math.isnan(value) or not scale.item_min <= value <= scale.item_max:
                raise ValueError(
                    f"The answer to item {item} is {value}, outside the range "
                    f"{scale.item_min:g}-{scale.item_max:g} of scale {scale.name!r}."
                )


def score(rules: ScoringRules, answers: Mapping[str, float | None]) -> dict[str, float | None]:
    """Score every scale and composite; a missing score (too few answers) is None.

    ``answers`` maps item numbers to answers; an item left out and an item answered None are both
    unanswered. Answers to items no scale uses (e.g. the SDQ impact supplement) are ignored.
    Rounded scores come back as ints.
    """
    _check_answers(rules, answers)
    scores: dict[str, float | None] = {}
    for scale in rules.scales:
        scores[scale.name] = _score_scale(scale, answers)
    for composite in rules.composites:
        parts = [scores[part] for part in composite.parts]
        scores[composite.name] = (
            None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        )
    return scores


def band(rules: ScoringRules, name: str, value: float | None) -> str | None:
    """The label of the band ``value`` falls in; None for a missing score, a scale without bands or a
    value between bands (only possible with unrounded scores)."""
    if name not in rules.names:
        raise ValueError(f"{name!r} is not a scale or composite of {rules.name!r}.")
    if value is None:
        return None
    for b in rules.bands.get(name, ()):
        if b.low <= value <= b.high:
            return b.label
    return None


# --- rules as data ---------------------------------------------------------------------------------

_SCALE_KEYS = {
    "name",
    "items",
    "reversed",
    "minimum_answered",
    "item_max",
    "item_min",
    "prorate",
    "round_to_integer",
}
_RULES_KEYS = {"name", "source", "scales", "composites", "bands", "higher_is_better"}


def _expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    # bool is an int in Python; a JSON true where a number belongs is still a mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{what} has the wrong type ({type(value).__name__}).")
    return value


def _names(value: Any, what: str) -> tuple[str, ...]:
    _expect(value, list, what)
    for entry in value:
        _expect(entry, str, f"An entry of {what}")
    return tuple(value)


def _unknown_keys(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(
            f"{what} has unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(allowed))}."
        )


def _scale_from_dict(data: Any) -> Scale:
    _expect(data, dict, "A scale")
    _unknown_keys(data, _SCALE_KEYS, f"Scale {data.get('name')!r}")
    for key in ("name", "items", "item_max"):
        if key not in data:
            raise ValueError(f"Scale {data.get('name')!r} has no {key!r}.")
    name = _expect(data["name"], str, "A scale's name")
    return Scale(
        name,
        _names(data["items"], f"The items of scale {name!r}"),
        item_max=_expect(data["item_max"], (int, float), f"item_max of scale {name!r}"),
        reversed=frozenset(_names(data.get("reversed", []), f"The reversed items of scale {name!r}")),
        minimum_answered=_expect(data.get("minimum_answered", 0), int, f"minimum_answered of scale {name!r}"),
        item_min=_expect(data.get("item_min", 0), (int, float), f"item_min of scale {name!r}"),
        prorate=_expect(data.get("prorate", True), bool, f"prorate of scale {name!r}"),
        round_to_integer=_expect(
            data.get("round_to_integer", True), bool, f"round_to_integer of scale {name!r}"
        ),
    )


def _band_from_dict(data: Any, name: str) -> Band:
    _expect(data, dict, f"A band of {name!r}")
    _unknown_keys(data, {"label", "low", "high"}, f"A band of {name!r}")
    try:
        return Band(
            _expect(data["label"], str, f"A band label of {name!r}"),
            _expect(data["low"], (int, float), f"A band's low end of {name!r}"),
            _expect(data["high"], (int, float), f"A band's high end of {name!r}"),
        )
    except KeyError as missing:
        raise ValueError(f"A band of {name!r} has no {missing}.") from None


def rules_from_dict(data: Mapping[str, Any]) -> ScoringRules:
    """Build and check rules from their JSON form (as written by ``rules_to_dict``).

    Mistakes raise ValueError with a sentence saying what is wrong, for whoever edits the table.
    """
    _expect(data, dict, "Scoring rules")
    _unknown_keys(data, _RULES_KEYS, "Scoring rules")
    if "name" not in data or "scales" not in data:
        raise ValueError("Scoring rules need a 'name' and a list of 'scales'.")
    name = _expect(data["name"], str, "The name of the scoring rules")
    scales = tuple(_scale_from_dict(s) for s in _expect(data["scales"], list, f"The scales of {name!r}"))
    composites = []
    for c in _expect(data.get("composites", []), list, f"The composites of {name!r}"):
        _expect(c, dict, f"A composite of {name!r}")
        _unknown_keys(c, {"name", "parts"}, f"A composite of {name!r}")
        if "name" not in c or "parts" not in c:
            raise ValueError(f"A composite of {name!r} needs a 'name' and its 'parts'.")
        composite_name = _expect(c["name"], str, "A composite's name")
        composites.append(Composite(composite_name, _names(c["parts"], f"The parts of {composite_name!r}")))
    bands = {
        key: tuple(_band_from_dict(b, key) for b in _expect(value, list, f"The bands of {key!r}"))
        for key, value in _expect(data.get("bands", {}), dict, f"The bands of {name!r}").items()
    }
    return ScoringRules(
        name,
        scales,
        tuple(composites),
        bands=bands,
        higher_is_better=frozenset(_names(data.get("higher_is_better", []), "higher_is_better")),
        source=_expect(data.get("source", ""), str, "The source"),
    )


def rules_to_dict(rules: ScoringRules) -> dict[str, Any]:
    """The JSON form of ``rules``; sets are written as lists in a fixed order so files diff cleanly."""
    return {
        "name": rules.name,
        "source": rules.source,
        "scales": [
            {
                "name": s.name,
                "items": list(s.items),
                "reversed": [item for item in s.items if item in s.reversed],
                "minimum_answered": s.minimum_answered,
                "item_min": s.item_min,
                "item_max": s.item_max,
                "prorate": s.prorate,
                "round_to_integer": s.round_to_integer,
            }
            for s in rules.scales
        ],
        "composites": [{"name": c.name, "parts": list(c.parts)} for c in rules.composites],
        "bands": {
            key: [{"label": b.label, "low": b.low, "high": b.high} for b in bands]
            for key, bands in rules.bands.items()
        },
        "higher_is_better": [name for name in rules.names if name in rules.higher_is_better],
    }


def load_sdq(informant: str) -> ScoringRules:
    """The SDQ scoring rules for ``informant`` ("parent" or "teacher") from data/sdq.json.

    The bands there are the published UK cut-offs; Central Asian deployments should replace them with
    local norms when those exist (Mongolian and Japanese parent norms differ from the UK ones).
    """
    tables = json.loads(SDQ_FILE.read_text(encoding="utf-8"))
    key = f"sdq_{informant}"
    if key not in tables:
        known = ", ".join(sorted(k.removeprefix("sdq_") for k in tables))
        raise ValueError(f"There are no SDQ scoring rules for informant {informant!r}; known: {known}.")
    return rules_from_dict(tables[key])
