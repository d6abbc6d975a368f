"""Names for the keys of an answer, in the active language: countries, agencies, units, places and
substances by their names, coded values by their choices, periods as a reader says them."""

from typing import Any

from django.utils.translation import gettext as _

from kordon.analytics.periods import Period
from kordon.core.models import Agency, Country, Place, Unit
from kordon.seizures.models import (
    CommodityFamily,
    Concealment,
    DetectionMethod,
    Substance,
    SubstanceGroup,
    TransportMode,
    UnitOfMeasure,
)

CHOICES = {
    "substance_group": SubstanceGroup,
    "commodity_family": CommodityFamily,
    "detection_method": DetectionMethod,
    "transport_mode": TransportMode,
    "concealment": Concealment,
    "unit_of_measure": UnitOfMeasure,
}
NAMED = {
    "country": Country,
    "origin_country": Country,
    "destination_country": Country,
    "agency": Agency,
    "unit": Unit,
    "place": Place,
    "substance": Substance,
}


class Labeller:
    """Looks up the names of the keys of one answer, a table at a time."""

    def __init__(self) -> None:
        self.names: dict[Any, dict[Any, str]] = {}

    def _named(self, model: Any) -> dict[Any, str]:
        if model not in self.names:
            self.names[model] = {thing.pk: thing.label for thing in model.objects.all()}
        return self.names[model]

    def label(self, dimension: str, key: Any) -> str:
        if key in (None, "", []):
            return _("not recorded")
        if dimension in ("year", "quarter", "month"):
            return Period.parse(str(key)).label
        if dimension == "day":
            return f"{key:%d.%m.%Y}" if hasattr(key, "strftime") else str(key)
        if dimension == "followed_alert":
            return _("after an alert") if key else _("no alert")
        if dimension == "transit_countries":
            countries = self._named(Country)
            return " → ".join(countries.get(code, str(code)) for code in key)
        if dimension in CHOICES:
            return str(dict(CHOICES[dimension].choices).get(key, key))
        if dimension in NAMED:
            return self._named(NAMED[dimension]).get(key, str(key))
        return str(key)

    def code(self, dimension: str, key: Any) -> str:
        """The value a link to the seizure list carries for this key: the list's filters read the
        same ids and codes the dimensions group by, and yes/no as true/false."""
        if dimension == "followed_alert":
            return "true" if key else "false"
        return str(key)
