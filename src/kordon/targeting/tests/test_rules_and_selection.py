"""Profiles' conditions, the trader history they read (earlier declarations only), and how a
day's capacity is shared between risk, profiles and random picks."""

import datetime
import random

import pytest

from kordon.targeting import profiles, selection
from kordon.targeting.models import Lane, Source

DAY = datetime.date(2013, 6, 5)


def test_conditions_hold_as_a_targeter_means_them() -> None:
    conditions, problems = profiles.parse_conditions(
        [
            {"field": "hs_code", "op": "starts_with", "value": ["2915"]},
            {"field": "route_ports", "op": "contains", "value": "tmkrw"},
            {"field": "importer_days_known", "op": "below", "value": 90},
        ]
    )
    assert problems == []
    rule = profiles.Profile(1, "AA", tuple(conditions), 60, "", DAY, None)
    fields = {
        "hs_code": "291524",
        "route_ports": "IRBND TMKRW KZAKT",
        "importer": "NEW",
        "declared_on": DAY,
        "net_mass": 10.0,
        "declared_value": 5.0,
    }
    history = profiles.ImporterHistory()
    assert rule.fires(profiles.judged_fields(fields, history))
    history.known["NEW"] = (DAY - datetime.timedelta(days=200), 12)
    assert not rule.fires(profiles.judged_fields(fields, history))
    assert not rule.fires(
        profiles.judged_fields(
            fields | {"declared_on": DAY - datetime.timedelta(days=1)}, profiles.ImporterHistory()
        )
    )


def test_bad_conditions_are_named() -> None:
    _conditions, problems = profiles.parse_conditions(
        [
            {"field": "hs_code", "op": "below", "value": 3},
            {"field": "net_mass", "op": "above", "value": "a lot"},
            {"field": "x"},
        ]
    )
    assert len(problems) == 3
    assert "1" in problems[0] and "2" in problems[1] and "3" in problems[2]


def test_history_is_only_what_came_before() -> None:
    history = profiles.ImporterHistory()
    history.see("A", DAY)
    history.see("A", DAY + datetime.timedelta(days=10))
    # Asked about a day before both declarations, the importer is new.
    assert history.facts("A", DAY - datetime.timedelta(days=1)) == {
        "importer_days_known": 0.0,
        "importer_declarations": 0.0,
    }
    assert history.facts("A", DAY + datetime.timedelta(days=30))["importer_days_known"] == 30.0


def test_weights_combine_as_chances() -> None:
    assert profiles.combined_weight([60, 50]) == 80
    assert profiles.combined_weight([]) == 0
    assert profiles.combined_weight([100, 10]) == 100


def test_capacity_is_shared_between_risk_and_random_picks() -> None:
    candidates = [selection.Candidate(key, key / 100, 0) for key in range(100)]
    choices = selection.select(candidates, 20, random_share=0.1, rng=random.Random(3))
    red = [c for c in choices if c.lane == Lane.RED]
    assert len(red) == 20
    by_risk = sorted(c.key for c in red if c.source == Source.MODEL)
    randoms = [c.key for c in red if c.source == Source.RANDOM]
    assert by_risk == list(range(82, 100)) and len(randoms) == 2
    assert all(key < 82 for key in randoms)
    yellow = [c.key for c in choices if c.lane == Lane.YELLOW]
    assert len(yellow) == 20 and not set(yellow) & set(randoms)
    assert sum(c.lane == Lane.GREEN for c in choices) == 60


def test_profiles_demand_lanes_and_outweigh_a_doubtful_model() -> None:
    candidates = [
        selection.Candidate(1, 0.05, 0, Lane.RED),
        selection.Candidate(2, 0.10, 80),
        selection.Candidate(3, 0.50, 0),
        selection.Candidate(4, 0.01, 0, Lane.YELLOW),
        selection.Candidate(5, 0.02, 0),
    ]
    choices = {
        c.key: c for c in selection.select(candidates, 2, random_share=0, documents=0, rng=random.Random(1))
    }
    assert (choices[1].lane, choices[1].source) == (Lane.RED, Source.RULE)
    assert (choices[2].lane, choices[2].source) == (Lane.RED, Source.RULE)
    assert choices[3].lane == Lane.GREEN  # capacity was taken by the profiles
    assert choices[4].lane == Lane.YELLOW


def test_capacity_as_number_or_share() -> None:
    assert selection.capacity_of("40", 1000) == 40
    assert selection.capacity_of("5%", 1000) == 50
    assert selection.capacity_of("2,5 %", 1000) == 25
    for wrong in ("-1", "many", "150%"):
        with pytest.raises(ValueError, match="number of inspections"):
            selection.capacity_of(wrong, 100)
