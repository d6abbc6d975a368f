"""REST API for reference data: countries, places, agencies, units. Every user may read these."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kordon.core.models import Agency, Country, Place, Unit

router = Router(tags=["reference data"])


class CountryOut(Schema):
    code: str
    code3: str
    name: str
    names: dict[str, str]


class PlaceOut(Schema):
    code: str
    kind: str
    name: str
    names: dict[str, str]
    country: str
    other_country: str | None
    counterpart: str | None
    latitude: float | None
    longitude: float | None
    unlocode: str
    source: str


class AgencyOut(Schema):
    code: str
    kind: str
    name: str
    short_name: str
    names: dict[str, str]
    country: str


class UnitOut(Schema):
    code: str
    kind: str
    name: str
    names: dict[str, str]
    agency: str
    place: str | None


@router.get("/countries", response=list[CountryOut])
def list_countries(request: HttpRequest) -> Any:
    return list(Country.objects.all())


@router.get("/places", response=list[PlaceOut])
def list_places(request: HttpRequest) -> Any:
    """The gazetteer: border crossing points, ports, airports, with coordinates and their source."""
    return [
        {
            "code": place.code,
            "kind": place.kind,
            "name": place.name,
            "names": place.names,
            "country": place.country_id,
            "other_country": place.other_country_id,
            "counterpart": place.counterpart.code if place.counterpart else None,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "unlocode": place.unlocode,
            "source": place.source,
        }
        for place in Place.objects.select_related("counterpart")
    ]


@router.get("/agencies", response=list[AgencyOut])
def list_agencies(request: HttpRequest) -> Any:
    return [
        {
            "code": agency.code,
            "kind": agency.kind,
            "name": agency.name,
            "short_name": agency.short_name,
            "names": agency.names,
            "country": agency.country_id,
        }
        for agency in Agency.objects.all()
    ]


@router.get("/units", response=list[UnitOut])
def list_units(request: HttpRequest) -> Any:
    return [
        {
            "code": unit.code,
            "kind": unit.kind,
            "name": unit.name,
            "names": unit.names,
            "agency": unit.agency.code,
            "place": unit.place.code if unit.place else None,
        }
        for unit in Unit.objects.select_related("agency", "place")
    ]
