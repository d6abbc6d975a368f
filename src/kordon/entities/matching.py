"""Whether two descriptions of a person are one person: a score in 0–1 and the reasons.

Each piece of evidence (names, birth date, document number, nationality, gender) adds weight
for or against, in the manner of Fellegi and Sunter: the log of how much more often it is seen
between records of one person than between records of two. The score is the logistic of the
weights added to a prior, and every weight comes with a sentence an officer can check ("birth
date matches with day and month swapped").

The weights (data/weights.json) are fitted by logistic regression on the candidates a screening
index finds for generated identities written as the region's records write them (the
reference's error model: transliteration, swapped day and month, one digit or character off, a
year alone, an initial): `python -m bench.fit_weights` writes them, from a seed the benchmark
that reports the figures (bench/screening.py) does not use.
"""

import datetime
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA, JaroWinkler

from kordon.entities.names import PersonName, father, parse, skeleton

# Above this, a pair is shown to an officer as a possible match; a node sets its own threshold
# (KORDON_SCREENING_THRESHOLD).
DEFAULT_THRESHOLD = 0.7
WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "weights.json"
# Names at least this similar (Jaro–Winkler) are "nearly the same": a letter or two apart.
CLOSE = 0.9
FEATURE_LABELS = {"nationality": _("nationality"), "gender": _("gender")}
# Document numbers shorter than this are filed whole only in a screening index.
SHORTEST_DOCUMENT = 4
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class Person:
    """What a record, a watchlist entry or a screening query says about a person."""

    name: str
    birth_date: str = ""  # "1975-03-12", "1975-03" or "1975"
    nationality: str = ""  # ISO 3166 alpha-2
    document_number: str = ""
    gender: str = ""  # "male", "female" or ""
    # Phone numbers as digits only; records know them, watchlists and passports do not.
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    feature: str  # name, patronymic, birth_date, document, nationality, gender
    outcome: str  # a code: "exact", "day_month_swapped", "one_edit", "differs"...
    weight: float
    # The sentence is put together only when shown: a screening scores hundreds of candidates
    # and explains the few above the threshold.
    message: Promise
    values: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.message) % self.values


# (feature, outcome, the sentence, its values): what a comparison found, before it is weighed.
Evidence = tuple[str, str, Promise, dict[str, Any]]


@dataclass(frozen=True)
class Weights:
    """The log-odds each outcome of each feature adds, and the prior they are added to."""

    prior: float
    features: dict[str, dict[str, float]]

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> "Weights":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(prior=float(data["prior"]), features=data["features"])


WEIGHTS = Weights.load()


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[Reason, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(f"{reason.text} ({reason.weight:+.1f})" for reason in self.reasons)


def compare(first: Person, second: Person, *, namesakes: int = 0) -> Match:
    """How likely `first` and `second` are one person, and why. `namesakes`: how many entries of
    the list `second` comes from share a pair of names with `first` (0: not known)."""
    reasons = tuple(
        Reason(feature, outcome, _weight(feature, outcome, values), message, values)
        for feature, outcome, message, values in evidence(first, second, namesakes=namesakes)
    )
    logit = WEIGHTS.prior + sum(reason.weight for reason in reasons)
    return Match(score=1 / (1 + math.exp(-logit)), reasons=reasons)


def best_possible(
    query: Person,
    years: np.ndarray,
    months: np.ndarray,
    days: np.ndarray,
    namesakes: np.ndarray,
    by_document: np.ndarray,
) -> np.ndarray:
    """For many candidates at once, the highest score `compare` could give each: their birth
    dates (year, month, day; 0 where unknown) and namesakes weighed exactly, everything else at
    its best (the best name and patronymic; a document only for candidates found by it). A
    screening compares in full only the candidates that can reach its threshold: a namesake
    born on another day is dropped here, without reading his names."""
    weights = WEIGHTS.features
    logit = WEIGHTS.prior + max(weights["name"].values()) + max(0.0, *weights["patronymic"].values())
    logit += max(0.0, *weights["nationality"].values()) + max(0.0, *weights["gender"].values())
    if query.phones:
        logit += max(weights["phone"].values())
    dates = birth_date_weights(query.birth_date, years, months, days)
    known = namesakes > 0
    names = np.where(
        known,
        weights["namesakes"]["known"] + weights["namesakes"]["per_log"] * np.log(np.maximum(namesakes, 1)),
        0.0,
    )
    # A short number has no variants in the index: one character off, it is not found by them.
    short = 0 < len(document_key(query.document_number)) < SHORTEST_DOCUMENT
    documents = np.where(by_document | short, max(weights["document"].values()), 0.0)
    return 1 / (1 + np.exp(-(logit + dates + names + documents)))


def birth_date_weights(query: str, years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The weight `_birth_dates` gives `query` against each of many dates (0 where unknown)."""
    weights = WEIGHTS.features["birth_date"]
    parts = date_parts(query)
    if parts is None:
        return np.zeros(len(years))
    year, month, day = parts
    years, months, days = years.astype(np.int64), months.astype(np.int64), days.astype(np.int64)
    same_year = years == year
    result = np.where(same_year, weights["same_year"], weights["differs"])
    if month is not None and day is not None:
        full = (months > 0) & (days > 0)
        exact = same_year & (months == month) & (days == day)
        swapped = same_year & (months == day) & (days == month)
        wrong = np.zeros(len(years), dtype=np.int64)
        for value, mine, places in ((years, year, 4), (months, month, 2), (days, day, 2)):
            for place in range(places):
                wrong += (value // 10**place) % 10 != (mine // 10**place) % 10
        year_off = (np.abs(years - year) == 1) & (months == month) & (days == day)
        exact_weight = np.select(
            [exact, swapped, wrong == 1, year_off],
            [weights["exact"], weights["day_month_swapped"], weights["one_digit"], weights["year_off"]],
            weights["differs"],
        )
        result = np.where(full, exact_weight, result)
    return np.where(years > 0, result, 0.0)


def evidence(first: Person, second: Person, *, namesakes: int = 0) -> list[Evidence]:
    """What a comparison finds, feature by feature, before it is weighed."""
    return [
        *_names(parse(first.name), parse(second.name)),
        *_namesakes(namesakes),
        *_birth_dates(first.birth_date, second.birth_date),
        *_documents(first.document_number, second.document_number),
        *_same_or_not("nationality", first.nationality.upper(), second.nationality.upper()),
        *_same_or_not("gender", first.gender.lower(), second.gender.lower()),
        *_phones(first.phones, second.phones),
    ]


def _similarity(first: str, second: str) -> float:
    """Of two names (words): 1 when their skeletons agree, else the closer of Jaro–Winkler on the
    Latin forms and on the skeletons."""
    if skeleton(first) == skeleton(second):
        return 1.0
    return max(
        JaroWinkler.normalized_similarity(first, second),
        JaroWinkler.normalized_similarity(skeleton(first), skeleton(second)),
    )


def _aligned(shorter: Sequence[str], longer: Sequence[str]) -> list[tuple[str, str, float]]:
    """Each name of `shorter` with the most similar unused name of `longer`, in any order
    (surname first in one record, given name first in another)."""
    pairs = sorted(
        (
            (_similarity(one, other), index, spot)
            for index, one in enumerate(shorter)
            for spot, other in enumerate(longer)
        ),
        reverse=True,
    )
    used_short: set[int] = set()
    used_long: set[int] = set()
    aligned = []
    for similarity, index, spot in pairs:
        if index in used_short or spot in used_long:
            continue
        used_short.add(index)
        used_long.add(spot)
        aligned.append((shorter[index], longer[spot], similarity))
    return aligned


NAME_MESSAGES = {
    "same": _("names match across spellings: %(pairs)s"),
    "close": _("names nearly match: %(pairs)s"),
    "similar": _("names are similar: %(pairs)s"),
    "one_name": _("one name matches: %(pairs)s"),
    "one_name_initial": _("one name matches and the initial fits: %(pairs)s, %(initials)s"),
    "one_close": _("one name nearly matches: %(pairs)s"),
    "differs": _("names differ: %(pairs)s"),
}


def _names(first: PersonName, second: PersonName) -> list[Evidence]:
    if not first.names or not second.names:
        return []
    shorter, longer = sorted((first, second), key=lambda name: len(name.names))
    aligned = _aligned(shorter.names, longer.names)
    lowest = min(similarity for _one, _other, similarity in aligned)
    values = {"pairs": ", ".join(f"{one} ~ {other}" for one, other, _similarity in aligned)}
    left = set(longer.names) - {other for _one, other, _similarity in aligned}
    # An initial ("Soultanov A.") stands for a name of the other record with that first letter.
    initials = [
        initial
        for initial in shorter.initials
        if any(skeleton(name)[:1] == skeleton(initial) for name in left)
    ]
    # Names run together ("RamiMakhlouf", "PolPot") are compared whole.
    if (
        lowest < CLOSE
        and JaroWinkler.normalized_similarity("".join(shorter.names), "".join(longer.names)) >= 0.95
    ):
        lowest = CLOSE
    single = len(shorter.names) == len(longer.names) == 1
    if lowest < 0.8 or (len(aligned) == 1 and not single and lowest < CLOSE):
        outcome = "differs"
    elif len(aligned) >= 2 or single:
        # Two people known by one name each are as alike as their names can show.
        outcome = "same" if lowest >= 0.99 else "close" if lowest >= CLOSE else "similar"
    elif lowest < 0.99:
        outcome = "one_close"
    elif initials:
        outcome = "one_name_initial"
        values["initials"] = ", ".join(initials).upper()
    else:
        outcome = "one_name"
    evidence: list[Evidence] = [("name", outcome, NAME_MESSAGES[outcome], values)]
    if first.patronymic and second.patronymic:
        values = {"first": first.patronymic, "second": second.patronymic}
        if father(first.patronymic) == father(second.patronymic):
            evidence.append(("patronymic", "same", _("patronymics match: %(first)s ~ %(second)s"), values))
        else:
            evidence.append(
                ("patronymic", "differs", _("patronymics differ: %(first)s ~ %(second)s"), values)
            )
    return evidence


def _namesakes(count: int) -> list[Evidence]:
    """Agreeing names are worth less the more people on the list share them: among fifty
    namesakes one born on the same day is far likelier than among two. Weighed by the log of the
    count (outcome "log"), as Fellegi and Sunter weigh a value by its frequency."""
    if count <= 0:
        return []
    message = (
        _("no one else on the list has this name")
        if count == 1
        else _("%(count)s people on the list have this name")
    )
    return [("namesakes", "log", message, {"count": count})]


def _weight(feature: str, outcome: str, values: dict[str, Any]) -> float:
    weights = WEIGHTS.features[feature]
    if feature == "namesakes":
        return weights["known"] + weights["per_log"] * math.log(values["count"])
    return weights[outcome]


def date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of "1975-03-12", "1975-03" or "1975"; None when it is none of these."""
    parts = text.strip().split("-")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        return None
    if not numbers or not 1000 <= numbers[0] <= 9999 or len(numbers) > 3:
        return None
    if len(numbers) == 3:
        try:
            datetime.date(*numbers)
        except ValueError:
            return None
    month = numbers[1] if len(numbers) > 1 else None
    day = numbers[2] if len(numbers) > 2 else None
    return numbers[0], month, day


def _birth_dates(first: str, second: str) -> list[Evidence]:
    one, other = date_parts(first), date_parts(second)
    if one is None or other is None:
        return []
    values = {"first": first, "second": second}
    if one == other and one[2] is not None:
        return [("birth_date", "exact", _("birth date matches: %(first)s"), values)]
    if None in (one[1], one[2], other[1], other[2]):
        if one[0] == other[0]:
            return [("birth_date", "same_year", _("birth year matches: %(first)s ~ %(second)s"), values)]
        return [("birth_date", "differs", _("birth years differ: %(first)s ~ %(second)s"), values)]
    if one[0] == other[0] and (one[1], one[2]) == (other[2], other[1]):
        message = _("birth date matches with day and month swapped: %(first)s ~ %(second)s")
        return [("birth_date", "day_month_swapped", message, values)]
    digits_one = f"{one[0]:04}{one[1]:02}{one[2]:02}"
    digits_other = f"{other[0]:04}{other[1]:02}{other[2]:02}"
    if sum(a != b for a, b in zip(digits_one, digits_other, strict=True)) == 1:
        return [("birth_date", "one_digit", _("birth date one digit off: %(first)s ~ %(second)s"), values)]
    if abs(one[0] - other[0]) == 1 and (one[1], one[2]) == (other[1], other[2]):
        return [("birth_date", "year_off", _("birth date a year off: %(first)s ~ %(second)s"), values)]
    return [("birth_date", "differs", _("birth dates differ: %(first)s ~ %(second)s"), values)]


def document_key(number: str) -> str:
    """A document number as compared: upper case, letters and digits only ("AN 123-456" →
    "AN123456")."""
    return _NOT_ALNUM.sub("", number.upper())


def _documents(first: str, second: str) -> list[Evidence]:
    one, other = document_key(first), document_key(second)
    if not one or not other:
        return []
    values = {"first": first, "second": second}
    if one == other:
        return [("document", "exact", _("document number matches: %(first)s"), values)]
    if OSA.distance(one, other) == 1:
        return [
            ("document", "one_edit", _("document number one character off: %(first)s ~ %(second)s"), values)
        ]
    # A person may hold several documents: another number is weak evidence against.
    return [("document", "differs", _("document numbers differ: %(first)s ~ %(second)s"), values)]


def _phones(first: tuple[str, ...], second: tuple[str, ...]) -> list[Evidence]:
    """A shared phone number is evidence for; different ones are none against (people change
    numbers and have several)."""
    shared = sorted(set(first) & set(second) - {""})
    if not shared:
        return []
    return [("phone", "shared", _("phone number matches: %(number)s"), {"number": shared[0]})]


def _same_or_not(feature: str, first: str, second: str) -> list[Evidence]:
    if not first or not second:
        return []
    values = {"feature": FEATURE_LABELS[feature], "first": first, "second": second}
    if first == second:
        return [(feature, "same", _("%(feature)s matches: %(first)s"), values)]
    return [(feature, "differs", _("%(feature)s differs: %(first)s ~ %(second)s"), values)]
