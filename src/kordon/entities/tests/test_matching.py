"""The person scorer: the issue's courier is found across scripts, swapped birth dates and a
mistyped passport, with reasons an officer can check; namesakes and strangers are not."""

import datetime

import numpy as np
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kordon.entities.matching import (
    DEFAULT_THRESHOLD,
    Person,
    best_possible,
    birth_date_weights,
    compare,
    date_parts,
    document_key,
)
from kordon.entities.screening_index import document_keys

COURIER = Person("Султанов Алимбай Каримович", "1978-04-11", "KG", "AC1234567", "male")


def outcomes(first: Person, second: Person) -> dict[str, str]:
    return {reason.feature: reason.outcome for reason in compare(first, second).reasons}


def test_the_courier_in_his_passport_zone_with_day_and_month_swapped() -> None:
    passport = Person("SULTANOV<<ALIMBAI<KARIMOVICH", "1978-11-04", "KG", "AC1234567", "male")
    match = compare(COURIER, passport)
    assert match.score > 0.99
    assert outcomes(COURIER, passport) == {
        "name": "same", "patronymic": "same", "birth_date": "day_month_swapped", "document": "exact",
        "nationality": "same", "gender": "same",
    }  # fmt: skip


def test_the_courier_in_an_uzbek_record_with_a_mistyped_passport() -> None:
    uzbek = Person("Sultonov Alimboy Karimovich", "1978-04-11", "UZ", "AC1234576")
    assert compare(COURIER, uzbek).score > 0.99
    assert outcomes(COURIER, uzbek)["document"] == "one_edit"
    assert outcomes(COURIER, uzbek)["nationality"] == "differs"


def test_the_courier_as_a_surname_and_an_initial() -> None:
    """ "Soultanov A." born in 1978 could be any of many; with his passport number it is him."""
    report = Person("Soultanov A.", "1978")
    match = compare(COURIER, report)
    assert [reason.outcome for reason in match.reasons] == ["one_name_initial", "same_year"]
    assert match.score < DEFAULT_THRESHOLD
    assert compare(COURIER, Person("Soultanov A.", "1978", document_number="AC1234567")).score > 0.99


def test_a_french_spelling_of_a_turkmen_name() -> None:
    french = Person("Tcharyev Mekan Atamyratovitch", "1990-04-24")
    assert outcomes(Person("Чарыев Мекан Атамыратович", "1990-04-24"), french)["name"] == "same"


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (Person("Султанов Бакыт Каримович", "1985-02-03", "KG", "AC7654321"), "his brother"),
        (Person("Султанов Алимбай", "1962-09-30"), "a namesake born elsewhere in time"),
        (Person("Асанов Алимбай", "1978-04-11"), "another surname, the same birthday"),
        (Person("Султанова Алима", "1978-04-11", gender="female"), "a woman of nearly the same name"),
    ],
)
def test_namesakes_and_relatives_stay_below_the_threshold(other: Person, why: str) -> None:
    assert compare(COURIER, other).score < DEFAULT_THRESHOLD, why


def test_a_name_alone_is_not_enough_for_an_alert_but_a_document_is() -> None:
    assert compare(COURIER, Person("Sultanov Alimbai")).score < DEFAULT_THRESHOLD
    assert (
        compare(COURIER, Person("Sultanov Alimbai", document_number="AC-123 4567")).score > DEFAULT_THRESHOLD
    )


@pytest.mark.parametrize(
    ("first", "second", "outcome"),
    [
        ("1978-04-11", "1978-04-11", "exact"),
        ("1978-04-11", "1978-11-04", "day_month_swapped"),
        ("1978-04-11", "1978-04-17", "one_digit"),
        ("1978-04-11", "1979-04-11", "one_digit"),
        ("1980-04-11", "1979-04-11", "year_off"),
        ("1978-04-11", "1978", "same_year"),
        ("1978-04-11", "1980", "differs"),
        ("1978-04-11", "1991-12-30", "differs"),
    ],
)
def test_birth_dates(first: str, second: str, outcome: str) -> None:
    assert outcomes(Person("A", first), Person("A", second))["birth_date"] == outcome


def test_an_impossible_or_missing_birth_date_is_no_evidence() -> None:
    assert "birth_date" not in outcomes(Person("A", "1978-02-30"), Person("A", "1978-02-30"))
    assert "birth_date" not in outcomes(Person("A", ""), Person("A", "1978"))


@pytest.mark.parametrize(
    ("first", "second", "outcome"),
    [("AC1234567", "ac 123-4567", "exact"), ("AC1234567", "AC1234576", "one_edit"),
     ("AC1234567", "AC1284567", "one_edit"), ("AC1234567", "AC123456", "one_edit"),
     ("AC1234567", "N0987654", "differs")],
)  # fmt: skip
def test_document_numbers(first: str, second: str, outcome: str) -> None:
    assert (
        outcomes(Person("A", document_number=first), Person("A", document_number=second))["document"]
        == outcome
    )


def test_document_key() -> None:
    assert document_key(" an 12-34 56 ") == "AN123456"


def test_the_explanation_is_in_the_officers_language() -> None:
    passport = Person("SULTANOV<<ALIMBAI", "1978-11-04")
    with translation.override("ru"):
        explanation = compare(COURIER, passport).explanation
    assert "дата рождения совпадает, если поменять местами день и месяц" in explanation
    with translation.override("en"):
        assert "birth date matches with day and month swapped" in compare(COURIER, passport).explanation


dates = st.one_of(
    st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2010, 12, 31)).map(str),
    st.integers(1940, 2010).map(str),
    st.just(""),
)


@given(dates, st.lists(dates, min_size=1, max_size=8))
def test_the_screening_weighs_birth_dates_in_bulk_as_one_by_one(query: str, listed: list[str]) -> None:
    parts = [date_parts(date) or (0, None, None) for date in listed]
    years, months, days = (np.array([part[index] or 0 for part in parts]) for index in range(3))
    in_bulk = birth_date_weights(query, years, months, days)
    one_by_one = [sum(reason.weight for reason in compare(Person("A", query), Person("A", date)).reasons
                      if reason.feature == "birth_date") for date in listed]  # fmt: skip
    assert in_bulk.tolist() == pytest.approx(one_by_one)


@given(
    st.sampled_from(["Султанов Алимбай", "SULTONOV A.", "Asanov Bakyt Karimovich", "Ivanov"]),
    dates,
    dates,
    st.sampled_from(["", "AC1234567", "AC1234576", "AB12", "N0987654"]),
    st.sampled_from(["", "AC1234567", "AC123", "AB1"]),
    st.integers(0, 500),
)
def test_what_the_screening_skips_could_never_reach_its_score(
    name: str, born: str, listed_born: str, document: str, listed_document: str, namesakes: int
) -> None:
    query = Person(name, born, "KG", document)
    listed = Person("Sultanov Alimbai Karimovich", listed_born, "KG", listed_document, "male")
    year, month, day = date_parts(listed_born) or (0, None, None)
    by_document = bool(document_keys(document) & document_keys(listed_document))
    bound = best_possible(
        query, np.array([year]), np.array([month or 0]), np.array([day or 0]), np.array([namesakes]),
        np.array([by_document]),
    )  # fmt: skip
    assert compare(query, listed, namesakes=namesakes).score <= bound[0] + 1e-9
