"""Importing a watchlist file: check every row, keep the good ones, explain the bad ones.

The file has the columns `id, name, alt_names, birth_date, nationality, document_number, gender,
notes` (`alt_names` separated by ";"); Russian headers are understood too. Importing a list again
under the same name makes a new version that replaces the old one for screening; the old version
stays in the history. The version is written in one transaction with its audit line: it lands
completely or not at all. Its screening index is built after the commit.
"""

import csv
import datetime
import itertools
import json
import re
import secrets
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import IMPORT, audit_log
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import plain_markings
from kordon.core import bulk
from kordon.core.countries import country_codes, normalise
from kordon.core.models import Unit
from kordon.core.tabular import Problem, TableError, file_sha256, open_table
from kordon.entities import screening_index
from kordon.entities.matching import Person
from kordon.entities.models import Watchlist, WatchlistEntry, WatchlistVersion

COLUMNS = ("id", "name", "alt_names", "birth_date", "nationality", "document_number", "gender", "notes")
REQUIRED = ("id", "name")
# Headers as Russian-speaking agencies write them.
HEADER_ALIASES = {
    "ид": "id", "идентификатор": "id", "№": "id", "номер": "id", "фио": "name", "имя": "name",
    "другие имена": "alt_names", "псевдонимы": "alt_names", "дата рождения": "birth_date",
    "гражданство": "nationality", "номер документа": "document_number", "документ": "document_number",
    "пол": "gender", "примечание": "notes", "примечания": "notes",
}  # fmt: skip
GENDERS = {
    "male": "male", "m": "male", "м": "male", "муж": "male", "мужской": "male", "erkak": "male",
    "female": "female", "f": "female", "ж": "female", "жен": "female", "женский": "female", "ayol": "female",
}  # fmt: skip
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
ENTRY_COLUMNS = (
    "version_id", "external_id", "name", "alt_names", "birth_date", "nationality", "document_number", "gender",
    "notes",
)  # fmt: skip
INSERT_BATCH = 5000


@dataclass
class WatchlistImportResult:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    watchlist: Watchlist | None = None
    version: WatchlistVersion | None = None
    # Why nothing was imported, when the file as a whole could not be.
    failure: str = ""
    index_seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "watchlist_id": self.watchlist.pk if self.watchlist else None,
            "version": self.version.number if self.version else None,
            "rows": self.rows,
            "imported": self.version.entry_count if self.version else 0,
            "rejected": len({problem.row for problem in self.problems}),
            "failure": self.failure,
            "index_seconds": None if self.index_seconds is None else round(self.index_seconds, 1),
            "errors": [problem.as_dict() for problem in self.problems],
        }


def birth_date(text: str) -> str:
    """A birth date as the scorer compares it ("1975-03-12", "1975-03" or "1975") from ISO or
    day-first ("12.03.1975") writing; ValueError when it is no date."""
    text = text.strip()
    day_first = _DAY_FIRST.match(text)
    if day_first:
        written = [int(part) for part in day_first.groups()]
        return datetime.date(written[2], written[1], written[0]).isoformat()
    iso = _ISO.match(text)
    if not iso:
        raise ValueError(text)
    year = int(iso.group(1))
    month, day = (int(part) if part else None for part in iso.groups()[1:])
    if day is not None and month is not None:
        return datetime.date(year, month, day).isoformat()
    if month is not None:
        if not 1 <= month <= 12:
            raise ValueError(text)
        return f"{year:04}-{month:02}"
    return f"{year:04}"


def person_described(cells: Mapping[str, str], countries: Mapping[str, str]) -> tuple[Person, dict[str, str]]:
    """The person a watchlist row, a screening form or an API query describes (name, birth
    date, nationality, document number, gender), and what is wrong with it, by field.
    `countries` is core.countries.country_codes(): a nationality may be KG, KGZ or Кыргызстан."""
    problems: dict[str, str] = {}
    name = " ".join(cells.get("name", "").split())
    if not name:
        problems["name"] = _("The name is empty.")
    elif len(name) > 300:
        problems["name"] = _("The name is longer than 300 characters.")
    born = ""
    if cells.get("birth_date", "").strip():
        try:
            born = birth_date(cells["birth_date"])
        except ValueError:
            problems["birth_date"] = _("Write the birth date as 1975-03-12, 12.03.1975, 1975-03 or 1975.")
    country = ""
    if cells.get("nationality", "").strip():
        country = countries.get(normalise(cells["nationality"]), "")
        if not country:
            problems["nationality"] = _(
                "Write the nationality as a country code or name, such as KG, KGZ or Кыргызстан."
            )
    document = " ".join(cells.get("document_number", "").split())
    if len(document) > 50:
        problems["document_number"] = _("The document number is longer than 50 characters.")
    gender = ""
    if cells.get("gender", "").strip():
        gender = GENDERS.get(cells["gender"].strip().lower(), "")
        if not gender:
            problems["gender"] = _("Write the gender as male or female, or leave it empty.")
    return Person(name, born, country, document, gender), problems


def _entry(
    number: int, cells: dict[str, str], seen: dict[str, int], countries: Mapping[str, str]
) -> tuple[list[Any], list[Problem]]:
    """The entry's columns (after version_id), or the row's problems."""
    person, found = person_described(cells, countries)
    problems = [Problem(number, column, message) for column, message in found.items()]
    external_id = cells.get("id", "").strip()
    if not external_id:
        problems.insert(0, Problem(number, "id", _("Every person needs the list's own id.")))
    elif len(external_id) > 100:
        problems.insert(0, Problem(number, "id", _("The id is longer than 100 characters.")))
    elif external_id in seen:
        message = _("The id %(id)s is already on row %(row)s.") % {
            "id": external_id,
            "row": seen[external_id],
        }
        problems.insert(0, Problem(number, "id", message))
    if problems:
        return [], problems
    seen[external_id] = number
    alt_names = [" ".join(alt.split())[:300] for alt in cells.get("alt_names", "").split(";") if alt.strip()]
    return [
        external_id,
        person.name,
        json.dumps(alt_names, ensure_ascii=False),
        person.birth_date,
        person.nationality,
        person.document_number,
        person.gender,
        cells.get("notes", "").strip(),
    ], []


def column_name(header: Any) -> str:
    """The column a header names ("Дата рождения" and "birth date" are birth_date)."""
    header = " ".join(str(header).strip().lower().split())
    return HEADER_ALIASES.get(header, header.replace(" ", "_"))


def row_cells(headers: list[str], cells: list[Any]) -> dict[str, str]:
    """A row's cells by column, as text; a short row's missing cells are empty."""
    padded = [*cells, *[None] * (len(headers) - len(cells))]
    return {header: "" if cell is None else str(cell) for header, cell in zip(headers, padded, strict=False)}


def _watchlist_for(
    actor: Any, unit: Unit, name: str, tlp: int, handling_code: str, distribution: int
) -> Watchlist:
    """The unit's agency's list of that name, which `actor` must be able to change, or a new one
    with the given markings (unsaved)."""
    existing = Watchlist.objects.filter(owner_agency_id=unit.agency_id, name=name).first()
    if existing is None:
        markings = plain_markings(tlp=tlp, handling_code=handling_code, distribution=distribution)
        return Watchlist(
            owner_unit=unit, owner_agency_id=unit.agency_id, name=name, created_by=actor, **markings
        )
    if not Watchlist.objects.restrict(actor, policy.CHANGE).filter(pk=existing.pk).exists():
        raise PermissionDenied(
            _("The watchlist %(name)s belongs to another unit of your agency; ask them to import it.")
            % {"name": name}
        )
    return existing


def watchlist_import(
    *,
    actor: Any,
    unit: Unit,
    path: Path,
    name: str,
    file_name: str = "",
    tlp: int = Tlp.AMBER,
    handling_code: str = HandlingCode.H0,
    distribution: int = Distribution.AGENCY,
) -> WatchlistImportResult:
    """Import `path` as the new version of the unit's agency's watchlist `name` (created with the
    given markings the first time; a later import keeps the list's markings)."""
    if not policy.may_act_in_unit(actor, unit.pk, policy.ADD):
        raise PermissionDenied(_("You may not import lists for this unit."))
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the watchlist a name.")})
    watchlist = _watchlist_for(actor, unit, name, tlp, handling_code, distribution)
    result = WatchlistImportResult(watchlist=watchlist if watchlist.pk else None)
    # The good rows wait in a file, not in memory: a list may hold millions of people.
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as spool:
        accepted = _check_rows(path, result, csv.writer(spool))
        if result.failure:
            return result
        if not accepted:
            result.failure = _("No row could be imported; the list was left as it was.")
            return result
        spool.seek(0)
        with transaction.atomic():
            if watchlist.pk is None:
                watchlist.save()
            else:
                # One import at a time per list: the version numbers must not collide.
                watchlist = Watchlist.objects.select_for_update().get(pk=watchlist.pk)
            last = watchlist.versions.aggregate(last=Max("number"))["last"] or 0
            version = WatchlistVersion.objects.create(
                watchlist=watchlist,
                number=last + 1,
                index_token=secrets.token_hex(8),
                file_name=(file_name or path.name)[:255],
                file_sha256=file_sha256(path),
                entry_count=accepted,
                rejected_rows=len({problem.row for problem in result.problems}),
                imported_by=actor,
            )
            prepare = bulk.row_preparer(WatchlistEntry, ENTRY_COLUMNS)
            rows = csv.reader(spool)
            while batch := list(itertools.islice(rows, INSERT_BATCH)):
                bulk.insert_prepared(
                    WatchlistEntry, ENTRY_COLUMNS, [prepare([version.pk, *entry]) for entry in batch]
                )
            _make_current(actor, watchlist, version, result)
    result.watchlist, result.version = watchlist, version
    started = time.perf_counter()
    screening_index.build(version)
    result.index_seconds = time.perf_counter() - started
    return result


def _check_rows(path: Path, result: WatchlistImportResult, accepted: Any) -> int:
    """Check every row of the file: problems go to `result`, good rows to the csv writer
    `accepted`. Returns how many rows were good; a file that cannot be read sets `result.failure`."""
    count = 0
    try:
        with open_table(path) as table:
            headers = [column_name(header) for header in table.headers]
            missing = [column for column in REQUIRED if column not in headers]
            if missing:
                result.failure = _("The file has no column %(columns)s. The columns are: %(all)s.") % {
                    "columns": ", ".join(missing),
                    "all": ", ".join(COLUMNS),
                }
                return 0
            seen: dict[str, int] = {}
            countries = country_codes()
            for number, cells in table.rows:
                result.rows += 1
                entry, problems = _entry(number, row_cells(headers, cells), seen, countries)
                result.problems.extend(problems)
                if entry:
                    accepted.writerow(entry)
                    count += 1
    except TableError as error:
        result.failure = str(error)
    return count


def _make_current(
    actor: Any, watchlist: Watchlist, version: WatchlistVersion, result: WatchlistImportResult
) -> None:
    """Point the list at its new version and audit the import (in the import's transaction)."""
    previous = watchlist.current_version_id
    watchlist.current_version = version
    watchlist.save(update_fields=["current_version", "updated_at"])
    audit_log(
        actor=actor,
        action=IMPORT,
        instance=watchlist,
        before={"version_id": previous},
        after={
            "version": version.number,
            "version_id": version.pk,
            "file": version.file_name,
            "sha256": version.file_sha256,
            "rows": result.rows,
            "entries": version.entry_count,
            "rejected": version.rejected_rows,
        },
    )
