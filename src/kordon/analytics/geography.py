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
    for row in summary(user=user, question=replace(question, group_by=("place",))).rows:
        place = places.get(row["place"])
        if place is not None and row["value"]:
            figures.points.append(MapPoint(place.longitude, place.latitude, float(row["value"]), place.label))  # type: ignore[arg-type]
    numeric = dict(Country.objects.values_list("code", "numeric"))
    for row in summary(user=user, question=replace(question, group_by=("country",))).rows:
        if row["country"] in numeric:
            figures.by_country[numeric[row["country"]]] = float(row["value"])
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
