"""Every substance is named in each language of the interface, so that an officer working in
Uzbek (Latin) does not meet a Cyrillic drug name in a list, a chart or the bulletin."""

import json
import re

import pytest
from django.conf import settings
from django.utils import translation

from kordon.seizures.models import Substance
from kordon.seizures.reference import SUBSTANCES_FILE

CATALOGUE = json.loads(SUBSTANCES_FILE.read_text(encoding="utf-8"))
REGIONAL = [code for code, _name in settings.LANGUAGES if code != "en"]
CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.mark.parametrize("language", REGIONAL)
def test_every_substance_has_a_name_in_each_language_of_the_interface(language: str) -> None:
    missing = [entry["code"] for entry in CATALOGUE if not entry["names"].get(language, "").strip()]
    assert missing == []


def test_uzbek_names_are_in_the_latin_alphabet() -> None:
    assert [entry["names"]["uz"] for entry in CATALOGUE if CYRILLIC.search(entry["names"]["uz"])] == []


@pytest.mark.django_db
def test_a_substance_shows_its_name_in_the_active_language() -> None:
    heroin = Substance.objects.get(code="heroin")
    with translation.override("uz"):
        assert heroin.label == "Geroin"
    with translation.override("ky"):
        assert heroin.label == heroin.names["ky"]
    with translation.override("en"):
        assert heroin.label == "Heroin"
