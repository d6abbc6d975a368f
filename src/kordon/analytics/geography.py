"""The figures a map shows: per place (points), per country (shading) and per route (flows)."""

from dataclasses import dataclass, field, replace
from typing import Any

from kordon.analytics.charts import Flow, MapPoint
from kordon.analytics.cube import Question, summary
from kordon.analytics.labels import Labeller
from kordon.core.models import Country, Place


@dataclass
class RegionFigures:
    points: list[MapPoint] = field(default_factory=list)
    by_country: dict[str, float] = field(default_factory=dict)  # ISO numeric -> value
    flows: list[Flow] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)  # for a table beside the map


def region_figures(*, user: Any, question: Question) -> RegionFigures:
    """`question`'s measure per place, per country of seizure and per route (origin, transit
    countries, destination; routes are counted in cases)."""
    figures = RegionFigures()
    places = {
        place.pk: place for place in Place.objects.filter(latitude__isnull=False, longitude__isnull=False)
    }
    # Per place and per country in one count (a place's seizures are nearly always in its country).
    per_place: dict[Any, Any] = {}
    per_country: dict[Any, Any] = {}
    for row in summary(user=user, question=replace(question, group_by=("place", "country"))).rows:
        per_place[row["place"]] = per_place.get(row["place"], 0) + row["value"]
        per_country[row["country"]] = per_country.get(row["country"], 0) + row["value"]
    for pk, value in per_place.items():
        place = places.get(pk)
        if place is not None and value:
            figures.points.append(MapPoint(place.longitude, place.latitude, float(value), place.label))  # type: ignore[arg-type]
    numeric = dict(Country.objects.values_list("code", "numeric"))
    for code, value in per_country.items():
        if code in numeric:
            figures.by_country[numeric[code]] = float(value)
    names = Labeller()
    routes = summary(
        user=user,
        question=replace(
            question, measure="cases", group_by=("origin_country", "transit_countries", "destination_country")
        ),
    ).rows
    for row in sorted(routes, key=lambda row: -row["value"]):
        stops = [row["origin_country"], *(row["transit_countries"] or []), row["destination_country"]]
        known = [code for code in stops if code]
        if len(known) < 2:
            continue
        figures.flows.append(Flow(tuple(numeric.get(code, "") for code in known), float(row["value"])))
        filters = {"origin_country": row["origin_country"], "destination_country": row["destination_country"]}
        figures.routes.append({
            "label": " → ".join(names.label("country", code) for code in known),
            "cases": row["value"],
            "filters": {name: value for name, value in filters.items() if value},
        })  # fmt: skip
    return figures
