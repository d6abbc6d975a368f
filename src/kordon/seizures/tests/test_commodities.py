"""Contraband beyond drugs: a customs officer at Aktau records 12 pistols and 3,000 counterfeit
watches in the same registry as drugs; each family is measured in its own units, pieces are never
summed into kilograms, and analysts split every figure by commodity family."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kordon.analytics.cube import Question, summary
from kordon.seizures.commodities import parse_attributes
from kordon.seizures.models import CommodityFamily, Substance
from kordon.seizures.selectors import SeizureFilters, seizure_list
from kordon.seizures.services import ItemData, SeizureData, seizure_create

AKTAU = "kz-customs-pcu-aktau"


def item(code: str, quantity: str, unit: str, **values: Any) -> ItemData:
    return ItemData(Substance.objects.get(code=code).pk, Decimal(quantity), unit, **values)


def record(world: Any, reference: str, *items: ItemData) -> Any:
    return seizure_create(
        actor=world.user("kz.pcu.aktau"),
        owner_unit_id=world.unit(AKTAU).pk,
        data=SeizureData(
            reference=reference, occurred_on=datetime.date(2013, 10, 2), country_id="KZ", items=list(items)
        ),
    )


def test_firearms_and_counterfeits_sit_beside_drugs_in_their_own_units(world: Any) -> None:
    pistols = item("pistol", "12", "pieces", attributes={"calibre": "9 mm", "serial_numbers": "A1021-A1032"})
    watches = item("counterfeit-watches", "3000", "pieces", value=Decimal("45000"), currency="usd")
    cash = item("cash", "184000", "amount", currency="USD")
    seizure = record(world, "KZ-AKT-2013-55", pistols, watches, item("heroin", "2.5", "kg"), cash)
    stored = {row.substance.code: row for row in seizure.items.select_related("substance")}
    assert stored["pistol"].quantity_kg is None and stored["counterfeit-watches"].quantity_kg is None
    assert stored["pistol"].attributes == {"calibre": "9 mm", "serial_numbers": "A1021-A1032"}
    assert (stored["counterfeit-watches"].value, stored["counterfeit-watches"].currency) == (
        Decimal("45000"),
        "USD",
    )
    assert stored["heroin"].quantity_kg == Decimal("2.5")

    analyst = world.user("kz.pcu.aktau")
    kilograms = summary(user=analyst, question=Question(measure="kilograms", group_by=("commodity_family",)))
    assert [(row["commodity_family"], row["value"]) for row in kilograms.rows] == [("drugs", Decimal("2.5"))]
    counted = summary(
        user=analyst, question=Question(measure="counted_units", group_by=("commodity_family",))
    )
    assert sorted((row["commodity_family"], row["unit_of_measure"], row["value"]) for row in counted.rows) == [
        ("counterfeit", "pieces", Decimal(3000)), ("firearms", "pieces", Decimal(12))]  # no sum of dollars  # fmt: skip
    cases = summary(user=analyst, question=Question(measure="cases", group_by=("commodity_family",)))
    assert {row["commodity_family"]: row["value"] for row in cases.rows} == {
        "drugs": 1,
        "firearms": 1,
        "counterfeit": 1,
        "currency": 1,
    }
    assert cases.total == 1  # one seizure, whatever it held
    firearms = SeizureFilters(family=CommodityFamily.FIREARMS)
    assert list(seizure_list(user=analyst, filters=firearms)) == [seizure]
    assert not seizure_list(user=analyst, filters=SeizureFilters(family=CommodityFamily.WILDLIFE)).exists()


def test_each_family_is_measured_only_in_its_units_and_carries_only_its_details(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        record(
            world,
            "KZ-AKT-2013-56",
            item("cash", "5", "kg"),  # money is an amount in a currency
            item("cash", "250000", "amount"),  # ... with its currency
            item("pistol", "2", "pieces", attributes={"cites_species": "Panthera uncia"}),
            item("saiga-horn", "40", "rounds"),
        )
    problems = " ".join(refused.value.message_dict["items"])
    assert "Item 1" in problems and "Item 2" in problems and "Item 3" in problems and "Item 4" in problems
    assert "CITES species" in problems
    horns = record(world, "KZ-AKT-2013-57", item("saiga-horn", "40", "head", attributes={"cites_appendix": "II"}),
                   item("cash", "250000", "amount", currency="USD"))  # fmt: skip
    assert all(row.quantity_kg is None for row in horns.items.all())


def test_details_are_written_as_names_and_values() -> None:
    assert parse_attributes("calibre: 9 mm; serial numbers: A1, A2 ; HS code: 930200") == (
        {"calibre": "9 mm", "serial_numbers": "A1, A2", "hs_code": "930200"},
        [],
    )
    assert parse_attributes("colour: red; calibre") == ({}, ["colour: red", "calibre"])


def test_the_api_reads_and_writes_a_commodity_s_value_and_details(world: Any, client: Any) -> None:
    from kordon.entities.tests.test_watchlists import bearer

    payload = {
        "reference": "KZ-AKT-2013-58",
        "occurred_on": "2013-10-03",
        "country": "KZ",
        "owner_unit": AKTAU,
        "items": [{"substance": "pistol", "quantity": "12", "unit": "pieces", "attributes": {"calibre": "9 mm"}},
                  {"substance": "cash", "quantity": "10000", "unit": "amount", "currency": "EUR"}],
    }  # fmt: skip
    created = client.post(
        "/api/v1/seizures", payload, content_type="application/json", headers=bearer("kz.pcu.aktau")
    )
    assert created.status_code == 201, created.content
    items = {row["substance"]: row for row in created.json()["items"]}
    assert items["pistol"]["family"] == "firearms" and items["pistol"]["attributes"] == {"calibre": "9 mm"}
    assert (items["cash"]["currency"], items["cash"]["quantity_kg"]) == ("EUR", None)
    wrong = client.post("/api/v1/seizures", payload | {"reference": "KZ-AKT-2013-59", "items": [
        {"substance": "cash", "quantity": "3", "unit": "kg"}]}, content_type="application/json",
        headers=bearer("kz.pcu.aktau"))  # fmt: skip
    assert wrong.status_code == 422
