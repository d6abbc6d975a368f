"""The analytics mirror gives exactly the database's figures, for every measure and dimension
and for every persona, also after seizures change, disappear or arrive before it is rebuilt.

The tests commit their data (transactional): on PostgreSQL the mirror is read over connections of
its own, which would not see a test's open transaction."""

import datetime
import io
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from kordon.access.markings import Distribution, Tlp
from kordon.access.models import AuditEntry
from kordon.analytics import mirror
from kordon.analytics.cube import DIMENSIONS, MEASURES, Question, summary, totals_in_periods, with_cases
from kordon.analytics.models import SeizureChange
from kordon.analytics.periods import Period
from kordon.exchange import services as exchange
from kordon.seizures.models import Seizure, SeizureItem, Substance
from kordon.seizures.selectors import SeizureFilters
from kordon.seizures.services import seizure_data_from, seizure_delete, seizure_update

D = datetime.date
PERSONAS = ["admin", "kg.analyst", "kg.blo.dostuk", "uz.blo.dustlik", "kz.analyst", "tj.analyst", "outsider"]


@pytest.fixture
def mirror_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "analytics.duckdb"
    with override_settings(KORDON_ANALYTICS_MIRROR=str(path)):
        yield path
    mirror.close()


@pytest.fixture
def seizures(transactional_world: Any, make_seizure: Any) -> dict[str, Seizure]:
    """Seizures over two years that differ in every dimension the figures split by."""
    world = transactional_world
    made = {
        "H2012": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2012, 3, 5), quantity="2", persons_arrested=1,
                              transport_mode="road", detection_method="dog", concealment="vehicle",
                              origin_country_id="AF", transit_countries=["TJ"], destination_country_id="RU"),
        "RAIL": make_seizure("kg-dcs-analysis", occurred_on=D(2012, 8, 20), quantity="1.5", transport_mode="rail",
                             transit_countries=["TJ", "UZ"], origin_country_id="AF"),
        "MIX": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 2, 11), quantity="3.123456",
                            persons_arrested=2, transport_mode="road", concealment="luggage"),
        "TABLETS": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 4, 1), substance="tramadol",
                                quantity="120", unit="tablets"),
        "KZ": make_seizure("kz-mvd-analysis", occurred_on=D(2013, 5, 1), quantity="10", tlp=Tlp.GREEN,
                           distribution=Distribution.PARTNERS, destination_country_id="RU"),
        "ALL": make_seizure("kz-mvd-analysis", occurred_on=D(2013, 9, 30), quantity="0.25", tlp=Tlp.CLEAR,
                            distribution=Distribution.ALL),
        "UZ": make_seizure("uz-customs-blo-dustlik", occurred_on=D(2013, 6, 1), quantity="50"),
        # Grams: the kilograms (0.75) are not the quantity.
        "GRAMS": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 7, 9), quantity="750", unit="g"),
    }  # fmt: skip
    made["MIX"].items.create(substance=Substance.objects.get(code="cannabis-resin"), quantity=Decimal(1), unit="kg",
                             quantity_kg=Decimal(1))  # fmt: skip
    # A precursor beside a drug, and one alone: the headline's kilograms of drugs leave them out.
    made["MIX"].items.create(substance=Substance.objects.get(code="acetic-anhydride"), quantity=Decimal(40),
                             unit="kg", quantity_kg=Decimal(40))  # fmt: skip
    # A seizure whose items were all taken off: counted as a case at the seizure grain, with no
    # substance at the item grain, in the mirror as in the database.
    made["EMPTY"] = make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 3, 3), persons_arrested=1)
    made["EMPTY"].items.all().delete()
    made["CHEMICALS"] = make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 8, 2), substance="acetic-anhydride",
                                     quantity="500")  # fmt: skip
    alert = exchange.alert_send(
        actor=world.user("kg.blo.dostuk"),
        sender_unit_id=world.unit("kg-dcs-blo-dostuk").pk,
        recipient_unit_ids=[world.unit("kg-dcs-analysis").pk],
        data=exchange.AlertData(subject_kind="route", title="Heroin by rail", valid_until=D(2030, 1, 1)),
    )
    exchange.alert_link_seizure(actor=world.user("kg.analyst"), alert_id=alert.pk, seizure_id=made["RAIL"].pk)
    return made


QUESTIONS = [
    Question(measure=measure, group_by=group_by)
    for measure in MEASURES
    for group_by in [
        (),
        *((name,) for name in DIMENSIONS),
        ("year", "substance_group"),
        ("country", "followed_alert"),
    ]
    if not (measure == "persons_arrested" and any(DIMENSIONS[name].item_level for name in group_by))
] + [
    Question(
        measure="kilograms",
        group_by=("month",),
        filters=SeizureFilters(
            substance_group="opioids", date_from=D(2012, 6, 1), transport_mode="rail", followed_alert=True
        ),
    ),
    Question(measure="cases", group_by=("agency",), filters=SeizureFilters(origin_country="AF", agency=None)),
    # A drug at the seizure grain: the mirror reads each seizure's list of substances.
    Question(measure="cases", group_by=("country",), filters=SeizureFilters(substance_group="opioids")),
    Question(
        measure="persons_arrested", group_by=("year",), filters=SeizureFilters(substance_group="cannabis")
    ),
    Question(measure="cases", filters=SeizureFilters(substance_group="ats")),
    # Drugs as a whole (the headline): the mirror keeps each seizure's kilograms of drugs.
    Question(measure="kilograms", filters=SeizureFilters(family="drugs")),
    Question(measure="kilograms", group_by=("month",), filters=SeizureFilters(family="drugs")),
    Question(measure="kilograms", group_by=("agency",), filters=SeizureFilters(family="precursors")),
]


YEARS = (Period.parse("2012"), Period.parse("2013"))

# Kilograms and cases counted together (the dashboard's breakdowns).
WITH_CASES = [Question(measure="kilograms", group_by=(name,)) for name in DIMENSIONS] + [
    Question(measure="kilograms", group_by=("country",), filters=SeizureFilters(substance_group="opioids")),
    Question(measure="kilograms", group_by=("month",), filters=SeizureFilters(family="drugs")),
    Question(measure="kilograms", group_by=("substance",), filters=SeizureFilters(family="precursors")),
]


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value  # a list of transit countries


def _rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_key(value) for value in row.values()) for row in rows), key=repr)


def _cases_beside(user: Any, question: Question) -> list[tuple[Any, ...]]:
    """What with_cases must give: the kilograms and the cases asked for one after the other."""
    dimension = question.group_by[0]
    answer = summary(user=user, question=question)
    kilograms = {_key(row[dimension]): row["value"] for row in answer.rows}
    cases = summary(user=user, question=replace(question, measure="cases")).rows
    return _rows(
        [
            {
                dimension: row[dimension],
                "value": kilograms.get(_key(row[dimension]), 0),
                "cases": row["value"],
            }
            for row in cases
        ]
    )


def _figures(world: Any) -> dict[tuple[str, Any], Any]:
    """Every question's rows and total, for every persona."""
    figures = {}
    for username in PERSONAS:
        user = world.user(username)
        for number, question in enumerate(QUESTIONS):
            answer = summary(user=user, question=question)
            figures[username, number] = (answer.rows, answer.total)
        for measure in ("cases", "kilograms", "persons_arrested"):
            totals = totals_in_periods(user=user, question=Question(measure), periods=(YEARS[0], YEARS[1]))
            # Counted in one query, they are the totals of each period on its own.
            assert totals == [
                summary(user=user, question=Question(measure, period=year)).total for year in YEARS
            ]
            figures[username, measure] = (totals, None)
        for number, question in enumerate(WITH_CASES):
            together = _rows(with_cases(user=user, question=question))
            assert together == _cases_beside(user, question), (username, question)
            figures[username, "with_cases", number] = (together, None)
    return figures


def _from_database(world: Any) -> dict[tuple[str, Any], Any]:
    with override_settings(KORDON_ANALYTICS_MIRROR=""):
        return _figures(world)


def _assert_same(found: dict[tuple[str, Any], Any], expected: dict[tuple[str, Any], Any]) -> None:
    for key, (rows, total) in expected.items():
        assert found[key] == (rows, total), (key, QUESTIONS[key[1]] if isinstance(key[1], int) else key[1])


@pytest.fixture
def mirror_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each figure took from the mirror (so a test knows the mirror was used)."""
    counts: list[int] = []
    rows = mirror.Mirror.rows

    def counting(self: mirror.Mirror, queryset: Any) -> list[dict[str, Any]]:
        found = rows(self, queryset)
        counts.append(len(found))
        return found

    monkeypatch.setattr(mirror.Mirror, "rows", counting)
    return counts


def test_the_mirror_gives_the_databases_figures(
    transactional_world: Any,
    seizures: dict[str, Seizure],
    mirror_file: Path,
    mirror_reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _from_database(transactional_world)
    assert not mirror_reads
    marks = mirror.build()
    assert mirror_file.exists()
    assert marks.seizure == max(seizure.pk for seizure in seizures.values())
    assert mirror.current() is not None
    run: list[str] = []
    duck_sql = mirror._duck_sql
    monkeypatch.setattr(mirror, "_duck_sql", lambda sql: run.append(duck_sql(sql)) or run[-1])
    _assert_same(_figures(transactional_world), expected)
    assert sum(mirror_reads) > 0  # the figures did come from the mirror
    # At the item grain they read the items beside their seizures, never joined to them.
    assert any(mirror.SEIZURE_ITEMS in sql for sql in run)
    assert not any(f'JOIN "{SeizureItem._meta.db_table}"' in sql for sql in run)
    # Kilograms stay exact: 3.123456 kg is not rounded to grams on the way (2 + 1.5 + 3.123456 + 1
    # of hashish + 0.75 of the grams + 0.25 released to all members).
    officer = transactional_world.user("kg.blo.dostuk")
    drugs = Question(measure="kilograms", filters=SeizureFilters(family="drugs"))
    assert summary(user=officer, question=drugs).total == Decimal("8.623456")
    # With the precursors: 40 kg beside the hashish, and 500 kg alone.
    assert summary(user=officer, question=Question(measure="kilograms")).total == Decimal("548.623456")


def test_changes_after_the_snapshot_are_counted_at_once(
    transactional_world: Any, seizures: dict[str, Seizure], mirror_file: Path, make_seizure: Any
) -> None:
    world = transactional_world
    mirror.build()
    admin, officer = world.user("admin"), world.user("kg.blo.dostuk")
    # Hidden from partners: the Kazakh seizure goes back to its agency only.
    hidden = seizure_data_from(seizures["KZ"])
    hidden.distribution = Distribution.AGENCY
    seizure_update(actor=admin, seizure_id=seizures["KZ"].pk, data=hidden)
    seizure_delete(actor=admin, seizure_id=seizures["H2012"].pk)
    # An item changed in place, as a correction in the admin or by SQL would.
    SeizureItem.objects.filter(seizure=seizures["MIX"], substance__code="heroin").update(
        quantity_kg=Decimal(4)
    )
    make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 7, 7), quantity="7", transport_mode="air")
    alert = exchange.alert_send(
        actor=world.user("kg.analyst"),
        sender_unit_id=world.unit("kg-dcs-analysis").pk,
        recipient_unit_ids=[world.unit("kg-dcs-blo-dostuk").pk],
        data=exchange.AlertData(subject_kind="route", title="Tablets", valid_until=D(2030, 1, 1)),
    )
    exchange.alert_link_seizure(actor=officer, alert_id=alert.pk, seizure_id=seizures["TABLETS"].pk)
    assert SeizureChange.objects.count() >= 3  # the update, the deletion and the item

    _assert_same(_figures(world), _from_database(world))
    # 68.623456 kg of drugs at the snapshot; 2 deleted, 3.123456 corrected to 4, 7 new; and 540 kg
    # of precursors.
    drugs = Question(measure="kilograms", filters=SeizureFilters(family="drugs"))
    assert summary(user=admin, question=drugs).total == Decimal("74.5")
    assert summary(user=admin, question=Question(measure="kilograms")).total == Decimal("614.5")


def test_a_refresh_takes_the_changes_in_and_trims_the_log(
    transactional_world: Any, seizures: dict[str, Seizure], mirror_file: Path, mirror_reads: list[int]
) -> None:
    mirror.build()
    seizure_delete(actor=transactional_world.user("admin"), seizure_id=seizures["UZ"].pk)
    logged = SeizureChange.objects.count()
    assert logged > 0
    second = mirror.build()
    assert second.change == max(SeizureChange.objects.values_list("id", flat=True))
    # The log up to the first snapshot is gone; what the second snapshot holds is kept until the next.
    mirror.build()
    assert not SeizureChange.objects.filter(id__lte=second.change).exists()
    _assert_same(_figures(transactional_world), _from_database(transactional_world))


def test_a_mirror_taken_with_other_drug_groups_is_not_used(
    transactional_world: Any,
    seizures: dict[str, Seizure],
    mirror_file: Path,
    mirror_reads: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    mirror.build()
    Substance.objects.filter(code="cannabis-resin").update(group="opioids")
    expected = _from_database(transactional_world)
    mirror_reads.clear()
    _assert_same(_figures(transactional_world), expected)
    assert not mirror_reads
    # The administrator is told once what to do, not once for each of the hundreds of figures.
    told = [record for record in caplog.records if "kordon analytics refresh" in record.getMessage()]
    assert len(told) == 1 and told[0].levelname == "WARNING"


def test_too_many_changes_or_a_damaged_file_count_in_the_database(
    transactional_world: Any,
    seizures: dict[str, Seizure],
    mirror_file: Path,
    mirror_reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mirror.build()
    admin = transactional_world.user("admin")
    seizure_delete(actor=admin, seizure_id=seizures["UZ"].pk)
    seizure_delete(actor=admin, seizure_id=seizures["KZ"].pk)
    most = mirror.MOST_CHANGED
    monkeypatch.setattr(mirror, "MOST_CHANGED", 1)
    expected = _from_database(transactional_world)
    _assert_same(_figures(transactional_world), expected)
    assert not mirror_reads
    monkeypatch.setattr(mirror, "MOST_CHANGED", most)
    _figures(transactional_world)
    assert mirror_reads  # the file was readable until now
    mirror_reads.clear()
    mirror.close()
    mirror_file.write_bytes(b"not a DuckDB file")
    _assert_same(_figures(transactional_world), expected)
    assert not mirror_reads


def test_a_mirror_taken_by_an_earlier_version_is_not_used(
    transactional_world: Any,
    seizures: dict[str, Seizure],
    mirror_file: Path,
    mirror_reads: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    mirror.build()
    mirror.close()
    with duckdb.connect(str(mirror_file)) as duck:  # as a snapshot without the items beside seizures
        duck.execute(f"DROP TABLE {mirror.NEWEST_TABLE}")
    assert mirror.current() is None
    _assert_same(_figures(transactional_world), _from_database(transactional_world))
    assert not mirror_reads
    # Said once in the log, not for every figure.
    assert len([record for record in caplog.records if "earlier version" in record.getMessage()]) == 1
    mirror.build()
    assert mirror.current() is not None


def test_without_a_mirror_figures_come_from_the_database(
    transactional_world: Any, seizures: dict[str, Seizure], mirror_file: Path, mirror_reads: list[int]
) -> None:
    assert not mirror_file.exists()
    analyst = transactional_world.user("kg.analyst")
    assert summary(user=analyst, question=Question(measure="cases")).total > 0
    assert not mirror_reads


def test_the_refresh_command(
    transactional_world: Any, seizures: dict[str, Seizure], mirror_file: Path
) -> None:
    out = io.StringIO()
    call_command("analytics", "refresh", stdout=out)
    highest = Seizure.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert f"seizures up to id {highest:,}" in out.getvalue()
    opened = mirror.current()
    assert opened is not None and opened.marks.seizure == highest
    refreshed = AuditEntry.objects.filter(action="analytics_refresh").get()
    assert refreshed.after["seizure"] == highest and refreshed.object_repr == str(mirror_file)
    with override_settings(KORDON_ANALYTICS_MIRROR=""), pytest.raises(CommandError, match="switched off"):
        call_command("analytics", "refresh")
