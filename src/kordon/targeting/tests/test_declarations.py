"""Declaration files: the KCS benchmark's files import as they are through the column mapping,
and every bad row is reported with its column and reason while the good ones are kept."""

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from kordon.targeting.declarations import read_declarations
from kordon.targeting.models import Consignment, Inspection, Outcome
from kordon.targeting.services import import_consignments

KCS_HEADER = (
    "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,"
    "Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,"
    "Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud"
)
KCS_ROWS = (
    "97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0",
    "85945189,2020-01-01,40,B,11,21,11,40,SWF9S4X,7JD1S2X,8WDKMC6,,071080,CN,ZZ,8.0,A,Y,11352.0,375751.2,1,2",
    "11111111,2020-01-02,40,B,11,21,11,40,SWF9S4X,7JD1S2X,,,7108,CN,CN,8.0,A,Y,12.0,9.5,1,1",
)


def _kcs(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "kcs.csv"
    path.write_text("\n".join([KCS_HEADER, *KCS_ROWS, *extra]) + "\n", encoding="utf-8")
    return path


def test_kcs_files_read_as_they_are(world: Any, tmp_path: Path) -> None:
    parsed = read_declarations(_kcs(tmp_path))
    assert parsed.problems == [] and parsed.failure == ""
    first, second, third = parsed.declarations
    assert second.fields["hs_code"] == "071080"  # the leading zero survives
    assert second.fields["origin_country"] == "" and second.fields["departure_country"] == "CN"  # ZZ: unknown
    assert first.fields["shipper"] == "0VKY2BR" and first.fields["net_mass"] == 108.0
    assert (first.outcome, second.outcome, third.outcome) == (
        Outcome.NOTHING,
        Outcome.CRITICAL,
        Outcome.IRREGULARITY,
    )


def test_every_bad_row_is_reported_and_the_good_ones_are_kept(world: Any, tmp_path: Path) -> None:
    path = _kcs(
        tmp_path,
        "22222222,31.02.2020,40,B,11,21,11,40,A,B,,,291524,IR,IR,5,A,Y,10,10,0,0",  # no such day
        "33333333,2020-03-01,40,B,11,21,11,40,A,B,,,29-15,IR,Narnia,5,A,Y,-3,10,2,0",  # HS, country, mass, label
        "97061800,2020-03-02,40,B,11,21,11,40,A,B,,,291524,IR,IR,5,A,Y,10,10,0,0",  # already on row 2
    )
    officer = world.user("kz.pcu.aktau")
    result = import_consignments(actor=officer, unit=world.unit("kz-customs-pcu-aktau"), path=path)
    problems = {(p.row, p.column) for p in result.problems}
    assert problems == {
        (5, "declared_on"),
        (6, "hs_code"),
        (6, "origin_country"),
        (6, "net_mass"),
        (6, "fraud"),
        (7, "declaration_id"),
    }
    assert result.imported == 3 and result.inspections == 3
    assert Consignment.objects.filter(owner_unit__code="kz-customs-pcu-aktau").count() == 3
    assert Inspection.objects.filter(outcome=Outcome.CRITICAL).count() == 1
    # Importing the same file again changes nothing and says why.
    again = import_consignments(actor=officer, unit=world.unit("kz-customs-pcu-aktau"), path=_kcs(tmp_path))
    assert again.imported == 0 and "already" in again.problems[0].message
    assert Consignment.objects.count() == 3


def test_our_own_columns_in_excel_with_container_and_route(world: Any, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Номер декларации",
            "Дата",
            "Таможенный пост",
            "Код ТН ВЭД",
            "Контейнер",
            "Порты маршрута",
            "Результат досмотра",
        ]
    )
    sheet.append(["D-1", "05.06.2013", "AKTAU", "2915.24", "MSKU1234565", "IRBND TMKRW KZAKT", "seizure"])
    sheet.append(["D-2", "05.06.2013", "AKTAU", "291524", "MSKU1234560", "IRBND, TM-KRW", ""])
    path = tmp_path / "manifest.xlsx"
    book.save(path)
    parsed = read_declarations(path)
    assert [d.fields["declaration_id"] for d in parsed.declarations] == ["D-1"]
    assert parsed.declarations[0].fields["hs_code"] == "291524"
    assert parsed.declarations[0].fields["route_ports"] == "IRBND TMKRW KZAKT"
    assert parsed.declarations[0].outcome == Outcome.SEIZURE
    assert {p.column for p in parsed.problems} == {"container_number", "route_ports"}
    assert "check digit" in next(p.message for p in parsed.problems if p.column == "container_number")
