"""Reference data: countries in the region's languages and a gazetteer with sources."""

from typing import Any

from django.utils import translation

from kordon.access.context import action_context
from kordon.core.models import Country, Place
from kordon.core.reference import load_countries, load_places
from kordon.seizures.models import Substance
from kordon.seizures.reference import load_substances


def test_countries_have_names_in_the_regions_languages(world: Any) -> None:
    kyrgyzstan = Country.objects.get(code="KG")
    assert kyrgyzstan.code3 == "KGZ" and kyrgyzstan.numeric == "417" and kyrgyzstan.central_asia
    assert kyrgyzstan.names["ru"] == "Кыргызстан" and kyrgyzstan.names["ky"] == "Кыргызстан"
    with translation.override("ru"):
        assert str(Country.objects.get(code="UZ")) == "Узбекистан"
    assert Country.objects.filter(central_asia=True).count() == 5


def test_border_crossings_know_their_counterpart_and_where_the_coordinates_come_from(world: Any) -> None:
    dostuk = Place.objects.get(code="KG-DOSTUK")
    assert dostuk.counterpart.code == "UZ-DUSTLIK" and dostuk.counterpart.counterpart == dostuk
    assert (dostuk.country_id, dostuk.other_country_id) == ("KG", "UZ")
    crossings = Place.objects.filter(kind="border_crossing")
    assert crossings.count() >= 30
    for place in Place.objects.all():
        assert place.source, f"{place.code} has no source"
        assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180
    for crossing in crossings.exclude(counterpart=None):
        assert crossing.counterpart.other_country_id == crossing.country_id


def test_loading_again_adds_nothing_and_keeps_corrections(world: Any) -> None:
    Place.objects.filter(code="KG-DOSTUK").update(latitude=40.5800)
    with action_context(client_address="test"):
        assert (load_countries().added, load_places().added, load_substances().added) == (0, 0, 0)
    assert Place.objects.get(code="KG-DOSTUK").latitude == 40.5800


def test_the_substance_catalogue_groups_as_unodc(world: Any) -> None:
    groups = dict(Substance.objects.values_list("code", "group"))
    assert groups["heroin"] == "opioids" and groups["cannabis-resin"] == "cannabis"
    assert groups["methamphetamine"] == "ats" and groups["tramadol"] == "sedatives"
    assert groups["acetic-anhydride"] == "precursors"
    assert "гашиш" in Substance.objects.get(code="cannabis-resin").synonyms
