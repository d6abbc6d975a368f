"""Watchlists end to end: importing a file (good rows kept, bad rows explained, versions kept),
screening a person through the service, the API and the CLI, only against the lists the policy
lets the user use, and the audit trail of each."""

import csv
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kordon.access.markings import Distribution, RecordKind, Tlp
from kordon.access.models import AgreementStatus, AuditEntry, SharingAgreement
from kordon.access.tokens import token_issue
from kordon.conftest import PASSWORD
from kordon.core.models import Agency
from kordon.entities import screening, screening_index
from kordon.entities.importing import watchlist_import
from kordon.entities.matching import Person
from kordon.entities.models import Watchlist, WatchlistEntry
from kordon.entities.screening import screen_person

HEADER = "id,name,alt_names,birth_date,nationality,document_number,gender,notes\n"
COURIERS = (
    HEADER
    + "KG-001,Султанов Алимбай Каримович,SULTANOV ALIMBAI;Sultonov Alimboy,1975-03-12,KG,AN1234567,male,courier\n"
    + "KG-002,Жумабаева Асель,,12.07.1988,KGZ,ID7654321,female,\n"
    + "KG-003,Иванов Сергей Петрович,,1969,RU,,male,\n"
)


def write(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_couriers(world: Any, tmp_path: Path, text: str = COURIERS, **markings: Any) -> Any:
    return watchlist_import(
        actor=world.user("kg.blo.dostuk"),
        unit=world.unit("kg-dcs-blo-dostuk"),
        path=write(tmp_path, text),
        name="Couriers",
        **markings,
    )


def agreement(status: str = AgreementStatus.ACTIVE, kinds: tuple[str, ...] = (RecordKind.ENTITIES,)) -> Any:
    mou = SharingAgreement.objects.create(
        title="KG-UZ persons",
        record_kinds=list(kinds),
        tlp_ceiling=Tlp.AMBER,
        valid_from=datetime.date(2020, 1, 1),
        status=status,
    )
    mou.parties.set(Agency.objects.filter(code__in=["KG-DCS", "UZ-CUSTOMS"]))
    return mou


def bearer(username: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token_issue(request=None, username=username, password=PASSWORD, scopes=('read', 'write'))}"
    }


SULTANOV_IN_UZBEK = Person("Sultonov Alimboy Karimovich", "1975-12-03", "UZ", "AN1234576", "male")


def test_an_import_keeps_the_good_rows_and_explains_the_bad(world: Any, tmp_path: Path) -> None:
    text = (
        COURIERS
        + "KG-004,,,,,,,\n"  # no name
        + "KG-001,Someone Else,,,,,,\n"  # the id again
        + "KG-005,Абдыкалыков Нурлан,,1975-13-40,,,,\n"  # no such date
        + "KG-006,Осмонов Улан,,,Kyrgyzia,,,\n"  # no such country
        + "KG-007,Исаков Бакыт,,,,,unknown,\n"
    )
    result = import_couriers(world, tmp_path, text)
    assert result.version.number == 1
    assert result.version.entry_count == 3
    problems = {(problem.row, problem.column) for problem in result.problems}
    assert problems == {(5, "name"), (6, "id"), (7, "birth_date"), (8, "nationality"), (9, "gender")}
    entries = {entry.external_id: entry for entry in WatchlistEntry.objects.filter(version=result.version)}
    assert set(entries) == {"KG-001", "KG-002", "KG-003"}
    assert entries["KG-001"].alt_names == ["SULTANOV ALIMBAI", "Sultonov Alimboy"]
    assert entries["KG-002"].birth_date == "1988-07-12"
    assert entries["KG-002"].nationality == "KG"
    line = AuditEntry.objects.filter(action="import", object_type="entities.watchlist").get()
    assert line.after["entries"] == 3
    assert line.after["rejected"] == 5


def test_a_file_without_a_name_column_imports_nothing(world: Any, tmp_path: Path) -> None:
    result = import_couriers(world, tmp_path, "id,fullname\n1,Someone\n")
    assert "name" in result.failure
    assert result.version is None
    assert not Watchlist.objects.exists()


def test_a_new_import_replaces_the_list_and_keeps_its_history(world: Any, tmp_path: Path) -> None:
    first = import_couriers(world, tmp_path)
    second = import_couriers(world, tmp_path, HEADER + "KG-009,Мамытов Эрлан,,1990-01-01,KG,,,\n")
    watchlist = Watchlist.objects.get()
    assert second.version.number == 2
    assert watchlist.current_version_id == second.version.pk
    assert list(watchlist.versions.order_by("number").values_list("entry_count", flat=True)) == [3, 1]
    assert WatchlistEntry.objects.filter(version=first.version).count() == 3
    officer = world.user("kg.blo.dostuk")
    # Screening uses the current version only.
    assert screen_person(actor=officer, query=SULTANOV_IN_UZBEK) == []
    assert [
        m.entry.external_id for m in screen_person(actor=officer, query=Person("Mamytov Erlan", "1990"))
    ] == ["KG-009"]


def test_only_the_owner_unit_imports_a_new_version(world: Any, tmp_path: Path) -> None:
    import_couriers(world, tmp_path)
    with pytest.raises(PermissionDenied):
        watchlist_import(
            actor=world.user("kg.analyst"),
            unit=world.unit("kg-dcs-analysis"),
            path=write(tmp_path, COURIERS),
            name="Couriers",
        )
    with pytest.raises(PermissionDenied):
        watchlist_import(
            actor=world.user("uz.blo.dustlik"),
            unit=world.unit("kg-dcs-blo-dostuk"),
            path=write(tmp_path, COURIERS),
            name="Couriers",
        )


def test_the_courier_is_found_however_he_is_written(world: Any, tmp_path: Path) -> None:
    import_couriers(world, tmp_path)
    officer = world.user("kg.blo.dostuk")
    matches = screen_person(actor=officer, query=SULTANOV_IN_UZBEK)
    assert [match.entry.external_id for match in matches] == ["KG-001"]
    reasons = {reason.outcome for reason in matches[0].match.reasons}
    assert {"same", "day_month_swapped", "one_edit"} <= reasons
    # The passport's machine-readable zone, with the document number's characters swapped.
    mrz = screen_person(
        actor=officer, query=Person("SULTANOV<<ALIMBAI", "1975-03-12", document_number="AN1234657")
    )
    assert [match.entry.external_id for match in mrz] == ["KG-001"]
    # Another man of the same name, born another day, with another passport, is no match.
    other = screen_person(actor=officer, query=Person("Султанов Алимбай", "1991-06-30", "KG", "AC9999999"))
    assert other == []


def test_each_screening_is_audited_with_what_was_asked_and_found(world: Any, tmp_path: Path) -> None:
    result = import_couriers(world, tmp_path)
    screen_person(actor=world.user("kg.blo.dostuk"), query=SULTANOV_IN_UZBEK)
    line = AuditEntry.objects.filter(action="screen").get()
    assert line.actor_name == "kg.blo.dostuk"
    assert line.after["query"]["name"] == SULTANOV_IN_UZBEK.name
    assert line.after["matches"][0][:2] == [result.watchlist.pk, "KG-001"]


@pytest.mark.parametrize(
    ("username", "distribution", "mou", "finds"),
    [
        ("kg.blo.dostuk", Distribution.UNIT, None, True),
        ("kg.analyst", Distribution.UNIT, None, False),
        ("kg.analyst", Distribution.AGENCY, None, True),
        ("uz.blo.dustlik", Distribution.AGENCY, AgreementStatus.ACTIVE, False),
        ("uz.blo.dustlik", Distribution.PARTNERS, AgreementStatus.ACTIVE, True),
        ("uz.blo.dustlik", Distribution.PARTNERS, AgreementStatus.SUSPENDED, False),
        ("uz.blo.dustlik", Distribution.PARTNERS, None, False),
        ("kz.analyst", Distribution.PARTNERS, AgreementStatus.ACTIVE, False),
        ("outsider", Distribution.PARTNERS, AgreementStatus.ACTIVE, False),
        ("admin", Distribution.UNIT, None, True),
    ],
)
def test_a_person_is_screened_only_against_lists_the_policy_allows(
    world: Any, tmp_path: Path, username: str, distribution: int, mou: str | None, finds: bool
) -> None:
    if mou is not None:
        agreement(mou)
    import_couriers(world, tmp_path, distribution=distribution)
    matches = screen_person(actor=world.user(username), query=SULTANOV_IN_UZBEK)
    assert bool(matches) is finds


def test_an_agreement_without_persons_shares_no_list(world: Any, tmp_path: Path) -> None:
    agreement(kinds=(RecordKind.SEIZURES, RecordKind.ALERTS))
    import_couriers(world, tmp_path, distribution=Distribution.PARTNERS)
    assert screen_person(actor=world.user("uz.blo.dustlik"), query=SULTANOV_IN_UZBEK) == []


def test_the_api_screens_and_lists_only_what_the_user_may_use(world: Any, tmp_path: Path) -> None:
    agreement()
    import_couriers(world, tmp_path, distribution=Distribution.PARTNERS)
    answers = {}
    for username in ("uz.blo.dustlik", "kz.analyst"):
        headers = bearer(username)
        client = Client()
        response = client.post(
            "/api/v1/screening/person",
            {"name": "Sultonov Alimboy", "birth_date": "03.12.1975", "document_number": "AN1234576"},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200
        lists = client.get("/api/v1/watchlists", headers=headers).json()
        answers[username] = (response.json(), lists)
    found, lists = answers["uz.blo.dustlik"]
    assert found["threshold"] == 0.7
    assert [(match["entity_id"], match["watchlist"]) for match in found["matches"]] == [
        ("KG-001", "Couriers")
    ]
    assert found["matches"][0]["score"] >= 0.7
    assert "day and month swapped" in found["matches"][0]["explanation"]
    assert found["matches"][0]["notes"] == "courier"
    assert [(item["name"], item["entries"]) for item in lists] == [("Couriers", 3)]
    assert answers["kz.analyst"] == ({"threshold": 0.7, "matches": []}, [])


def test_the_api_explains_a_date_it_cannot_read(world: Any) -> None:
    response = Client().post(
        "/api/v1/screening/person",
        {"name": "Sultanov", "birth_date": "31.02.1975", "nationality": "Narnia"},
        content_type="application/json",
        headers=bearer("kg.blo.dostuk"),
    )
    assert response.status_code == 422
    problems = {problem["loc"][-1]: problem["msg"] for problem in response.json()["detail"]}
    assert set(problems) == {"birth_date", "nationality"}
    assert "1975-03-12" in problems["birth_date"]
    assert not AuditEntry.objects.filter(action="screen").exists()


def test_a_nationality_may_be_written_as_agencies_write_countries(world: Any, tmp_path: Path) -> None:
    text = (
        HEADER
        + "KG-1,Осмонов Улан,,1980,Кыргызстан,,,\nKG-2,Исаков Бакыт,,1981,KGZ,,,\nKG-3,Asanov Erlan,,1982,РФ,,,\n"
    )
    result = import_couriers(world, tmp_path, text)
    assert result.problems == []
    entries = WatchlistEntry.objects.filter(version=result.version).order_by("external_id")
    assert list(entries.values_list("nationality", flat=True)) == ["KG", "KG", "RU"]


def test_the_cli_imports_and_screens_a_file(world: Any, tmp_path: Path, capsys: Any) -> None:
    call_command(
        "watchlist", "import", str(write(tmp_path, COURIERS)), "--name", "Couriers",
        "--unit", "kg-dcs-blo-dostuk", "--user", "kg.blo.dostuk", "--json",
    )  # fmt: skip
    outcome = json.loads(capsys.readouterr().out)
    assert (outcome["version"], outcome["imported"], outcome["rejected"]) == (1, 3, 0)
    travellers = write(
        tmp_path,
        "name,birth_date,document_number\n"
        "SULTANOV ALIMBAI,1975-12-03,AN 123 4567\n"
        "Петров Пётр,1980-01-01,\n"
        ",1980-01-01,\n",
        "travellers.csv",
    )
    out = tmp_path / "results.csv"
    call_command("screen", str(travellers), "--user", "kg.blo.dostuk", "--out", str(out))
    assert "3 rows read: 2 people screened, 1 with a possible match" in capsys.readouterr().out
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["best_entity_id"] for row in rows] == ["KG-001", "", ""]
    assert rows[0]["best_watchlist"] == "Couriers"
    assert float(rows[0]["score"]) >= 0.7
    assert rows[2]["explanation"] == "The name is empty."
    line = AuditEntry.objects.filter(action="screen_file").get()
    assert (line.after["rows"], line.after["screened"], line.after["alerts"]) == (3, 2, 1)


def test_the_cli_refuses_a_user_of_another_unit(world: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "watchlist", "import", str(write(tmp_path, COURIERS)), "--name", "Couriers",
            "--unit", "kg-dcs-blo-dostuk", "--user", "uz.blo.dustlik",
        )  # fmt: skip


def test_a_missing_index_is_built_again(world: Any, tmp_path: Path) -> None:
    result = import_couriers(world, tmp_path)
    folder = screening_index.folder(result.version)
    assert folder.is_dir()
    screening_index._open.clear()
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    assert screen_person(actor=world.user("kg.blo.dostuk"), query=SULTANOV_IN_UZBEK)
    assert folder.is_dir()


def test_a_file_screened_by_two_processes_gives_the_same_results(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import_couriers(world, tmp_path)
    travellers = write(
        tmp_path,
        "name,birth_date,document_number,gender\n"
        "SULTANOV ALIMBAI,1975-12-03,AN1234567,м\n"
        "Петров Пётр,1980-01-01,,\n"
        "ZHUMABAEVA ASEL,1988-07-12,ID7654321,ж\n"
        "Ivanov Sergei,1969,,\n",
        "travellers.csv",
    )
    monkeypatch.setattr(screening, "BATCH", 1)
    officer = world.user("kg.blo.dostuk")
    results = {}
    for workers in (1, 2):
        out = tmp_path / f"results-{workers}.csv"
        outcome = screening.screen_file(actor=officer, path=travellers, out=out, workers=workers)
        assert (outcome.rows, outcome.alerts) == (4, 3)
        results[workers] = out.read_text(encoding="utf-8")
    assert results[1] == results[2]
    assert [row["best_entity_id"] for row in csv.DictReader(results[2].splitlines())] == [
        "KG-001", "", "KG-002", "KG-003",
    ]  # fmt: skip


def test_the_page_screens_an_uploaded_file_and_sends_the_results(world: Any, tmp_path: Path) -> None:
    import_couriers(world, tmp_path)
    client = world.client("kg.blo.dostuk")
    travellers = SimpleUploadedFile(
        "bus.csv", "name;birth_date\nSULTANOV ALIMBAI;03.12.1975\nПетров Пётр;1980\n".encode("cp1251")
    )
    response = client.post("/entities/screening/file/", {"file": travellers})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="screened-bus.csv"'
    rows = list(csv.DictReader(b"".join(response.streaming_content).decode("utf-8").splitlines()))
    assert [(row["name"], row["best_entity_id"]) for row in rows] == [
        ("SULTANOV ALIMBAI", "KG-001"), ("Петров Пётр", ""),
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="screen_file", actor_name="kg.blo.dostuk").count() == 1


def test_the_page_explains_a_file_it_cannot_read(world: Any) -> None:
    client = world.client("kg.blo.dostuk")
    response = client.post(
        "/entities/screening/file/", {"file": SimpleUploadedFile("x.csv", b"surname\nX\n")}
    )
    assert response.status_code == 200
    assert "no column name" in response.content.decode()
    assert not AuditEntry.objects.filter(action="screen_file").exists()


def test_the_watchlists_page_shows_each_list_with_its_versions(world: Any, tmp_path: Path) -> None:
    import_couriers(world, tmp_path)
    import_couriers(world, tmp_path, COURIERS + "KG-004,Исаков Бакыт,,1980,KG,,,\nKG-005,,,,,,,\n")
    page = world.client("kg.analyst").get("/entities/watchlists/").content.decode()
    assert "Couriers" in page
    assert "v2 (current): 4 people from list.csv" in page
    assert "1 row rejected" in page
    assert "v1: 3 people from list.csv" in page
    assert "Couriers" not in world.client("kz.analyst").get("/entities/watchlists/").content.decode()


# Properties of FollowTheMoney's Person schema and the schemata it extends (LegalEntity, Thing),
# restated from followthemoney/schema/*.yaml: an export may use no other.
FTM_PERSON_PROPERTIES = {
    "name", "alias", "previousName", "weakAlias", "birthDate", "birthPlace", "deathDate", "nationality",
    "citizenship", "idNumber", "passportNumber", "gender", "notes", "country", "address", "phone", "email",
    "firstName", "lastName", "middleName", "fatherName", "secondName", "title", "position", "sourceUrl",
}  # fmt: skip


def test_a_watchlist_exports_as_followthemoney_json_lines(world: Any, tmp_path: Path, capsys: Any) -> None:
    result = import_couriers(world, tmp_path)
    response = world.client("kg.analyst").get(f"/entities/watchlists/{result.watchlist.pk}/ftm/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    entities = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [entity["schema"] for entity in entities] == ["Person"] * 3
    assert all(set(entity["properties"]) <= FTM_PERSON_PROPERTIES for entity in entities)
    courier = entities[0]
    assert courier["properties"] == {
        "name": ["Султанов Алимбай Каримович"], "alias": ["SULTANOV ALIMBAI", "Sultonov Alimboy"],
        "birthDate": ["1975-03-12"], "nationality": ["kg"], "idNumber": ["AN1234567"], "gender": ["male"],
        "notes": ["courier"],
    }  # fmt: skip
    assert len({entity["id"] for entity in entities}) == 3
    assert AuditEntry.objects.filter(action="export", object_type="entities.watchlist").count() == 1
    # The same through the command line; a user who may not see the list gets nothing.
    out = tmp_path / "couriers.ftm.json"
    call_command(
        "watchlist", "export", str(result.watchlist.pk), "--user", "kg.blo.dostuk", "--out", str(out)
    )
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == entities
    assert (
        world.client("kz.analyst").get(f"/entities/watchlists/{result.watchlist.pk}/ftm/").status_code == 404
    )
    with pytest.raises(CommandError, match="no watchlist"):
        call_command(
            "watchlist", "export", str(result.watchlist.pk), "--user", "kz.analyst", "--out", str(out)
        )
    assert AuditEntry.objects.filter(action="export", object_type="entities.watchlist").count() == 2


def test_the_cli_lists_what_the_user_may_use(world: Any, tmp_path: Path, capsys: Any) -> None:
    result = import_couriers(world, tmp_path)
    call_command("watchlist", "list", "--user", "kg.analyst")
    shown = capsys.readouterr().out
    assert f"{result.watchlist.pk}: Couriers (kg-dcs-blo-dostuk, TLP:AMBER)" in shown
    assert "v1 (current): 3 people from list.csv" in shown
    call_command("watchlist", "list", "--user", "kz.analyst")
    assert "Couriers" not in capsys.readouterr().out
