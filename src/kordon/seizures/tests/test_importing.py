"""Importing seizure files: every row is imported or rejected with its row, column and reason."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kordon.access.models import AuditEntry
from kordon.seizures.exports import export_rejected_rows
from kordon.seizures.importing import ImportResult, import_seizures
from kordon.seizures.models import Seizure, SeizureImport, SeizureItem
from kordon.seizures.tests.files import TEMPLATE, row, write_csv, write_xlsx


@pytest.fixture
def analyst(world: Any) -> Any:
    return world.user("kg.analyst")


def run(world: Any, path: Path, *, user: str = "kg.analyst", unit: str = "kg-dcs-analysis",
        commit: bool = True) -> ImportResult:  # fmt: skip
    return import_seizures(actor=world.user(user), unit=world.unit(unit), path=path, file_name=path.name,
                           commit=commit)  # fmt: skip


def problems(result: ImportResult) -> set[tuple[int, str]]:
    return {(problem.row, problem.column) for problem in result.problems}


def test_the_canonical_template_imports_with_items_grouped_by_reference(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "q1.csv", [
        TEMPLATE,
        row("KG-1", substance="heroin", quantity="1.5", unit_of_measure="kg"),
        row("KG-1", substance="hashish", quantity="300", unit_of_measure="g"),
        row("KG-2", substance="opium", quantity="2", place="KG-TORUGART", transport_mode="rail"),
    ])  # fmt: skip
    result = run(world, path)
    assert (result.batch.accepted_rows, result.batch.new_seizures, result.batch.rejected_rows) == (3, 2, 0)
    first = Seizure.objects.get(reference="KG-1")
    assert first.owner_unit.code == "kg-dcs-analysis" and first.owner_agency.code == "KG-DCS"
    assert (
        first.place.code == "KG-DOSTUK"
        and first.origin_country_id == "AF"
        and first.transit_countries == ["TJ"]
    )
    assert first.concealment == "vehicle_compartment" and first.concealment_details == "тайник в кабине"
    assert first.detection_method == "sniffer_dog" and first.persons_arrested == 1
    kilograms = {item.substance.code: item.quantity_kg for item in first.items.all()}
    assert kilograms == {"heroin": Decimal("1.5"), "cannabis-resin": Decimal("0.3")}
    assert Seizure.objects.get(reference="KG-2").place.code == "KG-TORUGART"


def test_russian_headers_windows_1251_semicolons_and_decimal_commas(world: Any, tmp_path: Path) -> None:
    headers = ["№ дела", "Дата изъятия", "Страна", "Место", "Вещество", "Количество", "Ед. изм.",
               "Вид транспорта", "Способ выявления", "Способ сокрытия", "Страна происхождения",
               "Страны транзита", "Страна назначения", "Задержано", "Примечание"]  # fmt: skip
    path = write_csv(tmp_path / "квартал.csv", [
        headers,
        ["РУ-1", "05.02.2013", "Кыргызстан", "Достук", "героин", "1 234,5", "гр", "авто", "кинолог",
         "в запасном колесе", "Афганистан", "Таджикистан; Кыргызстан", "Россия", "2", "совместно с ГКНБ"],
        ["РУ-2", "6.2.2013", "KG", "Ак-Жол", "гашиш", "12", "кг", "ж/д", "оперативная информация", "", "", "", "",
         "", ""],
        ["РУ-3", "07.02.2013", "KG", "", "экстази", "250", "табл", "", "", "", "", "", "", "0", ""],
    ], encoding="cp1251", delimiter=";")  # fmt: skip
    result = run(world, path)
    assert result.batch.status == SeizureImport.Status.IMPORTED and result.batch.encoding == "cp1251"
    assert result.batch.rejected_rows == 0, result.problems
    heroin = Seizure.objects.get(reference="РУ-1")
    assert heroin.occurred_on == datetime.date(2013, 2, 5) and heroin.place.code == "KG-DOSTUK"
    assert heroin.transit_countries == ["TJ", "KG"] and heroin.destination_country_id == "RU"
    assert heroin.concealment == "vehicle_parts" and heroin.narrative == "совместно с ГКНБ"
    item = heroin.items.get()
    assert (item.quantity, item.unit, item.quantity_kg) == (Decimal("1234.5"), "g", Decimal("1.2345"))
    assert Seizure.objects.get(reference="РУ-2").transport_mode == "rail"
    tablets = Seizure.objects.get(reference="РУ-3").items.get()
    # Tablets have no kilogram conversion: they stay a count and never join the kilogram totals.
    assert (tablets.quantity, tablets.unit, tablets.quantity_kg) == (Decimal(250), "tablets", None)


def test_utf8_with_bom_iso_dates_and_excel_serial_dates(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bom.csv", [
        TEMPLATE, row("B-1", date="2013-07-01"), row("B-2", date="41456"), row("B-3", date="2013-07-01 14:30"),
    ], encoding="utf-8-sig")  # fmt: skip
    result = run(world, path)
    assert result.batch.encoding == "utf-8-sig" and result.batch.rejected_rows == 0
    assert {seizure.occurred_on for seizure in Seizure.objects.filter(reference__startswith="B-")} == {
        datetime.date(2013, 7, 1)
    }
    assert Seizure.objects.get(reference="B-3").occurred_at == datetime.time(14, 30)


def test_xlsx_with_real_dates_and_numbers(world: Any, tmp_path: Path) -> None:
    data = row("X-1", quantity=2.25)
    data[TEMPLATE.index("date")] = datetime.datetime(2013, 9, 30)
    path = write_xlsx(tmp_path / "q3.xlsx", [TEMPLATE, data, row("X-2", quantity=7, unit_of_measure="кг")])
    result = run(world, path)
    assert result.batch.encoding == "xlsx" and result.batch.rejected_rows == 0
    assert Seizure.objects.get(reference="X-1").occurred_on == datetime.date(2013, 9, 30)
    assert Seizure.objects.get(reference="X-1").items.get().quantity_kg == Decimal("2.25")


def test_every_bad_row_is_reported_with_row_column_and_reason_and_the_rest_is_kept(
    world: Any, tmp_path: Path
) -> None:
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).strftime("%d.%m.%Y")
    path = write_csv(tmp_path / "bad.csv", [
        TEMPLATE,
        row("OK-1"),                                          # row 2: fine
        row(""),                                              # row 3: no reference
        row("E-4", date="31.02.2013"),                        # row 4: no such day
        row("E-5", date=tomorrow),                            # row 5: in the future
        row("E-6", country="Атлантида"),                      # row 6: unknown country
        row("E-7", substance="кирпич"),                       # row 7: not a substance
        row("E-8", quantity="полтора"),                       # row 8: not a number
        row("E-9", quantity="0"),                             # row 9: zero
        row("E-10", unit_of_measure="вёдра"),                 # row 10: unknown unit
        row("E-11", transport_mode="верблюд"),                # row 11: unknown transport
        row("E-12", place="Dustlik"),                         # row 12: place in Uzbekistan, seizure in KG
        row("E-13", persons_arrested="1.5"),                  # row 13: not a whole number
        row("E-14", substance="", quantity=""),               # row 14: two problems
        row("OK-15"),                                         # row 15: fine
    ])  # fmt: skip
    result = run(world, path)
    assert problems(result) == {
        (3, "reference"), (4, "date"), (5, "date"), (6, "country"), (7, "substance"), (8, "quantity"),
        (9, "quantity"), (10, "unit_of_measure"), (11, "transport_mode"), (12, "place"), (13, "persons_arrested"),
        (14, "substance"), (14, "quantity"),
    }  # fmt: skip
    assert (result.batch.accepted_rows, result.batch.rejected_rows) == (2, 12)
    assert set(Seizure.objects.filter(source_import=result.batch).values_list("reference", flat=True)) == {
        "OK-1",
        "OK-15",
    }
    messages = {(problem.row, problem.column): problem.message for problem in result.problems}
    assert "31.02.2013" in messages[(4, "date")] and "future" in messages[(5, "date")]
    assert "Атлантида" in messages[(6, "country")] and "Dustlik" in messages[(12, "place")]
    assert "kg" in messages[(10, "unit_of_measure")]


def test_a_container_number_with_a_wrong_check_digit_is_rejected(world: Any, tmp_path: Path) -> None:
    header = [*TEMPLATE, "container_number"]
    path = write_csv(tmp_path / "containers.csv", [
        header, [*row("C-1"), "MSKU1234565"], [*row("C-2"), "MSKU 123456-6"],
    ])  # fmt: skip
    result = run(world, path)
    assert problems(result) == {(3, "container_number")}
    assert "should be 5" in result.problems[0].message
    assert Seizure.objects.get(reference="C-1").container_number == "MSKU1234565"


def test_importing_the_same_rows_again_creates_nothing(world: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "again.csv", [TEMPLATE, row("R-1"), row("R-1", substance="opium"), row("R-2")]
    )
    run(world, path)
    before = (Seizure.objects.count(), SeizureItem.objects.count())
    second = run(world, path)
    assert (second.batch.accepted_rows, second.batch.duplicate_rows, second.batch.rejected_rows) == (0, 3, 0)
    assert (Seizure.objects.count(), SeizureItem.objects.count()) == before


def test_rejected_rows_are_downloaded_fixed_and_uploaded_again(
    world: Any, tmp_path: Path, analyst: Any
) -> None:
    path = write_csv(tmp_path / "first.csv", [
        TEMPLATE, row("F-1"), row("F-1", substance="гашиш", unit_of_measure="мешков"), row("F-2", date="32.01.2013"),
    ])  # fmt: skip
    first = run(world, path)
    assert first.batch.rejected_rows == 2
    rejected = export_rejected_rows(user=analyst, batch=first.batch).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(rejected), delimiter=";"))
    assert rows[0] == [*TEMPLATE, "errors"] and len(rows) == 3
    assert "unit_of_measure" in rows[1][-1] and "date" in rows[2][-1]
    fixed = [rows[0][:-1]]
    for cells in rows[1:]:
        cells = cells[:-1]
        cells[TEMPLATE.index("unit_of_measure")] = "кг"
        cells[TEMPLATE.index("date")] = "12.03.2013"
        fixed.append(cells)
    second = run(world, write_csv(tmp_path / "fixed.csv", fixed, delimiter=";"))
    assert (second.batch.accepted_rows, second.batch.rejected_rows) == (2, 0)
    assert sorted(item.substance.code for item in Seizure.objects.get(reference="F-1").items.all()) == [
        "cannabis-resin", "heroin",
    ]  # fmt: skip
    assert Seizure.objects.filter(reference__in=["F-1", "F-2"]).count() == 2


def test_rows_of_one_seizure_must_agree_on_its_details(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "conflict.csv", [
        TEMPLATE, row("D-1"), row("D-1", substance="opium", date="13.03.2013"),
        row("D-1", substance="morphine", place="", transport_mode="", concealment="", origin_country="",
            transit_countries="", destination_country="", persons_arrested="", detection_method=""),
    ])  # fmt: skip
    result = run(world, path)
    assert problems(result) == {(3, "date")}
    assert "row 2" in result.problems[0].message
    # A later row that leaves the event's cells empty belongs to the same seizure.
    assert Seizure.objects.get(reference="D-1").items.count() == 2


def test_a_reference_already_in_kordon_with_other_details_is_rejected(world: Any, tmp_path: Path) -> None:
    run(world, write_csv(tmp_path / "one.csv", [TEMPLATE, row("K-1")]))
    result = run(world, write_csv(tmp_path / "two.csv", [TEMPLATE, row("K-1", substance="opium", country="UZ",
                                                                         place="")]))  # fmt: skip
    assert problems(result) == {(2, "country")}
    assert "already in Kordon" in result.problems[0].message


def test_a_reference_of_another_units_seizure_cannot_be_extended(world: Any, tmp_path: Path,
                                                                  make_seizure: Any) -> None:  # fmt: skip
    make_seizure("kg-dcs-blo-dostuk", reference="OTHER-1", occurred_on=datetime.date(2013, 3, 12))
    result = run(world, write_csv(tmp_path / "x.csv", [TEMPLATE, row("OTHER-1", substance="opium")]))
    assert problems(result) == {(2, "reference")}
    assert Seizure.objects.get(reference="OTHER-1").items.count() == 1


def test_a_file_without_the_required_columns_is_refused_whole(world: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "cols.csv", [["reference", "date", "country", "amount"], ["A", "01.01.2013", "KG", 1]]
    )
    result = run(world, path)
    assert result.batch.status == SeizureImport.Status.FAILED
    assert "substance" in result.batch.message and "unit_of_measure" in result.batch.message
    assert not Seizure.objects.filter(source_import=result.batch).exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".xls"), (b"PK\x03\x04broken", "Excel")],
)
def test_unreadable_files_get_advice(world: Any, tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(content)
    result = run(world, path)
    assert result.batch.status == SeizureImport.Status.FAILED and words in result.batch.message


def test_a_check_without_commit_imports_nothing_but_counts_everything(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dry.csv", [TEMPLATE, row("DRY-1"), row("DRY-1", substance="opium"), row("DRY-2",
                                                                                                       quantity="x")])  # fmt: skip
    result = run(world, path, commit=False)
    assert (result.batch.accepted_rows, result.batch.new_seizures, result.batch.rejected_rows) == (2, 1, 1)
    assert result.batch.status == SeizureImport.Status.CHECKED
    assert not Seizure.objects.filter(reference__startswith="DRY-").exists()
    assert AuditEntry.objects.filter(action="import_check", object_id=str(result.batch.pk)).exists()


def test_an_import_is_audited_with_its_counts(world: Any, tmp_path: Path) -> None:
    result = run(world, write_csv(tmp_path / "a.csv", [TEMPLATE, row("AU-1"), row("AU-2", quantity="-1")]))
    line = AuditEntry.objects.get(action="import", object_id=str(result.batch.pk))
    assert line.actor.username == "kg.analyst" and line.object_owner_unit.code == "kg-dcs-analysis"
    assert (line.after["imported"], line.after["rejected"]) == (1, 1) and len(line.after["sha256"]) == 64


def test_only_members_who_may_record_can_import_for_a_unit(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [TEMPLATE, row("P-1")])
    with pytest.raises(PermissionDenied):
        run(world, path, user="kg.analyst", unit="kg-dcs-blo-dostuk")
    with pytest.raises(PermissionDenied):
        run(world, path, user="kg.blo.dostuk", unit="kg-prison-hq")
    assert not SeizureImport.objects.filter(file_name="p.csv").exists()
