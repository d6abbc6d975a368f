"""Reference data every node starts with: the countries of the world and the region's gazetteer.

Loading is idempotent and audited as one line per table: it adds what is missing (by code) and
never changes a row that exists, so corrections made by administrators survive upgrades.
"""

import csv
import gettext
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.db import transaction

from kordon.access.audit import audit_log
from kordon.core.models import Country, Place

DATA_DIR = Path(__file__).resolve().parent / "data"
PLACES_FILE = DATA_DIR / "places.csv"

CENTRAL_ASIA = frozenset({"KZ", "KG", "TJ", "TM", "UZ"})
# Languages whose country names come from the iso-codes catalogues shipped inside pycountry.
COUNTRY_NAME_LANGUAGES = ("ru", "ky", "kk", "uz", "tg", "tk")
# Where the catalogue's name is not the one the country uses itself in Russian.
RUSSIAN_NAME_OVERRIDES = {"KG": "Кыргызстан", "MD": "Молдова", "BY": "Беларусь"}


@dataclass(frozen=True)
class LoadSummary:
    table: str
    added: int
    present: int

    def __str__(self) -> str:
        return f"{self.table}: {self.added} added, {self.present} already present"


def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


@transaction.atomic
def load_countries() -> LoadSummary:
    catalogues = {language: _translations(language) for language in COUNTRY_NAME_LANGUAGES}
    existing = set(Country.objects.values_list("code", flat=True))
    new = []
    for entry in pycountry.countries:
        if entry.alpha_2 in existing:
            continue
        english = getattr(entry, "common_name", None) or entry.name
        names = {}
        for language, catalogue in catalogues.items():
            translated = catalogue.gettext(entry.name)
            if translated and translated != entry.name:
                names[language] = translated
        if entry.alpha_2 in RUSSIAN_NAME_OVERRIDES:
            names["ru"] = RUSSIAN_NAME_OVERRIDES[entry.alpha_2]
        new.append(
            Country(
                code=entry.alpha_2,
                code3=entry.alpha_3,
                numeric=entry.numeric,
                name=english,
                names=names,
                central_asia=entry.alpha_2 in CENTRAL_ASIA,
            )
        )
    Country.objects.bulk_create(new)
    summary = LoadSummary("countries", len(new), len(existing))
    audit_log(actor=None, action="reference_load", object_type="core.country", after=summary.__dict__)
    return summary


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


@transaction.atomic
def load_places(path: Path = PLACES_FILE) -> LoadSummary:
    """Add missing places; counterparts are linked in a second pass once both sides exist."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(Place.objects.values_list("code", flat=True))
    added = 0
    for row in rows:
        if row["code"] in existing:
            continue
        names = {"ru": row["name_ru"]} if row.get("name_ru") else {}
        aliases = [alias.strip() for alias in row.get("aliases", "").split(";") if alias.strip()]
        Place.objects.create(
            code=row["code"],
            kind=row["kind"],
            name=row["name_en"],
            names=names,
            country_id=row["country_iso2"],
            other_country_id=row.get("other_country_iso2") or None,
            latitude=_float_or_none(row["latitude"]),
            longitude=_float_or_none(row["longitude"]),
            unlocode=row.get("unlocode", ""),
            aliases=aliases,
            source=row.get("source", ""),
        )
        added += 1
    by_code = {place.code: place for place in Place.objects.filter(code__in=[row["code"] for row in rows])}
    for row in rows:
        counterpart = by_code.get(row.get("counterpart_code", ""))
        place = by_code[row["code"]]
        if counterpart is not None and place.counterpart_id is None:
            place.counterpart = counterpart
            place.save(update_fields=["counterpart"])
    summary = LoadSummary("places", added, len(existing))
    audit_log(actor=None, action="reference_load", object_type="core.place", after=summary.__dict__)
    return summary
