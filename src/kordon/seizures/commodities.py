"""Commodity families: what each may be measured in, and the details each may carry.

Drugs are one family of the catalogue among others (precursors, firearms, counterfeit goods,
tobacco and alcohol, wildlife and timber, cultural property, currency, nuclear and dual-use
goods). A family's units are the measures that make sense for it (pistols in pieces, cartridges
in rounds, saiga horns in head or kilograms, cash as an amount in a currency); only mass, and
volumes or doses the catalogue converts, ever become kilograms, so pieces are never summed into
kilograms.
"""

from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kordon.seizures.models import CommodityFamily, Substance, UnitOfMeasure

U = UnitOfMeasure
MASS = (U.KG, U.G, U.T)
VOLUME = (U.L, U.ML)
FAMILY_UNITS: Final[dict[str, tuple[str, ...]]] = {
    CommodityFamily.DRUGS: (*MASS, *VOLUME, U.TABLETS, U.DOSES, U.PLANTS, U.PIECES),
    CommodityFamily.PRECURSORS: (*MASS, *VOLUME),
    CommodityFamily.FIREARMS: (U.PIECES, U.ROUNDS, *MASS),
    CommodityFamily.COUNTERFEIT: (U.PIECES, *MASS),
    CommodityFamily.TOBACCO_ALCOHOL: (U.PIECES, *MASS, *VOLUME),
    CommodityFamily.WILDLIFE: (U.HEAD, U.PIECES, *MASS, U.CUBIC_METRES),
    CommodityFamily.CULTURAL: (U.PIECES,),
    CommodityFamily.CURRENCY: (U.AMOUNT,),
    CommodityFamily.NUCLEAR: (U.PIECES, *MASS),
    CommodityFamily.OTHER: (U.PIECES, *MASS, *VOLUME, U.CUBIC_METRES),
}
# The details a family's items may carry; every other family may give an HS code.
ATTRIBUTES: Final[dict[str, Any]] = {
    "firearm_type": gettext_lazy("firearm type"),
    "calibre": gettext_lazy("calibre"),
    "make": gettext_lazy("make"),
    "serial_numbers": gettext_lazy("serial numbers"),
    "brand": gettext_lazy("brand"),
    "cites_species": gettext_lazy("CITES species"),
    "cites_appendix": gettext_lazy("CITES appendix"),
    "object_type": gettext_lazy("object"),
    "period": gettext_lazy("period"),
    "isotope": gettext_lazy("isotope"),
    "activity_bq": gettext_lazy("activity, Bq"),
    "un_number": gettext_lazy("UN number"),
    "cas_number": gettext_lazy("CAS number"),
    "hs_code": gettext_lazy("HS code"),
}
FAMILY_ATTRIBUTES: Final[dict[str, tuple[str, ...]]] = {
    CommodityFamily.DRUGS: (),
    CommodityFamily.PRECURSORS: ("cas_number", "hs_code"),
    CommodityFamily.FIREARMS: ("firearm_type", "calibre", "make", "serial_numbers", "hs_code"),
    CommodityFamily.COUNTERFEIT: ("brand", "hs_code"),
    CommodityFamily.TOBACCO_ALCOHOL: ("brand", "hs_code"),
    CommodityFamily.WILDLIFE: ("cites_species", "cites_appendix", "hs_code"),
    CommodityFamily.CULTURAL: ("object_type", "period", "hs_code"),
    CommodityFamily.CURRENCY: (),
    CommodityFamily.NUCLEAR: ("isotope", "activity_bq", "un_number", "hs_code"),
    CommodityFamily.OTHER: ("hs_code",),
}


def attribute_key(name: str) -> str | None:
    """The attribute a person named, by its key or its label in the active language."""
    wanted = " ".join(name.lower().replace("_", " ").split())
    for key, label in ATTRIBUTES.items():
        if wanted in (key.replace("_", " "), str(label).lower()):
            return key
    return None


def parse_attributes(text: str) -> tuple[dict[str, str], list[str]]:
    """ "calibre: 9 mm; serial numbers: 1234, 1235" → the attributes, and the names not known."""
    found: dict[str, str] = {}
    unknown: list[str] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        name, _colon, value = part.partition(":")
        key = attribute_key(name)
        if key is None or not value.strip():
            unknown.append(part.strip())
        else:
            found[key] = " ".join(value.split())
    return found, unknown


def item_problems(
    substance: Substance, unit: str, *, value: Decimal | None, currency: str, attributes: dict[str, str]
) -> list[str]:
    """What is wrong with an item of `substance` measured in `unit`: a unit its family is not
    measured in, an amount of money without its currency, details its family does not have."""
    problems = []
    family = CommodityFamily(substance.family)
    if unit not in FAMILY_UNITS[family]:
        problems.append(
            _("%(commodity)s is measured in %(units)s, not in %(unit)s.")
            % {
                "commodity": substance,
                "units": ", ".join(str(UnitOfMeasure(code).label) for code in FAMILY_UNITS[family]),
                "unit": UnitOfMeasure(unit).label if unit in UnitOfMeasure.values else unit,
            }
        )
    if (unit == UnitOfMeasure.AMOUNT or value is not None) and not (
        len(currency) == 3 and currency.isalpha()
    ):
        problems.append(_("Give the currency of the amount as three letters, such as USD or KGS."))
    if value is not None and value < 0:
        problems.append(_("A value cannot be negative."))
    unknown = sorted(set(attributes) - set(FAMILY_ATTRIBUTES[family]))
    if unknown:
        problems.append(
            _("%(family)s have no %(names)s.")
            % {
                "family": family.label,
                "names": ", ".join(str(ATTRIBUTES.get(name, name)) for name in unknown),
            }
        )
    return problems
