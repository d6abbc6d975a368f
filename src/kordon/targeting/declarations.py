"""Reading declaration files: each row becomes a Declaration or a list of its problems.

Our own columns are the Consignment fields. Other systems' files import as they are through a
column mapping: the Korea Customs Service benchmark files (KCS) are known by their headers, and
their labels (`Fraud`, `Critical Fraud`) become inspection outcomes. Parsing needs the country
vocabulary but no other database access, so training and scoring from files work without the web.
"""

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kordon.core.countries import country_codes, normalise
from kordon.core.tabular import Problem, TableError, open_table
from kordon.seizures.parsing import parse_date
from kordon.seizures.rules import check_container, normalise_container, parse_decimal
from kordon.targeting.models import Outcome

TEXT_FIELDS = {
    "declaration_id": 50, "office": 50, "bill_of_lading": 50, "declarant": 100, "importer": 100,
    "shipper": 100, "courier": 100, "description": 2000, "transport_mode": 20, "process_type": 20,
    "import_type": 20, "import_use": 20, "payment_type": 20, "tax_type": 20, "origin_indicator": 20,
}  # fmt: skip
NUMBER_FIELDS = ("tax_rate", "net_mass", "declared_value")
COUNTRY_FIELDS = ("origin_country", "departure_country")
COLUMNS = (
    "declaration_id", "declared_on", "office", "container_number", "bill_of_lading", "declarant",
    "importer", "shipper", "courier", "hs_code", "description", "origin_country", "departure_country",
    "route_ports", "transport_mode", "process_type", "import_type", "import_use", "payment_type",
    "tax_type", "origin_indicator", "tax_rate", "net_mass", "declared_value", "outcome",
)  # fmt: skip
REQUIRED = ("declaration_id", "declared_on", "office", "hs_code")
# The columns that are Consignment fields (the outcome is an Inspection's).
CONSIGNMENT_FIELDS = tuple(column for column in COLUMNS if column != "outcome")

# Header → column, for the mappings Kordon knows. Headers are compared after core.countries.normalise.
KCS_MAPPING = {
    "Declaration ID": "declaration_id", "Date": "declared_on", "Office ID": "office",
    "Process Type": "process_type", "Import Type": "import_type", "Import Use": "import_use",
    "Payment Type": "payment_type", "Mode of Transport": "transport_mode", "Declarant ID": "declarant",
    "Importer ID": "importer", "Seller ID": "shipper", "Courier ID": "courier", "HS6 Code": "hs_code",
    "Country of Departure": "departure_country", "Country of Origin": "origin_country",
    "Tax Rate": "tax_rate", "Tax Type": "tax_type", "Country of Origin Indicator": "origin_indicator",
    "Net Mass": "net_mass", "Item Price": "declared_value", "Fraud": "fraud",
    "Critical Fraud": "critical_fraud",
}  # fmt: skip
RUSSIAN_HEADERS = {
    "номер декларации": "declaration_id", "дата": "declared_on", "дата декларации": "declared_on",
    "таможенный пост": "office", "контейнер": "container_number", "коносамент": "bill_of_lading",
    "декларант": "declarant", "импортер": "importer", "получатель": "importer", "отправитель": "shipper",
    "продавец": "shipper", "код тн вэд": "hs_code", "тн вэд": "hs_code", "описание товара": "description",
    "страна происхождения": "origin_country", "страна отправления": "departure_country",
    "порты маршрута": "route_ports", "вид транспорта": "transport_mode", "ставка пошлины": "tax_rate",
    "вес нетто": "net_mass", "таможенная стоимость": "declared_value", "результат досмотра": "outcome",
}  # fmt: skip
OUTCOME_WORDS = {
    "nothing": Outcome.NOTHING, "nothing found": Outcome.NOTHING, "ничего не обнаружено": Outcome.NOTHING,
    "irregularity": Outcome.IRREGULARITY, "нарушение": Outcome.IRREGULARITY,
    "critical": Outcome.CRITICAL, "serious irregularity": Outcome.CRITICAL,
    "серьезное нарушение": Outcome.CRITICAL, "seizure": Outcome.SEIZURE, "изъятие": Outcome.SEIZURE,
}  # fmt: skip
# KCS writes an unknown country as ZZ (a user-assigned ISO code).
UNKNOWN_COUNTRIES = {"zz", "xx"}
_HS = re.compile(r"^\d{2,10}$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


def _header_lookup() -> dict[str, str]:
    lookup = {normalise(column): column for column in COLUMNS}
    lookup.update({normalise(header): column for header, column in KCS_MAPPING.items()})
    lookup.update({normalise(header): column for header, column in RUSSIAN_HEADERS.items()})
    return lookup


@dataclass
class Declaration:
    """A declaration as a file or the API gave it, checked; `outcome` is set when the row says
    what its inspection found (history for training)."""

    fields: dict[str, Any]
    outcome: str = ""
    row: int = 0

    @property
    def declared_on(self) -> datetime.date:
        return self.fields["declared_on"]


@dataclass
class DeclarationFile:
    declarations: list[Declaration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    failure: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


class DeclarationParser:
    """Checks declarations one by one against the node's country vocabulary."""

    def __init__(self, countries: Mapping[str, str] | None = None) -> None:
        self.countries = country_codes() if countries is None else countries

    def parse(self, cells: Mapping[str, Any]) -> tuple[dict[str, Any], str, dict[str, str]]:
        """(the Consignment fields, the inspection outcome or "", problems by column)."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, limit in TEXT_FIELDS.items():
            text = _text(cells.get(name))
            if len(text) > limit:
                problems[name] = _("Longer than %(limit)s characters.") % {"limit": limit}
            values[name] = text
        for name in ("declaration_id", "office"):
            if not values[name] and name not in problems:
                problems[name] = _("This column must not be empty.")
        try:
            values["declared_on"] = parse_date(cells.get("declared_on"))[0]
        except (ValueError, TypeError):
            problems["declared_on"] = _("Write the date as 2021-03-31 or 31.03.2021.")
        hs_code = re.sub(r"[\s.]", "", _text(cells.get("hs_code")))
        if not _HS.match(hs_code):
            problems["hs_code"] = _("The HS code must be 2 to 10 digits, such as 291524 or 071080.")
        values["hs_code"] = hs_code
        for name in NUMBER_FIELDS:
            values[name] = self._number(cells.get(name), name, problems)
        for name in COUNTRY_FIELDS:
            values[name] = self._country(cells.get(name), name, problems)
        values["container_number"] = self._container(cells.get("container_number"), problems)
        values["route_ports"] = self._ports(cells.get("route_ports"), problems)
        outcome = self._outcome(cells, problems)
        return values, outcome, problems

    @staticmethod
    def _number(raw: Any, name: str, problems: dict[str, str]) -> float | None:
        if _text(raw) == "":
            return None
        try:
            number = float(parse_decimal(raw))
        except ValueError:
            problems[name] = _("“%(value)s” is not a number.") % {"value": _text(raw)}
            return None
        if number < 0:
            problems[name] = _("The number must not be negative.")
        return number

    def _country(self, raw: Any, name: str, problems: dict[str, str]) -> str:
        text = _text(raw)
        if not text or normalise(text) in UNKNOWN_COUNTRIES:
            return ""
        code = self.countries.get(normalise(text))
        if code is None:
            problems[name] = _("Write the country as a code or name, such as KZ, KAZ or Казахстан.")
            return ""
        return code

    @staticmethod
    def _container(raw: Any, problems: dict[str, str]) -> str:
        text = _text(raw)
        if not text:
            return ""
        problem = check_container(text)
        if problem:
            problems["container_number"] = problem
            return ""
        return normalise_container(text)

    @staticmethod
    def _ports(raw: Any, problems: dict[str, str]) -> str:
        ports = [port.upper() for port in re.split(r"[\s,;>→-]+", _text(raw)) if port]
        wrong = [port for port in ports if not _LOCODE.match(port)]
        if wrong:
            problems["route_ports"] = _(
                "“%(ports)s” is not a UN/LOCODE: write the ports as IRBND TMKRW KZAKT."
            ) % {"ports": ", ".join(wrong)}
        return " ".join(ports)[:200]

    @staticmethod
    def _outcome(cells: Mapping[str, Any], problems: dict[str, str]) -> str:
        written = _text(cells.get("outcome")).lower()
        if written:
            outcome = OUTCOME_WORDS.get(written)
            if outcome is None:
                problems["outcome"] = _("Write the outcome as nothing, irregularity, critical or seizure.")
            return outcome or ""
        fraud, critical = _text(cells.get("fraud")), _text(cells.get("critical_fraud"))
        if not fraud:
            return ""
        if fraud not in ("0", "1") or critical not in ("", "0", "1", "2"):
            problems["fraud"] = _("Fraud must be 0 or 1 and Critical Fraud 0, 1 or 2.")
            return ""
        if fraud == "0":
            return Outcome.NOTHING
        return Outcome.CRITICAL if critical == "2" else Outcome.IRREGULARITY


def map_headers(headers: list[str]) -> dict[int, str]:
    """Which cell holds which column (the first of each), by our names, KCS's or Russian ones."""
    lookup = _header_lookup()
    columns: dict[int, str] = {}
    for index, header in enumerate(headers):
        column = lookup.get(normalise(str(header or "")))
        if column is not None and column not in columns.values():
            columns[index] = column
    return columns


def _rows(path: Path, result: DeclarationFile) -> Iterator[tuple[int, dict[str, Any]]]:
    with open_table(path) as table:
        columns = map_headers(table.headers)
        missing = [column for column in REQUIRED if column not in columns.values()]
        if missing:
            result.failure = _(
                "The file has no column %(columns)s. Name the columns as in the template: %(all)s."
            ) % {"columns": ", ".join(missing), "all": ", ".join(COLUMNS)}
            return
        for number, cells in table.rows:
            yield number, {column: cells[index] for index, column in columns.items() if index < len(cells)}


def read_declarations(path: Path, parser: DeclarationParser | None = None) -> DeclarationFile:
    """Every good row of the file as a Declaration, and every bad one's problems; a declaration
    id that appears twice is a problem on its second row."""
    parser = parser or DeclarationParser()
    result = DeclarationFile()
    seen: dict[str, int] = {}
    try:
        for number, cells in _rows(path, result):
            result.rows += 1
            values, outcome, problems = parser.parse(cells)
            identifier = values["declaration_id"]
            if identifier in seen and "declaration_id" not in problems:
                problems["declaration_id"] = _("The declaration %(id)s is already on row %(row)s.") % {
                    "id": identifier,
                    "row": seen[identifier],
                }
            if problems:
                result.problems.extend(
                    Problem(number, column, message) for column, message in problems.items()
                )
                continue
            seen[identifier] = number
            result.declarations.append(Declaration(values, outcome, number))
    except TableError as error:
        result.failure = str(error)
    return result
