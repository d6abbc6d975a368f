"""Figures over seizures: exact values on a small known world, only over what the user may count,
and statistics-only partners see totals but never rows."""

import datetime
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kordon.access.markings import Tlp
from kordon.access.models import AgreementStatus, SharingAgreement
from kordon.analytics.compare import compare
from kordon.analytics.cube import AnalyticsError, Question, summary
from kordon.analytics.periods import Period
from kordon.core.models import Agency
from kordon.seizures.models import Seizure, Substance
from kordon.seizures.selectors import SeizureFilters, seizure_list
from kordon.seizures.services import ItemData, seizure_data_from, seizure_update
from kordon.seizures.tests.test_api import api_client, conforms

D = datetime.date


def _total(user: Any, measure: str, **fields: Any) -> Any:
    return summary(user=user, question=Question(measure=measure, **fields)).total


def test_measures_over_what_an_officer_may_see(world: Any, seized: dict[str, Seizure]) -> None:
    officer = world.user("kg.blo.dostuk")
    assert _total(officer, "cases") == 4
    assert _total(officer, "kilograms") == Decimal("7.5")  # 2 + 1.5 + 3 + 1; tablets are not kg
    assert _total(officer, "items") == 5
    assert _total(officer, "persons_arrested") == 3
    assert _total(officer, "counted_units") == {"tablets": Decimal(120)}


def test_money_is_never_added_to_counted_quantities(world: Any, seized: dict[str, Seizure],
                                                    make_seizure: Any) -> None:  # fmt: skip
    mixed = make_seizure("kg-dcs-blo-dostuk", substance="tramadol", quantity="30", unit="tablets")
    dollars = ItemData(Substance.objects.get(code="cash").pk, Decimal(184000), "amount", currency="USD")
    seizure_update(actor=world.user("admin"), seizure_id=mixed.pk,
                   data=replace(seizure_data_from(mixed), items=[*seizure_data_from(mixed).items, dollars]))  # fmt: skip
    make_seizure("kg-dcs-blo-dostuk", substance="tramadol", quantity="1", unit="tablets")
    officer = world.user("kg.blo.dostuk")
    assert _total(officer, "counted_units") == {"tablets": Decimal(151)}
    assert _total(officer, "cases") == 6


def test_splits_by_dimensions_and_periods(world: Any, seized: dict[str, Seizure]) -> None:
    officer = world.user("kg.blo.dostuk")
    by_year = summary(user=officer, question=Question(measure="kilograms", group_by=("year",))).rows
    assert [(row["year"], row["value"]) for row in by_year] == [
        ("2012", Decimal("3.5")),
        ("2013", Decimal(4)),
    ]
    by_quarter = summary(user=officer, question=Question(measure="cases", group_by=("quarter", "transport_mode"),
                                                         period=Period.parse("2012"))).rows  # fmt: skip
    assert [(row["quarter"], row["transport_mode"], row["value"]) for row in by_quarter] == [
        ("2012-Q1", "road", 1), ("2012-Q3", "rail", 1)]  # fmt: skip
    # A seizure of two drugs is one case in the total, and one case in each drug's row.
    by_drug = summary(user=officer, question=Question(measure="cases", group_by=("substance_group",),
                                                      period=Period.parse("2013")))  # fmt: skip
    assert {row["substance_group"]: row["value"] for row in by_drug.rows} == {
        "opioids": 1, "cannabis": 1, "sedatives": 1}  # fmt: skip
    assert by_drug.total == 2
    # Tramadol was seized in tablets only: it has no row in kilograms.
    kilograms = summary(user=officer, question=Question(measure="kilograms", group_by=("substance_group",)))
    assert {row["substance_group"] for row in kilograms.rows} == {"opioids", "cannabis"}


def test_persons_arrested_are_not_split_by_substance(world: Any) -> None:
    with pytest.raises(AnalyticsError):
        summary(
            user=world.user("kg.analyst"),
            question=Question(measure="persons_arrested", group_by=("substance",)),
        )


def test_totals_never_include_a_record_the_user_may_not_see(world: Any, seized: dict[str, Seizure]) -> None:
    for username in ["kg.blo.dostuk", "uz.blo.dustlik", "kz.analyst", "tj.analyst", "outsider"]:
        user = world.user(username)
        visible = list(seizure_list(user=user, filters=SeizureFilters()))
        kilograms = sum(
            (item.quantity_kg or 0 for seizure in visible for item in seizure.items.all()), Decimal(0)
        )
        assert _total(user, "cases") == len(visible), username
        assert _total(user, "kilograms") == kilograms, username


def test_statistics_only_partners_see_totals_but_never_rows(world: Any, seized: dict[str, Seizure]) -> None:
    analyst = world.user("kg.analyst")
    assert _total(analyst, "kilograms", period=Period.parse("2013")) == Decimal(4)
    agreement = SharingAgreement.objects.create(
        title="Statistics", record_kinds=["seizures"], tlp_ceiling=Tlp.GREEN, scope="statistics",
        valid_from=D(2012, 1, 1), status=AgreementStatus.ACTIVE)  # fmt: skip
    agreement.parties.set(Agency.objects.filter(code__in=["KG-DCS", "KZ-MVD"]))
    analyst = world.user("kg.analyst")  # a new request reads the agreements afresh
    assert _total(analyst, "kilograms", period=Period.parse("2013")) == Decimal(14)
    assert seized["KZ"].pk not in set(
        seizure_list(user=analyst, filters=SeizureFilters()).values_list("pk", flat=True)
    )
    assert world.client("kg.analyst").get(f"/seizures/{seized['KZ'].pk}/").status_code == 404


def test_the_comparison_says_it_in_a_sentence(world: Any, seized: dict[str, Seizure]) -> None:
    heroin = Substance.objects.get(code="heroin")
    question = Question(measure="kilograms", filters=SeizureFilters(substance=heroin.pk))
    comparison = compare(user=world.user("kg.analyst"), question=question, before=Period.parse("2012"),
                         after=Period.parse("2013"))  # fmt: skip
    assert (comparison.value_before, comparison.value_after) == (Decimal("3.5"), Decimal(3))
    assert comparison.change_percent == -14
    with translation.override("en"):
        assert comparison.sentence == "Heroin seizures fell from 3.5 kg in 2012 to 3 kg in 2013, -14%."
    with translation.override("ru"):
        assert comparison.sentence == "Героин: снижение с 3,5 кг за 2012 г. до 3 кг за 2013 г., -14 %."


def test_the_api_answers_summary_and_comparison(world: Any, seized: dict[str, Seizure], openapi: Any) -> None:
    client = api_client("kg.analyst")
    body = conforms(openapi, client.get("/api/v1/analytics/summary", {"measure": "kilograms", "group_by": "year,substance_group"}),
                    "/api/v1/analytics/summary")  # fmt: skip
    assert body["total"] == 7.5
    cells = {
        (row["keys"]["year"]["key"], row["keys"]["substance_group"]["key"]): row["value"]
        for row in body["rows"]
    }
    assert cells == {("2012", "opioids"): 3.5, ("2013", "opioids"): 3.0, ("2013", "cannabis"): 1.0}
    body = conforms(openapi, client.get("/api/v1/analytics/compare", {"measure": "cases", "before": "2012"}),
                    "/api/v1/analytics/compare")  # fmt: skip
    assert (body["before"]["value"], body["after"]["value"], body["after"]["period"]) == (2, 2, "2013")
    wrong = client.get("/api/v1/analytics/summary", {"group_by": "colour"})
    assert wrong.status_code == 422 and "colour" in json.dumps(wrong.json(), ensure_ascii=False)
    assert client.get("/api/v1/analytics/summary", {"period": "2013-Q9"}).status_code == 422
