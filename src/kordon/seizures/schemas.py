"""REST API schemas for seizures: separate input and output per operation, every string bounded."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from kordon.access.schemas import (  # noqa: F401  (the markings are part of the seizure schemas)
    DISTRIBUTION_BY_NAME,
    DISTRIBUTION_NAME_OF,
    TLP_BY_NAME,
    DistributionName,
    Markings,
    MarkingsOut,
    TlpName,
)
from kordon.core.models import Agency, Place, Unit
from kordon.core.schemas import FieldError, Message, ValidationErrors  # noqa: F401
from kordon.seizures.models import (
    CommodityFamily,
    Concealment,
    DetectionMethod,
    SeizureStatus,
    Substance,
    SubstanceGroup,
    TransportMode,
    UnitOfMeasure,
)
from kordon.seizures.selectors import SeizureFilters

NO_NUL = r"^[^\x00]*$"


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    # Bounded, and without NUL characters, which PostgreSQL refuses to store.
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)


Code = Annotated[str, _text(60, 1)]
Text12 = Annotated[str, _text(12)]
Text20 = Annotated[str, _text(20)]
Text60 = Annotated[str, _text(60)]
Text200 = Annotated[str, _text(200)]
Text300 = Annotated[str, _text(300)]
LongText = Annotated[str, _text(20000)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Quantity = Annotated[Decimal, Field(gt=0, lt=Decimal("10000000000"), max_digits=16, decimal_places=6)]
Purity = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class ItemIn(Schema):
    substance: Code = Field(description="commodity code from /substances, e.g. heroin, pistol, cash")
    quantity: Quantity
    unit: UnitOfMeasure = Field(
        description="a unit the commodity's family is measured in (pieces, rounds, amount...)"
    )
    purity_percent: Purity | None = None
    value: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^([A-Za-z]{3})?$")] = ""
    attributes: dict[Annotated[str, _text(20, 1)], Text300] = Field(
        default={},
        max_length=10,
        description="details of the family: calibre, serial_numbers, cites_species, hs_code...",
    )


class ItemOut(Schema):
    substance: str
    family: str
    quantity: Decimal
    unit: str
    quantity_kg: Decimal | None = Field(description="kilograms, where a conversion is defined; else null")
    purity_percent: Decimal | None
    value: Decimal | None
    currency: str
    attributes: dict[str, str]


class SeizureUpdate(Schema):
    reference: Code
    occurred_on: datetime.date
    occurred_at: datetime.time | None = None
    country: CountryCode
    place: Text60 | None = Field(None, description="place code from /places")
    place_description: Text300 = ""
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    reporting_unit: Text60 | None = Field(None, description="unit code from /units")
    reporting_body: Text200 = ""
    detection_method: DetectionMethod | Literal[""] = ""
    transport_mode: TransportMode | Literal[""] = ""
    vehicle_plate: Text20 = ""
    container_number: Text20 = ""
    flight: Text12 = ""
    train: Text20 = ""
    concealment: Concealment | Literal[""] = ""
    concealment_details: Text300 = ""
    origin_country: CountryCode | None = None
    transit_countries: list[CountryCode] = Field(default_factory=list, max_length=20)
    destination_country: CountryCode | None = None
    persons_arrested: Annotated[int, Field(ge=0, le=100000)] = 0
    arrested_nationalities: list[CountryCode] = Field(default_factory=list, max_length=50)
    narrative: LongText = ""
    status: SeizureStatus = SeizureStatus.SUBMITTED
    markings: Markings = Markings()
    items: list[ItemIn] = Field(min_length=1, max_length=50)


class SeizureCreate(SeizureUpdate):
    owner_unit: Code = Field(description="code of the unit that owns the record (one of yours)")


class SeizureOut(Schema):
    id: int
    reference: str
    occurred_on: datetime.date
    occurred_at: datetime.time | None
    country: str
    place: str | None
    place_description: str
    latitude: float | None
    longitude: float | None
    reporting_unit: str | None
    reporting_body: str
    detection_method: str
    transport_mode: str
    vehicle_plate: str
    container_number: str
    flight: str
    train: str
    concealment: str
    concealment_details: str
    origin_country: str | None
    transit_countries: list[str]
    destination_country: str | None
    persons_arrested: int
    arrested_nationalities: list[str]
    narrative: str
    status: str
    owner_unit: str
    owner_agency: str
    markings: MarkingsOut
    items: list[ItemOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SeizurePage(Schema):
    count: int = Field(description="matching seizures, counted up to 1,000")
    count_exact: bool = Field(description="false when more than `count` seizures match")
    page: int
    page_size: int
    results: list[SeizureOut]


class SubstanceOut(Schema):
    id: int
    code: str
    name: str
    names: dict[str, str]
    family: CommodityFamily
    group: SubstanceGroup | None = Field(description="the UNODC drug group; null for other commodities")
    synonyms: list[str]
    kg_per_litre: Decimal | None
    kg_per_unit: Decimal | None


class ImportProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    import_id: int
    status: str
    file: str
    rows: int
    imported: int
    new_seizures: int
    new_items: int
    duplicates: int
    rejected: int
    errors: list[ImportProblemOut]


def id_of(model: Any, code: str | None) -> int | None:
    """The id for a code given in a filter; an unknown code matches nothing rather than being ignored."""
    if code is None:
        return None
    found = model.objects.filter(code=code).values_list("pk", flat=True).first()
    return found if found is not None else -1


class SeizureFilterQuery(Schema):
    """The seizure list's filters, the same as on the seizures page (and the analytics')."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    country: CountryCode | None = None
    substance_group: SubstanceGroup | None = None
    family: CommodityFamily | None = None
    substance: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9-]+$")] | None = None
    place: Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9-]+$")] | None = None
    unit: Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9-]+$")] | None = None
    status: SeizureStatus | None = None
    transport_mode: TransportMode | None = None
    q: Text200 | None = None
    agency: Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9-]+$")] | None = None
    detection_method: DetectionMethod | None = None
    concealment: Concealment | None = None
    origin_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    followed_alert: bool | None = None

    def to_filters(self) -> SeizureFilters:
        return SeizureFilters(
            date_from=self.date_from,
            date_to=self.date_to,
            country=self.country,
            substance_group=self.substance_group,
            family=self.family,
            substance=id_of(Substance, self.substance),
            place=id_of(Place, self.place),
            unit=id_of(Unit, self.unit),
            status=self.status,
            transport_mode=self.transport_mode,
            q=self.q,
            agency=id_of(Agency, self.agency),
            detection_method=self.detection_method,
            concealment=self.concealment,
            origin_country=self.origin_country,
            destination_country=self.destination_country,
            followed_alert=self.followed_alert,
        )
