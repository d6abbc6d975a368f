"""Reading the rows of a seizure file: each row becomes a ParsedRow or a list of its problems.

Parsing needs no database once the Vocabulary is loaded, so it can run in a separate process
while the importer writes (kordon.seizures.import_worker).
"""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import models
from django.utils.translation import gettext as _

from kordon.core import bulk
from kordon.core.countries import country_codes, normalise
from kordon.core.models import Place, Unit
from kordon.core.tabular import Problem
from kordon.seizures import rules
from kordon.seizures.models import (
    DetectionMethod,
    Seizure,
    SeizureItem,
    Substance,
    TransportMode,
    UnitOfMeasure,
    quantity_in_kg,
)
from kordon.seizures.rules import parse_decimal
from kordon.seizures.services import search_text, substance_search_names
from kordon.seizures.vocabulary import (
    DETECTION_SYNONYMS,
    REQUIRED_COLUMNS,
    TRANSPORT_SYNONYMS,
    UNIT_SYNONYMS,
    choice_lookup,
    concealment_category,
    concealment_lookup,
    header_lookup,
)

BATCH_ROWS = 5000
EXCEL_EPOCH = datetime.date(1899, 12, 30)
_LIST_SEPARATORS = re.compile(r"\s*(?:;|,|/|→|->|>|\|)\s*")
_DATE_PATTERNS = (
    re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?$"),  # dd.mm.yyyy
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$"),  # ISO
)

# The event fields that rows of one seizure must agree on.
EVENT_FIELDS = (
    "occurred_on",
    "occurred_at",
    "country_id",
    "place_id",
    "place_description",
    "latitude",
    "longitude",
    "reporting_unit_id",
    "reporting_body",
    "transport_mode",
    "detection_method",
    "concealment",
    "concealment_details",
    "origin_country_id",
    "transit_countries",
    "destination_country_id",
    "persons_arrested",
    "narrative",
    "vehicle_plate",
    "container_number",
    "flight",
)
FIELD_COLUMNS = {
    "occurred_on": "date",
    "occurred_at": "time",
    "country_id": "country",
    "place_id": "place",
    "place_description": "place",
    "reporting_unit_id": "reporting_unit",
    "reporting_body": "reporting_unit",
    "concealment_details": "concealment",
    "origin_country_id": "origin_country",
    "destination_country_id": "destination_country",
    "narrative": "notes",
}


class RowProblem(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class GroupProblems(Exception):
    """The problems found in a group of cells parsed together."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


# What a parsed row carries to the database: the event's columns in this order, then the item's.
EVENT_INSERT_COLUMNS = ("reference", *EVENT_FIELDS, "train", "arrested_nationalities", "search_text")
# A file gives no value, currency or details: they are written empty (the columns have no
# database default).
ITEM_INSERT_COLUMNS = (
    "substance_id",
    "quantity",
    "unit",
    "quantity_kg",
    "purity_percent",
    "currency",
    "attributes",
)


@dataclass(slots=True)
class RejectedRow:
    """A row with problems, kept as uploaded so it can be downloaded, fixed and uploaded again."""

    number: int
    cells: list[Any]
    problems: list[Problem]


class ParsedRow(NamedTuple):
    """A good row. A named tuple because large files send millions of these from the process that
    reads the file to the one that writes, and tuples travel fastest."""

    number: int
    reference: str
    event: tuple[Any, ...]  # EVENT_FIELDS (the route as JSON), which the rows of one seizure must agree on
    item_key: tuple[int, str, str]  # substance, unit, quantity as text: what makes an item a duplicate
    seizure_values: Any  # EVENT_INSERT_COLUMNS, prepared for the database (kordon.core.bulk)
    item_values: Any  # ITEM_INSERT_COLUMNS, prepared for the database


class Vocabulary:
    """Every lookup table the row parser needs, loaded once per import."""

    def __init__(self) -> None:
        self.countries = country_codes()
        self.places: dict[tuple[str, str], tuple[int, str, str]] = {}
        self.places_anywhere: dict[str, list[tuple[int, str, str]]] = {}
        for place in Place.objects.all():
            entry = (place.pk, place.country_id, " ".join([place.name, *place.names.values()]))
            for word in {place.code, place.name, *place.names.values(), *place.aliases}:
                key = normalise(word)
                self.places.setdefault((place.country_id, key), entry)
                self.places_anywhere.setdefault(key, []).append(entry)
        self.units: dict[str, int] = {}
        for unit in Unit.objects.all():
            for word in (unit.code, unit.name, *unit.names.values()):
                self.units.setdefault(normalise(word), unit.pk)
        self.substances: dict[str, Substance] = {}
        self.substance_names: dict[int, list[str]] = {}
        for substance in Substance.objects.all():
            self.substance_names[substance.pk] = substance_search_names(substance)
            for word in (
                substance.code,
                substance.name,
                *substance.names.values(),
                *substance.synonyms,
                substance.unodc_name,
            ):
                if word:
                    self.substances.setdefault(normalise(word), substance)
        self.units_of_measure = choice_lookup(UNIT_SYNONYMS, dict(UnitOfMeasure.choices))
        self.transport = choice_lookup(TRANSPORT_SYNONYMS, dict(TransportMode.choices))
        self.detection = choice_lookup(DETECTION_SYNONYMS, dict(DetectionMethod.choices))
        self.concealment = concealment_lookup()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> tuple[datetime.date, datetime.time | None]:
    """dd.mm.yyyy, ISO yyyy-mm-dd or an Excel serial number, with an optional time."""
    if isinstance(value, datetime.datetime):
        moment = value.time()
        return value.date(), (moment if moment != datetime.time(0, 0) else None)
    if isinstance(value, datetime.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value)), None
    text = _text(value)
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return _excel_serial(float(text)), None
    for number, pattern in enumerate(_DATE_PATTERNS):
        match = pattern.match(text)
        if match:
            first, second, third, hour, minute = match.groups()
            day, month, year = (first, second, third) if number == 0 else (third, second, first)
            return (
                datetime.date(int(year), int(month), int(day)),
                datetime.time(int(hour), int(minute)) if hour is not None else None,
            )
    raise ValueError(text)


def _excel_serial(serial: float) -> datetime.date:
    if not 1 <= serial < 100000:
        raise ValueError(str(serial))
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


# The columns a row is read from, in the order RowParser.parse unpacks them.
CELLS_READ = (
    "reference", "date", "time", "country", "place", "latitude", "longitude", "reporting_unit", "substance",
    "quantity", "unit_of_measure", "purity_percent", "transport_mode", "detection_method", "concealment",
    "origin_country", "destination_country", "transit_countries", "persons_arrested", "notes", "vehicle_plate",
    "container_number", "flight",
)  # fmt: skip


class ColumnParser:
    """Parses one column's cells and remembers the outcome by the raw cell: agency files repeat
    the same countries, places, substances, units and dates on thousands of rows."""

    LIMIT = 100_000

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self.parse = parse
        self.outcomes: dict[Any, Any] = {}

    def __call__(self, raw: Any) -> Any:
        """The value, or the RowProblem found in it (returned, not raised)."""
        try:
            return self.outcomes[raw]
        except KeyError:
            pass
        try:
            outcome = self.parse(raw)
        except RowProblem as problem:
            outcome = problem
        except GroupProblems as problems:
            outcome = problems.problems
        if len(self.outcomes) < self.LIMIT:
            self.outcomes[raw] = outcome
        return outcome


class RowParser:
    """Turns the cells of one row into a ParsedRow, or reports every problem in it."""

    def __init__(self, vocabulary: Vocabulary, columns: dict[str, int]) -> None:
        self.words = vocabulary
        self.columns = columns
        self.prepare_event = bulk.row_preparer(Seizure, EVENT_INSERT_COLUMNS)
        self.prepare_item = bulk.row_preparer(SeizureItem, ITEM_INSERT_COLUMNS)
        self.where = ColumnParser(self._where)
        self.date = ColumnParser(self._date)
        self.what = ColumnParser(self._what)
        self.quantity = ColumnParser(self._quantity)
        self.how = ColumnParser(self._how)
        self.route = ColumnParser(self._route)
        self.reporting_unit = ColumnParser(self._reporting_unit)
        self.purity = ColumnParser(self._purity)
        self.persons = ColumnParser(self._persons)
        self.container = ColumnParser(self._container)
        self.indexes = [columns.get(name, -1) for name in CELLS_READ]

    def parse(self, number: int, cells: list[Any]) -> ParsedRow | RejectedRow:
        width = len(cells)
        (reference_cell, date_cell, time_cell, country_cell, place_cell, latitude_cell, longitude_cell,
         reporting_unit_cell, substance_cell, quantity_cell, unit_cell, purity_cell, transport_cell,
         detection_cell, concealment_cell, origin_cell, destination_cell, transit_cell, persons_cell,
         notes_cell, plate_cell, container_cell, flight_cell) = [
            cells[index] if 0 <= index < width else None for index in self.indexes
        ]  # fmt: skip
        # Cells are parsed in groups, each group remembered by its raw cells (see ColumnParser).
        where = self.where((country_cell, place_cell, latitude_cell, longitude_cell))
        when = self.date((date_cell, time_cell))
        what = self.what((substance_cell, unit_cell))
        quantity = self.quantity(quantity_cell)
        how = self.how((transport_cell, detection_cell, concealment_cell))
        route = self.route((origin_cell, transit_cell, destination_cell))
        persons = self.persons(persons_cell)
        purity = self.purity(purity_cell) if purity_cell is not None else None
        container = self.container(container_cell) if container_cell else ""
        reference = _text(reference_cell)
        outcomes = (where, when, what, quantity, how, route, persons, purity, container)
        if (
            not reference
            or len(reference) > 60
            or any(isinstance(outcome, (RowProblem, list)) for outcome in outcomes)
        ):
            return RejectedRow(number, cells, self._problems(number, reference, outcomes))
        country, place_id, place_description, latitude, longitude, place_name = where
        substance, substance_id, unit = what
        reporting_unit_id, reporting_body = self.reporting_unit(reporting_unit_cell)
        narrative = _text(notes_cell)
        plate = rules.normalise_plate(_text(plate_cell))[:20] if plate_cell else ""
        flight = _text(flight_cell)[:12]
        transport, detection, concealment, concealment_details = how
        origin, transit_json, destination = route
        searchable = search_text(
            reference, place_description, reporting_body, plate, container, flight, concealment_details,
            narrative, place_name, *self.words.substance_names[substance_id],
        )  # fmt: skip
        # EVENT_FIELDS order.
        event = (
            when[0], when[1], country, place_id, place_description, latitude, longitude, reporting_unit_id,
            reporting_body, transport, detection, concealment, concealment_details, origin, transit_json,
            destination, persons, narrative, plate, container, flight,
        )  # fmt: skip
        kg = quantity_in_kg(quantity, unit, substance)
        return ParsedRow(
            number,
            reference,
            event,
            (substance_id, unit, str(quantity)),
            # EVENT_INSERT_COLUMNS order: the reference, EVENT_FIELDS, then train, nationalities, search text.
            self.prepare_event((reference, *event, "", "[]", searchable)),
            self.prepare_item((substance_id, quantity, unit, kg, purity, "", "{}")),
        )

    @staticmethod
    def _problems(number: int, reference: str, outcomes: tuple[Any, ...]) -> list[Problem]:
        problems = []
        if not reference:
            problems.append(Problem(number, "reference", _(
                "The reference is missing; every seizure needs its case or report number.")))  # fmt: skip
        elif len(reference) > 60:
            problems.append(Problem(number, "reference", _("The reference is longer than 60 characters.")))
        for outcome in outcomes:
            found = (
                outcome if isinstance(outcome, list) else [outcome] if isinstance(outcome, RowProblem) else []
            )
            problems.extend(Problem(number, problem.column, problem.message) for problem in found)
        return problems

    @staticmethod
    def _group(*parts: Callable[[], Any]) -> tuple[Any, ...]:
        """Run the parsers of a group of cells; all their problems, or all their values."""
        values, problems = [], []
        for part in parts:
            try:
                values.append(part())
            except RowProblem as problem:
                problems.append(problem)
        if problems:
            raise GroupProblems(problems)
        return tuple(values)

    def _where(self, raw: tuple[Any, Any, Any, Any]) -> tuple[Any, ...]:
        country_cell, place_cell, latitude_cell, longitude_cell = raw
        country, coordinates = self._group(
            lambda: self._country(country_cell, "country", required=True),
            lambda: self._coordinates((latitude_cell, longitude_cell)),
        )
        place_id, place_description, place_name = self._place((country, place_cell))
        return (country, place_id, place_description, *coordinates, place_name)

    def _what(self, raw: tuple[Any, Any]) -> tuple[Any, ...]:
        substance_cell, unit_cell = raw
        substance, unit = self._group(lambda: self._substance(substance_cell), lambda: self._unit(unit_cell))
        return substance, substance.pk, unit

    def _how(self, raw: tuple[Any, Any, Any]) -> tuple[Any, ...]:
        transport_cell, detection_cell, concealment_cell = raw
        transport, detection = self._group(
            lambda: self._choice(transport_cell, "transport_mode", self.words.transport, TransportMode),
            lambda: self._choice(detection_cell, "detection_method", self.words.detection, DetectionMethod),
        )
        return (transport, detection, *self._concealment(concealment_cell))

    def _route(self, raw: tuple[Any, Any, Any]) -> tuple[Any, ...]:
        origin_cell, transit_cell, destination_cell = raw
        origin, transit, destination = self._group(
            lambda: self._country(origin_cell, "origin_country"),
            lambda: self._transit(transit_cell),
            lambda: self._country(destination_cell, "destination_country"),
        )
        return origin, json.dumps(transit), destination

    def _country(self, raw: Any, column: str, required: bool = False) -> str | None:
        text = _text(raw)
        if not text:
            if required:
                raise RowProblem(column, _("The country is missing."))
            return None
        code = self.words.countries.get(normalise(text))
        if code is None:
            raise RowProblem(
                column,
                _(
                    "“%(value)s” is not a country Kordon knows; use the name or the two-letter ISO code (KG, UZ, TJ …)."
                )
                % {"value": text},
            )
        return code

    def _date(self, raw: tuple[Any, Any]) -> tuple[datetime.date, datetime.time | None]:
        date_cell, time_cell = raw
        if _text(date_cell) == "":
            raise RowProblem("date", _("The date is missing."))
        try:
            day, moment_parsed = parse_date(date_cell)
        except ValueError:
            raise RowProblem(
                "date",
                _("“%(value)s” is not a date; write it as 31.12.2013 or 2013-12-31.")
                % {"value": _text(date_cell)},
            ) from None
        problem = rules.check_date(day)
        if problem:
            raise RowProblem("date", problem)
        moment: datetime.time | None = moment_parsed
        time_text = _text(time_cell)
        if time_text:
            match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", time_text)
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise RowProblem(
                    "time", _("“%(value)s” is not a time; write it as 14:30.") % {"value": time_text}
                )
            moment = datetime.time(int(match[1]), int(match[2]))
        return day, moment

    def _place(self, raw: tuple[str | None, Any]) -> tuple[int | None, str, str]:
        country, cell = raw
        text = _text(cell)
        if not text:
            return None, "", ""
        key = normalise(text)
        if country is not None and (country, key) in self.words.places:
            place_id, _country, name = self.words.places[(country, key)]
            return place_id, "", name
        matches = self.words.places_anywhere.get(key, [])
        if country is not None and matches and all(match[1] != country for match in matches):
            raise RowProblem(
                "place",
                _("%(place)s is not in the country of the seizure (%(country)s).")
                % {"place": text, "country": country},
            )
        # Not in the gazetteer: kept as a description of the place (a town, a road, a market).
        return None, text[:300], ""

    def _coordinates(self, raw: tuple[Any, Any]) -> tuple[float | None, float | None]:
        latitude_cell, longitude_cell = raw
        if _text(latitude_cell) == "" and _text(longitude_cell) == "":
            return None, None
        try:
            latitude = float(parse_decimal(latitude_cell)) if _text(latitude_cell) else None
            longitude = float(parse_decimal(longitude_cell)) if _text(longitude_cell) else None
        except ValueError:
            raise RowProblem(
                "latitude", _("The coordinates are not numbers; write them as 40.5790 and 72.7093.")
            ) from None
        problem = rules.check_coordinates(latitude, longitude)
        if problem:
            raise RowProblem("latitude", problem)
        return latitude, longitude

    def _reporting_unit(self, raw: Any) -> tuple[int | None, str]:
        text = _text(raw)
        if not text:
            return None, ""
        unit = self.words.units.get(normalise(text))
        return (unit, "") if unit is not None else (None, text[:200])

    def _substance(self, raw: Any) -> Substance:
        text = _text(raw)
        if not text:
            raise RowProblem("substance", _("The substance is missing."))
        substance = self.words.substances.get(normalise(text))
        if substance is None:
            raise RowProblem(
                "substance",
                _(
                    "“%(value)s” is not in the substance catalogue; use a name such as героин, гашиш, опий, heroin, "
                    "or ask an administrator to add it."
                )
                % {"value": text},
            )
        return substance

    def _quantity(self, raw: Any) -> Decimal:
        if _text(raw) == "":
            raise RowProblem("quantity", _("The quantity is missing."))
        try:
            quantity = parse_decimal(raw)
        except ValueError:
            raise RowProblem("quantity", _("“%(value)s” is not a number.") % {"value": _text(raw)}) from None
        problem = rules.check_quantity(quantity)
        if problem:
            raise RowProblem("quantity", problem)
        return quantity.quantize(Decimal("0.000001"))

    def _unit(self, raw: Any) -> str:
        text = _text(raw)
        if not text:
            raise RowProblem("unit_of_measure", _("The unit of measure is missing (kg, g, l, tablets …)."))
        unit = self.words.units_of_measure.get(normalise(text))
        if unit is None:
            raise RowProblem(
                "unit_of_measure",
                _(
                    "“%(value)s” is not a unit Kordon knows; use kg, g, t, l, ml, tablets, pieces, plants or doses "
                    "(or кг, г, л, шт)."
                )
                % {"value": text},
            )
        return unit

    def _purity(self, raw: Any) -> Decimal | None:
        if _text(raw) == "":
            return None
        try:
            purity = parse_decimal(_text(raw).rstrip("%"))
        except ValueError:
            raise RowProblem(
                "purity_percent", _("“%(value)s” is not a number.") % {"value": _text(raw)}
            ) from None
        problem = rules.check_purity(purity)
        if problem:
            raise RowProblem("purity_percent", problem)
        return purity

    def _choice(self, raw: Any, column: str, lookup: dict[str, str], choices: type[models.Choices]) -> str:
        text = _text(raw)
        if not text:
            return ""
        code = lookup.get(normalise(text))
        if code is None:
            accepted = ", ".join(str(label) for label in choices.labels)
            raise RowProblem(
                column,
                _("“%(value)s” is not recognised; use one of: %(accepted)s.")
                % {"value": text, "accepted": accepted},
            )
        return code

    def _concealment(self, raw: Any) -> tuple[str, str]:
        text = _text(raw)
        if not text:
            return "", ""
        return concealment_category(text, self.words.concealment), text[:300]

    def _transit(self, raw: Any) -> list[str]:
        text = _text(raw)
        if not text:
            return []
        codes = []
        for part in _LIST_SEPARATORS.split(text):
            if part:
                code = self._country(part, "transit_countries")
                if code is not None:
                    codes.append(code)
        return codes

    def _persons(self, raw: Any) -> int:
        if _text(raw) == "":
            return 0
        try:
            number = parse_decimal(raw)
        except ValueError:
            number = Decimal(-1)
        if number < 0 or number != number.to_integral_value():
            raise RowProblem(
                "persons_arrested", _("“%(value)s” is not a whole number of persons.") % {"value": _text(raw)}
            )
        return int(number)

    def _container(self, raw: Any) -> str:
        text = _text(raw)
        if not text:
            return ""
        problem = rules.check_container(text)
        if problem:
            raise RowProblem("container_number", problem)
        return rules.normalise_container(text)


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which cell holds which column, and the columns that are missing."""
    lookup = header_lookup()
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = lookup.get(normalise(header or ""))
        if column is not None and column not in columns:
            columns[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    return columns, missing


# What an empty cell becomes (the route is JSON).
EMPTY = (None, "", "[]", 0)


def event_differences(known: tuple[Any, ...], new: tuple[Any, ...]) -> list[str]:
    """Columns where a later row of the same seizure says something else. Empty cells in the later
    row are fine: spreadsheets often fill the event's details on its first row only."""
    if known == new:
        return []
    columns = []
    for name, old, value in zip(EVENT_FIELDS, known, new, strict=True):
        if value in EMPTY and name not in ("occurred_on", "country_id"):
            continue
        if value != old:
            columns.append(FIELD_COLUMNS.get(name, name))
    return list(dict.fromkeys(columns))
