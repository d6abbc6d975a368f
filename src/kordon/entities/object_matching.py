"""Whether two records of a vehicle, or of a company, are one: a score in 0–1 and the reasons,
in the manner of the person scorer (matching.py), with weights set by hand and written here.

Vehicles: the plate as read, folded (spaces, dashes, and the Cyrillic letters a plate shares with
Latin ones: the Kyrgyz "01 KG 123 АВС" typed in Cyrillic is 01KG123ABC), the VIN (17 characters,
unique to one vehicle), the make. Companies: the name without its legal form (ООО, ОсОО, ТОО,
MChJ, LLC, JSC…) and quotes, folded across scripts (names.py), the registration number, the
country. There are no generated benchmarks for these yet; the weights say what one would expect
of registers (a VIN or a registration number is near proof; a plate is reissued; a company name
alone is weak).
"""

import math
import re
from typing import Any, Final

from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA, JaroWinkler

from kordon.entities.matching import Evidence, Match, Reason
from kordon.entities.names import latin, skeleton

# Cyrillic letters that look like Latin ones on a plate.
PLATE_LOOKALIKES: Final = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
LEGAL_FORMS: Final = frozenset(
    [
        "ooo",
        "oao",
        "zao",
        "pao",
        "ao",
        "too",
        "osoo",
        "ip",
        "chp",
        "mchj",
        "xk",
        "aj",
        "qk",
        "llc",
        "ltd",
        "jsc",
        "cjsc",
        "ojsc",
        "plc",
        "inc",
        "corp",
        "co",
        "gmbh",
        "ag",
        "sa",
        "srl",
        "bv",
        "ug",
        "ltdi",
        "llp",
    ]
)
PRIOR: Final = -4.0
WEIGHTS: Final[dict[str, dict[str, float]]] = {
    "plate": {"exact": 5.0, "one_edit": 2.0, "differs": -3.0},
    "vin": {"exact": 9.0, "differs": -8.0},
    "make": {"same": 0.5, "differs": -2.0},
    "company_name": {"same": 4.0, "close": 2.0, "differs": -3.0},
    "registration": {"exact": 7.0, "differs": -5.0},
    "country": {"same": 0.5, "differs": -2.0},
}


def plate_key(plate: str) -> str:
    """A plate as compared: upper case, Latin letters and digits only."""
    return _NOT_ALNUM.sub("", plate.upper().translate(PLATE_LOOKALIKES))


def company_key(name: str) -> str:
    """A company name as compared: its words folded across scripts, without legal forms."""
    words = [word for word in re.split(r"[^a-z0-9]+", latin(name)) if word and word not in LEGAL_FORMS]
    return " ".join(skeleton(word) for word in words)


def _score(found: list[Evidence]) -> Match:
    reasons = tuple(
        Reason(feature, outcome, WEIGHTS[feature][outcome], message, values)
        for feature, outcome, message, values in found
    )
    logit = PRIOR + sum(reason.weight for reason in reasons)
    return Match(score=1 / (1 + math.exp(-logit)), reasons=reasons)


def _same_or_not(
    feature: str, first: str, second: str, message: Any, differs: Any, *, fold: Any = str
) -> list[Evidence]:
    """The same or not once folded; the sentence shows the values as written."""
    if not fold(first) or not fold(second):
        return []
    values = {"first": first, "second": second}
    if fold(first) == fold(second):
        return [(feature, "same", message, values)]
    return [(feature, "differs", differs, values)]


def compare_vehicles(first: dict[str, Any], second: dict[str, Any]) -> Match:
    """`first`, `second`: {"plate", "vin", "make", "country"}."""
    found: list[Evidence] = []
    one, other = plate_key(first.get("plate", "")), plate_key(second.get("plate", ""))
    if one and other:
        values = {"first": first["plate"], "second": second["plate"]}
        if one == other:
            found.append(("plate", "exact", _("plate matches: %(first)s ~ %(second)s"), values))
        elif OSA.distance(one, other) == 1:
            found.append(("plate", "one_edit", _("plate one character off: %(first)s ~ %(second)s"), values))
        else:
            found.append(("plate", "differs", _("plates differ: %(first)s ~ %(second)s"), values))
    vin_one, vin_other = plate_key(first.get("vin", "")), plate_key(second.get("vin", ""))
    if vin_one and vin_other:
        values = {"first": vin_one, "second": vin_other}
        outcome = "exact" if vin_one == vin_other else "differs"
        message = (
            _("VIN matches: %(first)s") if outcome == "exact" else _("VINs differ: %(first)s ~ %(second)s")
        )
        found.append(("vin", outcome, message, values))
    found += _same_or_not(
        "make",
        first.get("make", ""),
        second.get("make", ""),
        _("make matches: %(first)s"),
        _("makes differ: %(first)s ~ %(second)s"),
        fold=lambda make: latin(make).strip(),
    )
    return _score(found)


def compare_companies(first: dict[str, Any], second: dict[str, Any]) -> Match:
    """`first`, `second`: {"name", "registration_number", "country"}."""
    found: list[Evidence] = []
    one, other = company_key(first.get("name", "")), company_key(second.get("name", ""))
    if one and other:
        values = {"first": first["name"], "second": second["name"]}
        if one == other:
            found.append(
                (
                    "company_name",
                    "same",
                    _("names match without the legal form: %(first)s ~ %(second)s"),
                    values,
                )
            )
        elif JaroWinkler.similarity(one, other) >= 0.9:
            found.append(("company_name", "close", _("names nearly match: %(first)s ~ %(second)s"), values))
        else:
            found.append(("company_name", "differs", _("names differ: %(first)s ~ %(second)s"), values))
    numbers = [plate_key(side.get("registration_number", "")) for side in (first, second)]
    if all(numbers):
        values = {"first": numbers[0], "second": numbers[1]}
        outcome = "exact" if numbers[0] == numbers[1] else "differs"
        message = (
            _("registration number matches: %(first)s")
            if outcome == "exact"
            else _("registration numbers differ: %(first)s ~ %(second)s")
        )
        found.append(("registration", outcome, message, values))
    found += _same_or_not(
        "country",
        first.get("country", ""),
        second.get("country", ""),
        _("country matches: %(first)s"),
        _("countries differ: %(first)s ~ %(second)s"),
    )
    return _score(found)
