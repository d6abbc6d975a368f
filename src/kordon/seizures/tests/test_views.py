"""The seizure pages through HTTP: list filters, the record form and its messages, the import wizard."""

import csv
import datetime
import io
import re
from pathlib import Path
from typing import Any

from kordon.core import paging
from kordon.seizures.models import Seizure, SeizureImport, Substance
from kordon.seizures.tests.files import TEMPLATE, row, write_csv, write_xlsx


def form_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "owner_unit": world.unit("kg-dcs-blo-dostuk").pk,
        "reference": "WEB-1",
        "occurred_on": "2013-03-12",
        "occurred_at": "14:30",
        "country": "KG",
        "place": world.unit("kg-dcs-blo-dostuk").place_id,
        "transport_mode": "road",
        "detection_method": "sniffer_dog",
        "concealment": "vehicle_compartment",
        "concealment_details": "под днищем грузовика",
        "origin_country": "AF",
        "transit_countries": "Таджикистан, KG",
        "destination_country": "RU",
        "persons_arrested": "2",
        "arrested_nationalities": "TJ",
        "status": "submitted",
        "tlp": "2",
        "handling_code": "H0",
        "distribution": "1",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "20",
        # The browser sends every row's unit select, filled or not.
        "items-0-unit": "kg",
        "items-1-unit": "kg",
        "items-2-unit": "kg",
    }
    data["items-0-substance"] = Substance.objects.get(code="heroin").pk
    data["items-0-quantity"] = "12,5"
    data.update(overrides)
    return data


def test_an_officer_records_a_heroin_seizure_with_route_and_concealment(world: Any) -> None:
    client = world.client("kg.blo.dostuk")
    assert client.get("/seizures/new/").status_code == 200
    response = client.post("/seizures/new/", form_data(world))
    seizure = Seizure.objects.get(reference="WEB-1")
    assert response.status_code == 302 and response["Location"] == f"/seizures/{seizure.pk}/"
    assert seizure.transit_countries == ["TJ", "KG"] and seizure.occurred_at == datetime.time(14, 30)
    assert seizure.created_by.username == "kg.blo.dostuk" and seizure.owner_agency.code == "KG-DCS"
    item = seizure.items.get()
    assert item.substance.code == "heroin" and str(item.quantity_kg.normalize()) == "12.5"
    page = client.get(response["Location"]).content.decode()
    assert "WEB-1" in page and "TLP:AMBER" in page and "под днищем грузовика" in page


def test_form_errors_say_what_is_wrong_next_to_the_field(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-analysis", reference="TAKEN-1")
    client = world.client("kg.blo.dostuk")
    response = client.post("/seizures/new/", form_data(world, reference="TAKEN-1", container_number="MSKU1234566",
                                                       country="UZ", transit_countries="Narnia"))  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown countries: Narnia" in page
    response = client.post("/seizures/new/", form_data(world, reference="TAKEN-1", container_number="MSKU1234566",
                                                       country="UZ"))  # fmt: skip
    page = response.content.decode()
    assert "already has a seizure with reference TAKEN-1" in page
    assert "should be 5" in page and "is in Kyrgyzstan, not in the country of the seizure" in page
    assert not Seizure.objects.filter(container_number="MSKU1234566").exists()


def test_an_edit_changes_the_record_and_only_supervisors_validate(world: Any, make_seizure: Any) -> None:
    seizure = make_seizure("kg-dcs-blo-dostuk", reference="EDIT-1")
    officer = world.client("kg.blo.dostuk")
    form = officer.get(f"/seizures/{seizure.pk}/edit/")
    assert form.status_code == 200 and "EDIT-1" in form.content.decode()
    data = form_data(
        world, reference="EDIT-1", narrative="re-weighed at the lab", **{"items-0-quantity": "1.4"}
    )
    data.pop("owner_unit")
    assert officer.post(f"/seizures/{seizure.pk}/edit/", data).status_code == 302
    seizure.refresh_from_db()
    assert (
        seizure.narrative == "re-weighed at the lab"
        and str(seizure.items.get().quantity.normalize()) == "1.4"
    )
    assert officer.post(f"/seizures/{seizure.pk}/edit/", {**data, "status": "validated"}).status_code == 403
    supervisor = world.client("kg.supervisor")
    assert (
        supervisor.post(f"/seizures/{seizure.pk}/edit/", {**data, "status": "validated"}).status_code == 302
    )
    seizure.refresh_from_db()
    assert seizure.status == "validated"


def test_the_list_filters_by_substance_period_and_text(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk", reference="LIST-H", occurred_on=datetime.date(2013, 5, 1))
    make_seizure(
        "kg-dcs-blo-dostuk", reference="LIST-O", substance="opium", occurred_on=datetime.date(2012, 5, 1)
    )
    client = world.client("kg.blo.dostuk")
    page = client.get("/seizures/", {"q": "list-", "date_from": "2013-01-01"}).content.decode()
    assert "LIST-H" in page and "LIST-O" not in page
    group = client.get("/seizures/", {"q": "list-", "substance_group": "opioids"}).content.decode()
    assert "LIST-H" in group and "LIST-O" in group
    by_name = client.get("/seizures/", {"q": "опий"}).content.decode()
    assert "LIST-O" in by_name and "LIST-H" not in by_name


def test_htmx_asks_for_the_table_only(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk", reference="HX-1")
    response = world.client("kg.blo.dostuk").get("/seizures/", {"q": "hx-"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "HX-1" in body and "<html" not in body and "<nav" not in body.split("table-wrap")[0]


def test_the_import_wizard_checks_shows_problems_and_imports_on_request(world: Any, tmp_path: Path) -> None:
    client = world.client("kg.analyst")
    path = write_xlsx(tmp_path / "квартал.xlsx", [TEMPLATE, row("WIZ-1"), row("WIZ-2", substance="песок")])
    with path.open("rb") as upload:
        response = client.post("/seizures/imports/", {"unit": world.unit("kg-dcs-analysis").pk, "file": upload,
                                                       "tlp": "2", "handling_code": "H0", "distribution": "1"})  # fmt: skip
    batch = SeizureImport.objects.get(file_name="квартал.xlsx")
    assert response["Location"] == f"/seizures/imports/{batch.pk}/"
    preview = client.get(response["Location"]).content.decode()
    assert (
        "песок" in preview
        and "Import 1 row" in preview
        and not Seizure.objects.filter(reference="WIZ-1").exists()
    )
    client.post(response["Location"])
    batch.refresh_from_db()
    assert batch.status == "imported" and Seizure.objects.filter(reference="WIZ-1").exists()
    rejected = client.get(f"/seizures/imports/{batch.pk}/rejected.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(rejected), delimiter=";"))
    assert rows[1][0] == "WIZ-2" and "песок" in rows[1][-1]
    # Someone of another agency cannot open this import.
    assert world.client("tj.analyst").get(f"/seizures/imports/{batch.pk}/").status_code == 404


def test_the_template_downloads_import_cleanly(world: Any, tmp_path: Path) -> None:
    client = world.client("kg.analyst")
    for file_format in ("csv", "xlsx"):
        response = client.get(f"/seizures/imports/template.{file_format}")
        content = response.content if file_format == "csv" else b"".join(response.streaming_content)
        path = tmp_path / f"template.{file_format}"
        path.write_bytes(content)
        with path.open("rb") as upload:
            client.post("/seizures/imports/", {"unit": world.unit("kg-dcs-analysis").pk, "file": upload, "tlp": "2",
                                               "handling_code": "H0", "distribution": "1"})  # fmt: skip
        batch = SeizureImport.objects.filter(file_name=f"template.{file_format}").latest("pk")
        assert (batch.accepted_rows, batch.rejected_rows) == (1, 0), list(
            batch.problems.values_list("message")
        )


def test_pages_switch_to_russian(world: Any) -> None:
    client = world.client("kg.blo.dostuk")
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/seizures/"})
    assert response.status_code == 302
    page = client.get("/seizures/").content.decode()
    assert "Изъятия" in page and "Seizures</h1>" not in page
    assert world.user("kg.blo.dostuk").language == "ru"


def test_an_export_from_the_list_uses_its_filters(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk", reference="EXF-1", substance="opium")
    make_seizure("kg-dcs-blo-dostuk", reference="EXF-2")
    client = world.client("kg.blo.dostuk")
    body = b"".join(client.get("/seizures/export/csv/", {"q": "exf-", "substance_group": "opioids"})
                    .streaming_content).decode("utf-8-sig")  # fmt: skip
    assert {line["reference"] for line in csv.DictReader(io.StringIO(body))} == {"EXF-1", "EXF-2"}
    body = b"".join(client.get("/seizures/export/csv/", {"q": "exf-1"}).streaming_content).decode("utf-8-sig")
    assert [line["reference"] for line in csv.DictReader(io.StringIO(body))] == ["EXF-1"]


def test_the_home_page_shows_the_unit_and_recent_activity(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk", actor=world.user("kg.blo.dostuk"), reference="HOME-1")
    page = world.client("kg.blo.dostuk").get("/").content.decode()
    assert "Border Liaison Office Dostuk" in page and "Officer" in page.title()
    assert "HOME-1" in page


def test_the_home_page_lists_the_newest_seizures_the_user_sees_and_counts_them_up_to_a_limit(
    world: Any, make_seizure: Any, monkeypatch: Any
) -> None:
    for day in range(1, 10):
        make_seizure("kg-dcs-blo-dostuk", reference=f"NEWEST-{day}", occurred_on=datetime.date(2025, 1, day))
    make_seizure("uz-customs-blo-dustlik", reference="NEWEST-UZ", occurred_on=datetime.date(2025, 2, 1))
    client = world.client("kg.blo.dostuk")
    page = client.get("/").content.decode()
    shown = re.findall(r">(NEWEST-[\w]+)<", page)
    assert shown == [f"NEWEST-{day}" for day in range(9, 1, -1)]
    assert "9 seizures in all" in page
    monkeypatch.setattr(paging, "COUNT_LIMIT", 5)
    assert "More than 5 seizures in all" in client.get("/").content.decode()


def test_an_uploaded_csv_in_windows_1251_goes_through_the_wizard(world: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cp.csv", [TEMPLATE, row("CP-1", substance="гашиш", unit_of_measure="гр")],
                     encoding="cp1251", delimiter=";")  # fmt: skip
    client = world.client("kg.analyst")
    with path.open("rb") as upload:
        response = client.post("/seizures/imports/", {"unit": world.unit("kg-dcs-analysis").pk, "file": upload,
                                                       "tlp": "2", "handling_code": "H0", "distribution": "1"})  # fmt: skip
    client.post(response["Location"])
    assert Seizure.objects.get(reference="CP-1").items.get().unit == "g"


def test_a_long_list_counts_up_to_a_limit_and_says_so(world: Any, tmp_path: Path) -> None:
    from kordon.core.paging import COUNT_LIMIT
    from kordon.seizures.importing import import_seizures

    rows = [TEMPLATE, *(row(f"MANY-{number}") for number in range(COUNT_LIMIT + 5))]
    path = write_csv(tmp_path / "many.csv", rows)
    import_seizures(actor=world.user("kg.analyst"), unit=world.unit("kg-dcs-analysis"), path=path,
                    file_name="many.csv", commit=True)  # fmt: skip
    page = world.client("kg.blo.dostuk").get("/seizures/", {"q": "many-"}).content.decode()
    assert f"More than {COUNT_LIMIT} seizures match" in page
    assert f"{COUNT_LIMIT + 5} seizures" not in page
    few = world.client("kg.blo.dostuk").get("/seizures/", {"q": "many-1000"}).content.decode()
    assert "1 seizure" in few


def test_an_upload_over_the_size_limit_is_refused_with_advice(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    settings.KORDON_MAX_UPLOAD_BYTES = 200
    path = write_csv(tmp_path / "big.csv", [TEMPLATE, *(row(f"BIG-{number}") for number in range(10))])
    with path.open("rb") as upload:
        response = world.client("kg.analyst").post("/seizures/imports/", {
            "unit": world.unit("kg-dcs-analysis").pk, "file": upload, "tlp": "2", "handling_code": "H0",
            "distribution": "1"})  # fmt: skip
    assert response.status_code == 200 and "kordon import seizures" in response.content.decode()
    assert not SeizureImport.objects.filter(file_name="big.csv").exists()
