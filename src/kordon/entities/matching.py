"""Whether two descriptions of a person are one person: a score in 0–1 and the reasons.

Each piece of evidence (names, birth date, document number, nationality, gender) adds weight
for or against, in the manner of Fellegi and Sunter: the log of how much more often it is seen
between records of one person than between records of two. The score is the logistic of the
weights added to a prior, and every weight comes with a sentence an officer can check ("birth
date matches with day and month swapped").

The weights are set by hand from what the region's records get wrong (the reference's error
model: transliteration, swapped day and month, one digit or character off); they are to be
fitted on the generated identities of the benchmark.
"""

import datetime
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA, JaroWinkler

from kordon.entities.names import PersonName, father, parse, skeleton

# How rare a true match is among the pairs a screening looks at, as log-odds.
PRIOR = -6.0
# Above this, a pair is shown to an officer as a possible match (a node setting once screening
# exists; to be fitted on the generated identities of bench/identities.py).
DEFAULT_THRESHOLD = 0.7
# Names at least this similar (Jaro–Winkler) are "nearly the same": a letter or two apart.
CLOSE = 0.9
FEATURE_LABELS = {"nationality": _("nationality"), "gender": _("gender")}
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class Person:
    """What a record, a watchlist entry or a screening query says about a person."""

    name: str
    birth_date: str = ""  # "1975-03-12", "1975-03" or "1975"
    nationality: str = ""  # ISO 3166 alpha-2
    document_number: str = ""
    gender: str = ""  # "male", "female" or ""


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


@dataclass(frozen=True)
class Match:
    score: float
    reasons: tuple[Reason, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(f"{reason.text} ({reason.weight:+.1f})" for reason in self.reasons)


def compare(first: Person, second: Person) -> Match:
    """How likely `first` and `second` are one person, and why."""
    reasons = [
        *_names(parse(first.name), parse(second.name)),
        *_birth_dates(first.birth_date, second.birth_date),
        *_documents(first.document_number, second.document_number),
        *_same_or_not("nationality", first.nationality.upper(), second.nationality.upper(), 0.5, -1.0),
        *_same_or_not("gender", first.gender.lower(), second.gender.lower(), 0.2, -3.0),
    ]
    logit = PRIOR + sum(reason.weight for reason in reasons)
    return Match(score=1 / (1 + math.exp(-logit)), reasons=tuple(reasons))


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


def _names(first: PersonName, second: PersonName) -> list[Reason]:
    if not first.names or not second.names:
        return []
    shorter, longer = sorted((first, second), key=lambda name: len(name.names))
    aligned = _aligned(shorter.names, longer.names)
    lowest = min(similarity for _one, _other, similarity in aligned)
    pairs = ", ".join(f"{one} ~ {other}" for one, other, _similarity in aligned)
    left = set(longer.names) - {other for _one, other, _similarity in aligned}
    # An initial ("Soultanov A.") stands for a name of the other record with that first letter.
    initials = [
        initial
        for initial in shorter.initials
        if any(skeleton(name)[:1] == skeleton(initial) for name in left)
    ]
    reasons = []
    # Names run together ("RamiMakhlouf", "PolPot") are compared whole.
    if (
        lowest < CLOSE
        and JaroWinkler.normalized_similarity("".join(shorter.names), "".join(longer.names)) >= 0.95
    ):
        lowest = CLOSE
    # Two people known by one name each are as alike as their names can show.
    enough = len(aligned) + len(initials) >= 2 or len(shorter.names) == len(longer.names) == 1
    if lowest >= 0.99 and enough:
        reasons.append(
            Reason("name", "same", 6.0, _("names match across spellings: %(pairs)s"), {"pairs": pairs})
        )
    elif lowest >= 0.99:
        reasons.append(Reason("name", "one_name", 2.5, _("one name matches: %(pairs)s"), {"pairs": pairs}))
    elif lowest >= CLOSE:
        weight = 4.0 if enough else 1.5
        reasons.append(Reason("name", "close", weight, _("names nearly match: %(pairs)s"), {"pairs": pairs}))
    elif lowest >= 0.8:
        reasons.append(Reason("name", "similar", 1.0, _("names are similar: %(pairs)s"), {"pairs": pairs}))
    else:
        reasons.append(Reason("name", "differs", -5.0, _("names differ: %(pairs)s"), {"pairs": pairs}))
    if initials:
        reasons.append(
            Reason(
                "name",
                "initial",
                1.0,
                _("initial %(initials)s fits"),
                {"initials": ", ".join(initials).upper()},
            )
        )
    if first.patronymic and second.patronymic:
        values = {"first": first.patronymic, "second": second.patronymic}
        if father(first.patronymic) == father(second.patronymic):
            reasons.append(
                Reason("patronymic", "same", 1.5, _("patronymics match: %(first)s ~ %(second)s"), values)
            )
        else:
            reasons.append(
                Reason("patronymic", "differs", -2.0, _("patronymics differ: %(first)s ~ %(second)s"), values)
            )
    return reasons


def _date_parts(text: str) -> tuple[int, int | None, int | None] | None:
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


def _birth_dates(first: str, second: str) -> list[Reason]:
    one, other = _date_parts(first), _date_parts(second)
    if one is None or other is None:
        return []
    values = {"first": first, "second": second}
    if one == other:
        return [
            Reason("birth_date", "exact", 4.0 if one[2] else 1.5, _("birth date matches: %(first)s"), values)
        ]
    if None in (one[1], one[2], other[1], other[2]):
        if one[0] == other[0]:
            return [
                Reason(
                    "birth_date", "same_year", 1.5, _("birth year matches: %(first)s ~ %(second)s"), values
                )
            ]
        return [
            Reason("birth_date", "differs", -4.0, _("birth years differ: %(first)s ~ %(second)s"), values)
        ]
    if one[0] == other[0] and (one[1], one[2]) == (other[2], other[1]):
        return [
            Reason("birth_date", "day_month_swapped", 3.0,
                   _("birth date matches with day and month swapped: %(first)s ~ %(second)s"), values)
        ]  # fmt: skip
    digits_one, digits_other = (
        f"{one[0]:04}{one[1]:02}{one[2]:02}",
        f"{other[0]:04}{other[1]:02}{other[2]:02}",
    )
    if sum(a != b for a, b in zip(digits_one, digits_other, strict=True)) == 1:
        return [
            Reason(
                "birth_date", "one_digit", 2.5, _("birth date one digit off: %(first)s ~ %(second)s"), values
            )
        ]
    if abs(one[0] - other[0]) == 1 and (one[1], one[2]) == (other[1], other[2]):
        return [
            Reason("birth_date", "year_off", 1.5, _("birth date a year off: %(first)s ~ %(second)s"), values)
        ]
    return [Reason("birth_date", "differs", -5.0, _("birth dates differ: %(first)s ~ %(second)s"), values)]


def document_key(number: str) -> str:
    """A document number as compared: upper case, letters and digits only ("AN 123-456" →
    "AN123456")."""
    return _NOT_ALNUM.sub("", number.upper())


def _documents(first: str, second: str) -> list[Reason]:
    one, other = document_key(first), document_key(second)
    if not one or not other:
        return []
    values = {"first": first, "second": second}
    if one == other:
        return [Reason("document", "exact", 7.0, _("document number matches: %(first)s"), values)]
    if OSA.distance(one, other) == 1:
        return [Reason("document", "one_edit", 4.5,
                       _("document number one character off: %(first)s ~ %(second)s"), values)]  # fmt: skip
    # A person may hold several documents: another number is weak evidence against.
    return [Reason("document", "differs", -1.5, _("document numbers differ: %(first)s ~ %(second)s"), values)]


def _same_or_not(feature: str, first: str, second: str, same: float, differs: float) -> list[Reason]:
    if not first or not second:
        return []
    values = {"feature": FEATURE_LABELS[feature], "first": first, "second": second}
    if first == second:
        return [Reason(feature, "same", same, _("%(feature)s matches: %(first)s"), values)]
    return [Reason(feature, "differs", differs, _("%(feature)s differs: %(first)s ~ %(second)s"), values)]
