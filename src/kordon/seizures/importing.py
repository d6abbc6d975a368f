"""Importing seizure files: check every row, keep the good ones, explain the bad ones.

One row is one item (a substance and its quantity). Rows with the same reference are the items
of one seizure and must agree on the event's details. A row is imported, rejected with its row
number, column and reason, or recognised as already in Kordon; nothing else happens to it. The
whole import is one transaction: it lands completely or not at all, even if the process is killed.
"""

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import IMPORT, audit_log
from kordon.core import bulk
from kordon.core.models import Country, Place, Unit
from kordon.core.tabular import TableError, open_table
from kordon.seizures import rules
from kordon.seizures.models import (
    DetectionMethod,
    Seizure,
    SeizureImport,
    SeizureImportProblem,
    SeizureItem,
    SeizureStatus,
    Substance,
    TransportMode,
    UnitOfMeasure,
    quantity_in_kg,
)
from kordon.seizures.rules import parse_decimal
from kordon.seizures.services import SEARCHED_FIELDS, search_text, substance_search_names
from kordon.seizures.vocabulary import (
    DETECTION_SYNONYMS,
    REQUIRED_COLUMNS,
    TRANSPORT_SYNONYMS,
    UNIT_SYNONYMS,
    choice_lookup,
    concealment_category,
    concealment_lookup,
    header_lookup,
    normalise,
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


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    number: int
    reference: str
    event: dict[str, Any]
    substance_id: int
    quantity: Decimal
    unit: str
    quantity_kg: Decimal | None
    purity_percent: Decimal | None

    @property
    def item_key(self) -> tuple[int, str, Decimal]:
        return (self.substance_id, self.unit, self.quantity)


@dataclass
class SeizureEntry:
    """What the import knows about one reference: the seizure it maps to and its items so far."""

    seizure_id: int
    event: dict[str, Any]
    first_row: int | None  # None: the seizure was already in Kordon before this import
    items: dict[tuple[int, str, Decimal], int]  # item key -> row it came from (0: already in Kordon)
    changeable: bool


@dataclass
class ImportResult:
    batch: SeizureImport
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.summary() | {"errors": [problem.as_dict() for problem in self.problems]}

    def summary(self) -> dict[str, Any]:
        batch = self.batch
        return {
            "import_id": batch.pk,
            "status": batch.status,
            "file": batch.file_name,
            "rows": batch.total_rows,
            "imported": batch.accepted_rows,
            "new_seizures": batch.new_seizures,
            "new_items": batch.new_items,
            "duplicates": batch.duplicate_rows,
            "rejected": batch.rejected_rows,
        }


class Vocabulary:
    """Every lookup table the row parser needs, loaded once per import."""

    def __init__(self) -> None:
        self.countries: dict[str, str] = {}
        for code, code3, name, names in Country.objects.values_list("code", "code3", "name", "names"):
            for word in (code, code3, name, *names.values()):
                self.countries.setdefault(normalise(word), code)
        for alias, code in (
            ("россия", "RU"),
            ("рф", "RU"),
            ("киргизия", "KG"),
            ("кыргызская республика", "KG"),
            ("иран", "IR"),
            ("кнр", "CN"),
            ("китай", "CN"),
            ("оаэ", "AE"),
            ("сша", "US"),
            ("великобритания", "GB"),
            ("турция", "TR"),
            ("афганистан", "AF"),
        ):
            self.countries.setdefault(normalise(alias), code)
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
        if len(self.outcomes) < self.LIMIT:
            self.outcomes[raw] = outcome
        return outcome


class RowParser:
    """Turns the cells of one row into a ParsedRow, or reports every problem in it."""

    def __init__(self, vocabulary: Vocabulary, columns: dict[str, int]) -> None:
        self.words = vocabulary
        self.columns = columns
        self.date = ColumnParser(self._date)
        self.country = ColumnParser(lambda raw: self._country(raw, "country", required=True))
        self.origin = ColumnParser(lambda raw: self._country(raw, "origin_country"))
        self.destination = ColumnParser(lambda raw: self._country(raw, "destination_country"))
        self.transit = ColumnParser(self._transit)
        self.place = ColumnParser(self._place)
        self.coordinates = ColumnParser(self._coordinates)
        self.reporting_unit = ColumnParser(self._reporting_unit)
        self.substance = ColumnParser(self._substance)
        self.quantity = ColumnParser(self._quantity)
        self.unit = ColumnParser(self._unit)
        self.purity = ColumnParser(self._purity)
        self.transport = ColumnParser(
            lambda raw: self._choice(raw, "transport_mode", self.words.transport, TransportMode)
        )
        self.detection = ColumnParser(
            lambda raw: self._choice(raw, "detection_method", self.words.detection, DetectionMethod)
        )
        self.concealment = ColumnParser(self._concealment)
        self.persons = ColumnParser(self._persons)
        self.container = ColumnParser(self._container)
        self.indexes = [columns.get(name, -1) for name in CELLS_READ]

    def parse(self, number: int, cells: list[Any]) -> ParsedRow | list[Problem]:
        problems: list[Problem] = []

        def check(outcome: Any) -> Any:
            if isinstance(outcome, RowProblem):
                problems.append(Problem(number, outcome.column, outcome.message))
                return None
            return outcome

        width = len(cells)
        (reference_cell, date_cell, time_cell, country_cell, place_cell, latitude_cell, longitude_cell,
         reporting_unit_cell, substance_cell, quantity_cell, unit_cell, purity_cell, transport_cell,
         detection_cell, concealment_cell, origin_cell, destination_cell, transit_cell, persons_cell,
         notes_cell, plate_cell, container_cell, flight_cell) = [
            cells[index] if 0 <= index < width else None for index in self.indexes
        ]  # fmt: skip
        reference = _text(reference_cell)
        if not reference:
            problems.append(
                Problem(
                    number,
                    "reference",
                    _("The reference is missing; every seizure needs its case or report number."),
                )
            )
        elif len(reference) > 60:
            problems.append(Problem(number, "reference", _("The reference is longer than 60 characters.")))
        country = check(self.country(country_cell))
        when = check(self.date((date_cell, time_cell)))
        place_id, place_description, place_name = check(self.place((country, place_cell))) or (None, "", "")
        latitude, longitude = check(self.coordinates((latitude_cell, longitude_cell))) or (None, None)
        reporting_unit_id, reporting_body = self.reporting_unit(reporting_unit_cell)
        substance = check(self.substance(substance_cell))
        quantity = check(self.quantity(quantity_cell))
        unit = check(self.unit(unit_cell))
        purity = check(self.purity(purity_cell))
        concealment, concealment_details = self.concealment(concealment_cell)
        values = {
            "country_id": country,
            "place_id": place_id,
            "place_description": place_description,
            "latitude": latitude,
            "longitude": longitude,
            "reporting_unit_id": reporting_unit_id,
            "reporting_body": reporting_body,
            "transport_mode": check(self.transport(transport_cell)) or "",
            "detection_method": check(self.detection(detection_cell)) or "",
            "concealment": concealment,
            "concealment_details": concealment_details,
            "origin_country_id": check(self.origin(origin_cell)),
            "destination_country_id": check(self.destination(destination_cell)),
            "transit_countries": check(self.transit(transit_cell)) or [],
            "persons_arrested": check(self.persons(persons_cell)) or 0,
            "narrative": _text(notes_cell),
            "vehicle_plate": rules.normalise_plate(_text(plate_cell))[:20] if plate_cell else "",
            "container_number": check(self.container(container_cell)) or "",
            "flight": _text(flight_cell)[:12],
        }
        if problems:
            return problems
        values["occurred_on"], values["occurred_at"] = when
        kg = quantity_in_kg(quantity, unit, substance)
        values["_search"] = (place_name, self.words.substance_names[substance.pk])
        return ParsedRow(number, reference, values, substance.pk, quantity, unit, kg, purity)

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


def _differences(known: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Columns where a later row of the same seizure says something else. Empty cells in the later
    row are fine: spreadsheets often fill the event's details on its first row only."""
    columns = []
    for name in EVENT_FIELDS:
        value = new.get(name)
        if value in (None, "", [], 0) and name not in ("occurred_on", "country_id"):
            continue
        if value != known.get(name):
            columns.append(FIELD_COLUMNS.get(name, name))
    return list(dict.fromkeys(columns))


SEIZURE_COLUMNS = (
    "id",
    "owner_unit_id",
    "owner_agency_id",
    "tlp",
    "handling_code",
    "handling_note",
    "source_reliability",
    "information_credibility",
    "distribution",
    "created_at",
    "updated_at",
    "reference",
    "occurred_on",
    "occurred_at",
    "country_id",
    "place_id",
    "place_description",
    "latitude",
    "longitude",
    "reporting_unit_id",
    "reporting_body",
    "detection_method",
    "transport_mode",
    "vehicle_plate",
    "container_number",
    "flight",
    "train",
    "concealment",
    "concealment_details",
    "origin_country_id",
    "transit_countries",
    "destination_country_id",
    "persons_arrested",
    "arrested_nationalities",
    "narrative",
    "status",
    "created_by_id",
    "source_import_id",
    "search_text",
)
ITEM_COLUMNS = ("seizure_id", "substance_id", "quantity", "unit", "quantity_kg", "purity_percent")


@dataclass
class Markings:
    tlp: int
    handling_code: str
    distribution: int


class SeizureImporter:
    """One run over one file. `commit=False` checks and reports without writing seizures."""

    def __init__(
        self, *, actor: Any, unit: Unit, batch: SeizureImport, commit: bool, markings: Markings
    ) -> None:
        self.actor = actor
        self.unit = unit
        self.batch = batch
        self.commit = commit
        self.markings = markings
        self.entries: dict[str, SeizureEntry] = {}
        self.problems: list[Problem] = []
        self.rejected_cells: dict[int, list[Any]] = {}
        self.dry_run_ids = iter(range(-1, -(10**12), -1))
        self.now = timezone.now()
        self.changeable_units = policy.units_for_action(actor, policy.CHANGE)

    def run(self, rows: Iterator[tuple[int, list[Any]]], parser: RowParser) -> None:
        chunk: list[tuple[int, list[Any]]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= BATCH_ROWS:
                self._process(chunk, parser)
                chunk = []
        if chunk:
            self._process(chunk, parser)

    def _reject(self, number: int, cells: list[Any], problems: list[Problem]) -> None:
        self.problems.extend(problems)
        self.rejected_cells[number] = cells
        self.batch.rejected_rows += 1

    def _load_existing(self, references: set[str]) -> None:
        """Seizures of the agency that already carry these references (from earlier imports or forms)."""
        if not references:
            return
        # A plain query first: in a fresh import almost no reference exists yet, and building an ORM
        # filter with thousands of parameters costs more than the import of the rows themselves.
        table = connection.ops.quote_name(Seizure._meta.db_table)
        placeholders = ", ".join(["%s"] * len(references))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT reference FROM {table} WHERE owner_agency_id = %s AND reference IN ({placeholders})",  # noqa: S608
                [self.unit.agency_id, *references],
            )
            existing = [reference for (reference,) in cursor.fetchall()]
        if not existing:
            return
        found = Seizure.objects.filter(owner_agency_id=self.unit.agency_id, reference__in=existing)
        by_id: dict[int, SeizureEntry] = {}
        for seizure in found.values("id", "reference", "owner_unit_id", *EVENT_FIELDS):
            changeable = isinstance(self.changeable_units, policy.Everything) or (
                seizure["owner_unit_id"] in self.changeable_units
            )
            entry = SeizureEntry(seizure["id"], seizure, None, {}, changeable)
            self.entries[seizure["reference"]] = by_id[seizure["id"]] = entry
        items = SeizureItem.objects.filter(seizure_id__in=list(by_id)).values_list(
            "seizure_id", "substance_id", "unit", "quantity"
        )
        for seizure_id, substance_id, unit, quantity in items:
            by_id[seizure_id].items[(substance_id, unit, quantity)] = 0

    def _process(self, chunk: list[tuple[int, list[Any]]], parser: RowParser) -> None:
        parsed: list[tuple[ParsedRow, list[Any]]] = []
        for number, cells in chunk:
            self.batch.total_rows += 1
            result = parser.parse(number, cells)
            if isinstance(result, list):
                self._reject(number, cells, result)
            else:
                parsed.append((result, cells))
        self._load_existing({row.reference for row, _cells in parsed} - set(self.entries))
        new_seizures: list[ParsedRow] = []
        new_items: list[tuple[ParsedRow, SeizureEntry]] = []
        for row, cells in parsed:
            entry = self.entries.get(row.reference)
            if entry is None:
                entry = SeizureEntry(0, row.event, row.number, {row.item_key: row.number}, True)
                self.entries[row.reference] = entry
                new_seizures.append(row)
                new_items.append((row, entry))
                continue
            problem = self._conflict(row, entry)
            if problem is not None:
                self._reject(row.number, cells, [problem])
            elif row.item_key in entry.items:
                if entry.items[row.item_key] == 0:
                    self.batch.duplicate_rows += 1
                else:
                    self._reject(
                        row.number,
                        cells,
                        [
                            Problem(
                                row.number,
                                "quantity",
                                _(
                                    "Row %(first)s has the same substance and quantity for reference %(reference)s. If they are "
                                    "two separate packages, add them up in one row."
                                )
                                % {"first": entry.items[row.item_key], "reference": row.reference},
                            )
                        ],
                    )
            else:
                entry.items[row.item_key] = row.number
                new_items.append((row, entry))
        ids = bulk.reserve_ids(Seizure, len(new_seizures)) if self.commit else None
        for index, row in enumerate(new_seizures):
            self.entries[row.reference].seizure_id = ids[index] if ids else next(self.dry_run_ids)
        self.batch.new_seizures += len(new_seizures)
        self.batch.new_items += len(new_items)
        self.batch.accepted_rows += len(new_items)
        if self.commit:
            bulk.insert_rows(Seizure, SEIZURE_COLUMNS, (self._seizure_values(row) for row in new_seizures))
            bulk.insert_rows(
                SeizureItem,
                ITEM_COLUMNS,
                (
                    (
                        entry.seizure_id,
                        row.substance_id,
                        row.quantity,
                        row.unit,
                        row.quantity_kg,
                        row.purity_percent,
                    )
                    for row, entry in new_items
                ),
            )

    def _conflict(self, row: ParsedRow, entry: SeizureEntry) -> Problem | None:
        if not entry.changeable:
            return Problem(
                row.number,
                "reference",
                _(
                    "Reference %(reference)s belongs to a seizure of another unit that you cannot change; "
                    "use another reference or ask that unit."
                )
                % {"reference": row.reference},
            )
        differences = _differences(entry.event, row.event)
        if not differences:
            return None
        if entry.first_row is None:
            message = _(
                "Reference %(reference)s is already in Kordon with a different %(columns)s. Rows with the "
                "same reference are items of one seizure; correct the seizure in Kordon or use another "
                "reference."
            )
        else:
            message = _(
                "Reference %(reference)s is used on row %(first)s with a different %(columns)s. Rows with "
                "the same reference are items of one seizure and must agree on its details."
            )
        return Problem(
            row.number,
            differences[0],
            message
            % {"reference": row.reference, "first": entry.first_row, "columns": ", ".join(differences)},
        )

    def _seizure_values(self, row: ParsedRow) -> tuple[Any, ...]:
        event = row.event
        place_name, substance_names = event["_search"]
        search = search_text(
            row.reference,
            *(event.get(name, "") for name in SEARCHED_FIELDS[1:]),
            place_name,
            *substance_names,
        )
        return (
            self.entries[row.reference].seizure_id,
            self.unit.pk,
            self.unit.agency_id,
            self.markings.tlp,
            self.markings.handling_code,
            "",
            "",
            "",
            self.markings.distribution,
            self.now,
            self.now,
            row.reference,
            event["occurred_on"],
            event["occurred_at"],
            event["country_id"],
            event["place_id"],
            event["place_description"],
            event["latitude"],
            event["longitude"],
            event["reporting_unit_id"],
            event["reporting_body"],
            event["detection_method"],
            event["transport_mode"],
            event["vehicle_plate"],
            event["container_number"],
            event["flight"],
            "",
            event["concealment"],
            event["concealment_details"],
            event["origin_country_id"],
            json.dumps(event["transit_countries"]),
            event["destination_country_id"],
            event["persons_arrested"],
            "[]",
            event["narrative"],
            SeizureStatus.SUBMITTED,
            self.actor.pk,
            self.batch.pk,
            search,
        )

    def store_problems(self) -> None:
        SeizureImportProblem.objects.filter(batch=self.batch).delete()
        seen: set[int] = set()
        records = []
        for problem in self.problems:
            first = problem.row not in seen
            seen.add(problem.row)
            cells = self.rejected_cells.get(problem.row, []) if first else []
            records.append(
                SeizureImportProblem(
                    batch=self.batch,
                    row=problem.row,
                    column=problem.column,
                    message=problem.message[:500],
                    values=[_json_cell(cell) for cell in cells],
                )
            )
        SeizureImportProblem.objects.bulk_create(records, batch_size=2000)


def _json_cell(cell: Any) -> Any:
    if isinstance(cell, datetime.datetime | datetime.date | datetime.time):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return str(cell)
    return cell


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


DEFAULT_MARKINGS = Markings(tlp=2, handling_code="H0", distribution=1)


def import_seizures(
    *,
    actor: Any,
    unit: Unit,
    path: Path,
    file_name: str,
    commit: bool,
    batch: SeizureImport | None = None,
    markings: Markings = DEFAULT_MARKINGS,
) -> ImportResult:
    """Check (commit=False) or import (commit=True) a seizure file for `unit`, on behalf of `actor`.

    Everything, including the import's own record, its problems and its audit line, is written in
    one transaction. With an existing `batch` (a checked upload), the same batch is updated.
    """
    if not policy.may_act_in_unit(actor, unit.pk, policy.ADD):
        raise PermissionDenied(_("You cannot import seizures for this unit."))
    with transaction.atomic():
        if batch is None:
            batch = SeizureImport(
                owner_unit=unit, created_by=actor, file_name=file_name, file_sha256=file_sha256(path)
            )
        batch.markings = markings.__dict__
        for counter in (
            "total_rows",
            "accepted_rows",
            "new_seizures",
            "new_items",
            "duplicate_rows",
            "rejected_rows",
        ):
            setattr(batch, counter, 0)
        batch.status = SeizureImport.Status.CHECKED
        batch.message = ""
        batch.save()
        importer = SeizureImporter(actor=actor, unit=unit, batch=batch, commit=commit, markings=markings)
        try:
            with open_table(path) as table:
                batch.encoding = table.encoding
                batch.headers = table.headers
                columns, missing = map_headers(table.headers)
                if missing:
                    raise TableError(
                        _(
                            "These required columns are missing: %(missing)s. The first row must name the "
                            "columns; download the template to see them."
                        )
                        % {"missing": ", ".join(missing)}
                    )
                importer.run(table.rows, RowParser(Vocabulary(), columns))
        except TableError as error:
            batch.status = SeizureImport.Status.FAILED
            batch.message = str(error)
            importer.problems = [Problem(0, "", str(error))]
            importer.rejected_cells = {}
        importer.problems.sort(key=lambda problem: problem.row)
        if commit and batch.status != SeizureImport.Status.FAILED:
            batch.status = SeizureImport.Status.IMPORTED
        batch.save()
        importer.store_problems()
        audit_log(
            actor=actor,
            action=IMPORT if commit else "import_check",
            instance=batch,
            owner_unit_id=unit.pk,
            after=ImportResult(batch).summary() | {"sha256": batch.file_sha256},
        )
    return ImportResult(batch, importer.problems)
