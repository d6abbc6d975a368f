"""The REST API over HTTP: tokens, seizures, imports and exports, every response checked against
the OpenAPI document that is the API's contract."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from kordon.access.models import ApiToken, AuditEntry
from kordon.access.tokens import digest
from kordon.conftest import PASSWORD
from kordon.seizures.models import Seizure
from kordon.seizures.tests.files import TEMPLATE, row, write_csv


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def conforms(openapi: dict[str, Any], response: Any, path: str, method: str = "get") -> Any:
    """Validate a JSON response against the schema the OpenAPI document gives for it."""
    status = str(response.status_code)
    declared = openapi["paths"][path][method]["responses"]
    assert status in declared, f"{method.upper()} {path} answered {status}, which the contract does not list"
    schema = declared[status]["content"]["application/json"]["schema"]
    body = response.json()
    Draft202012Validator({**schema, "components": openapi["components"]}).validate(body)
    return body


def api_client(username: str) -> Client:
    token = Client().post("/api/v1/auth/token", {"username": username, "password": PASSWORD,
                                               "scopes": ["read", "write"]}, content_type="application/json").json()["token"]  # fmt: skip
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def seizure_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "owner_unit": "kg-dcs-blo-dostuk",
        "reference": "API-1",
        "occurred_on": "2013-03-12",
        "country": "KG",
        "place": "KG-DOSTUK",
        "transport_mode": "road",
        "detection_method": "sniffer_dog",
        "concealment": "vehicle_compartment",
        "concealment_details": "тайник под днищем",
        "vehicle_plate": "01KG123ABC",
        "container_number": "MSKU1234565",
        "origin_country": "AF",
        "transit_countries": ["TJ"],
        "destination_country": "RU",
        "persons_arrested": 2,
        "arrested_nationalities": ["TJ", "KG"],
        "markings": {"tlp": "AMBER", "handling_code": "H2", "distribution": "agency"},
        "items": [{"substance": "heroin", "quantity": "12.5", "unit": "kg", "purity_percent": "61.5"}],
    }
    payload.update(overrides)
    return payload


def test_the_openapi_document_is_valid_openapi_3(openapi: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(openapi)
    assert openapi["openapi"].startswith("3.")
    assert {"/api/v1/seizures", "/api/v1/seizures/{seizure_id}", "/api/v1/imports", "/api/v1/auth/token",
            "/api/v1/places", "/api/v1/agencies", "/api/v1/units", "/api/v1/substances",
            "/api/v1/exports/seizures"} <= set(openapi["paths"])  # fmt: skip


def test_a_token_is_issued_stored_hashed_and_revoked(world: Any, openapi: dict[str, Any]) -> None:
    response = Client().post("/api/v1/auth/token", {"username": "kg.blo.dostuk", "password": PASSWORD,
                                                    "name": "laptop"}, content_type="application/json")  # fmt: skip
    token = conforms(openapi, response, "/api/v1/auth/token", "post")["token"]
    stored = ApiToken.objects.get(user__username="kg.blo.dostuk", name="laptop")
    assert stored.digest == digest(token) and token not in stored.digest
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/seizures").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/seizures").status_code == 401
    assert AuditEntry.objects.filter(action="token_revoke", actor__username="kg.blo.dostuk").exists()


def test_wrong_credentials_get_401_and_are_audited(world: Any, openapi: dict[str, Any]) -> None:
    response = Client().post("/api/v1/auth/token", {"username": "kg.blo.dostuk", "password": "nope"},
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 401
    conforms(openapi, response, "/api/v1/auth/token", "post")
    assert AuditEntry.objects.filter(action="login_failed", actor_name="kg.blo.dostuk").exists()


def test_a_seizure_is_created_read_updated_and_deleted(world: Any, openapi: dict[str, Any]) -> None:
    officer = api_client("kg.blo.dostuk")
    created = conforms(openapi, officer.post("/api/v1/seizures", seizure_payload(), content_type="application/json"),
                       "/api/v1/seizures", "post")  # fmt: skip
    assert created["owner_agency"] == "KG-DCS" and created["place"] == "KG-DOSTUK"
    assert created["items"][0]["quantity_kg"] == "12.500000" and created["markings"]["tlp"] == "AMBER"
    path = f"/api/v1/seizures/{created['id']}"
    read = conforms(openapi, officer.get(path), "/api/v1/seizures/{seizure_id}")
    assert read["transit_countries"] == ["TJ"] and read["container_number"] == "MSKU1234565"
    changed = seizure_payload(narrative="dog alerted on the spare tyre")
    changed.pop("owner_unit")
    updated = conforms(openapi, officer.put(path, changed, content_type="application/json"),
                       "/api/v1/seizures/{seizure_id}", "put")  # fmt: skip
    assert updated["narrative"] == "dog alerted on the spare tyre"
    assert officer.delete(path).status_code == 403  # officers do not delete
    assert api_client("kg.supervisor").delete(path).status_code == 204
    assert officer.get(path).status_code == 404


def test_validation_problems_come_back_per_field(world: Any, openapi: dict[str, Any]) -> None:
    officer = api_client("kg.blo.dostuk")
    response = officer.post("/api/v1/seizures", seizure_payload(container_number="MSKU1234566", place="UZ-DUSTLIK"),
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    problems = {tuple(error["loc"][2:]): error["msg"] for error in conforms(openapi, response, "/api/v1/seizures",
                                                                             "post")["detail"]}  # fmt: skip
    assert "should be 5" in problems[("container_number",)] and ("place",) in problems
    unknown = officer.post("/api/v1/seizures", seizure_payload(items=[{"substance": "sand", "quantity": "1",
                                                                       "unit": "kg"}]),
                           content_type="application/json")  # fmt: skip
    assert unknown.status_code == 422 and "sand" in unknown.content.decode()
    assert not Seizure.objects.filter(reference="API-1").exists()


def test_recording_for_someone_elses_unit_is_refused(world: Any) -> None:
    response = api_client("kg.blo.dostuk").post("/api/v1/seizures", seizure_payload(owner_unit="uz-customs-blo-dustlik",
                                                                                      country="UZ", place=None),
                                                 content_type="application/json")  # fmt: skip
    assert response.status_code == 403


def test_the_list_filters_and_pages(world: Any, make_seizure: Any, openapi: dict[str, Any]) -> None:
    for number in range(7):
        make_seizure(
            "kg-dcs-blo-dostuk", reference=f"PAGE-{number}", substance="opium" if number % 2 else "heroin"
        )
    client = api_client("kg.blo.dostuk")
    page = conforms(openapi, client.get("/api/v1/seizures", {"q": "page-", "substance": "opium", "page_size": 2}),
                    "/api/v1/seizures")  # fmt: skip
    assert page["count"] == 3 and len(page["results"]) == 2
    last = client.get(
        "/api/v1/seizures", {"q": "page-", "substance": "opium", "page_size": 2, "page": 2}
    ).json()
    assert len(last["results"]) == 1
    assert client.get("/api/v1/seizures", {"q": "page-", "substance": "no-such"}).json()["count"] == 0
    assert client.get("/api/v1/seizures", {"country": "kg"}).status_code == 422


def test_reference_data_is_listed(world: Any, openapi: dict[str, Any]) -> None:
    client = api_client("tj.analyst")
    places = {
        place["code"]: place for place in conforms(openapi, client.get("/api/v1/places"), "/api/v1/places")
    }
    assert places["KG-DOSTUK"]["counterpart"] == "UZ-DUSTLIK" and places["KG-DOSTUK"]["source"]
    units = conforms(openapi, client.get("/api/v1/units"), "/api/v1/units")
    assert any(unit["code"] == "kg-dcs-blo-dostuk" and unit["place"] == "KG-DOSTUK" for unit in units)
    substances = conforms(openapi, client.get("/api/v1/substances"), "/api/v1/substances")
    assert {"heroin", "acetic-anhydride"} <= {substance["code"] for substance in substances}


def test_an_import_is_checked_then_committed(world: Any, tmp_path: Path, openapi: dict[str, Any]) -> None:
    analyst = api_client("kg.analyst")
    path = write_csv(
        tmp_path / "api.csv", [TEMPLATE, row("APIIMP-1"), row("APIIMP-2", unit_of_measure="ведро")]
    )
    with path.open("rb") as upload:
        response = analyst.post(
            "/api/v1/imports", {"file": upload, "unit": "kg-dcs-analysis", "dry_run": "true"}
        )
    checked = conforms(openapi, response, "/api/v1/imports", "post")
    assert (checked["status"], checked["imported"], checked["rejected"]) == ("checked", 1, 1)
    assert checked["errors"][0]["row"] == 3 and checked["errors"][0]["column"] == "unit_of_measure"
    assert not Seizure.objects.filter(reference="APIIMP-1").exists()
    committed = conforms(openapi, analyst.post(f"/api/v1/imports/{checked['import_id']}/commit"),
                         "/api/v1/imports/{import_id}/commit", "post")  # fmt: skip
    assert committed["status"] == "imported" and Seizure.objects.filter(reference="APIIMP-1").exists()
    assert analyst.post(f"/api/v1/imports/{checked['import_id']}/commit").status_code == 409
    rejected = analyst.get(f"/api/v1/imports/{checked['import_id']}/rejected").content.decode("utf-8-sig")
    assert "APIIMP-2" in rejected and "APIIMP-1" not in rejected
    # Another unit's import is not there for you.
    assert api_client("tj.analyst").get(f"/api/v1/imports/{checked['import_id']}").status_code == 404


def test_exports_in_three_formats_with_formulas_neutralised(world: Any, make_seizure: Any) -> None:
    make_seizure("kg-dcs-blo-dostuk", reference="EXP-1", narrative="=HYPERLINK(\"http://evil\")",
                 place_description="@SUM(A1)")  # fmt: skip
    client = api_client("kg.blo.dostuk")
    body = b"".join(client.get("/api/v1/exports/seizures", {"format": "csv", "q": "exp-1"}).streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [exported["reference"] for exported in rows] == ["EXP-1"]
    assert rows[0]["notes"].startswith("'=") and rows[0]["quantity_kg"] == "1.5"
    xlsx = b"".join(
        client.get("/api/v1/exports/seizures", {"format": "xlsx", "q": "exp-1"}).streaming_content
    )
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["notes"] == '\'=HYPERLINK("http://evil")' and values["place"] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for cell in sheet[2])
    geojson = json.loads(b"".join(client.get("/api/v1/exports/seizures", {"format": "geojson", "q": "exp-1"})
                                  .streaming_content))  # fmt: skip
    assert geojson["features"] == []  # no coordinates: neither the seizure nor a known place has them
