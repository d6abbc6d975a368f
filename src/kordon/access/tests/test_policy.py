"""The access policy, read through every interface people use: selectors, pages, API, exports.

Five seizures with different owners and distributions; each persona must see exactly its set.
"""

import csv
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from kordon.access import policy
from kordon.access.markings import Distribution
from kordon.access.tokens import token_issue
from kordon.conftest import PASSWORD
from kordon.seizures.models import Seizure
from kordon.seizures.selectors import SeizureFilters, seizure_list

# record name -> (owner unit, distribution)
RECORDS = {
    "dostuk_unit_only": ("kg-dcs-blo-dostuk", Distribution.UNIT),
    "dostuk_agency": ("kg-dcs-blo-dostuk", Distribution.AGENCY),
    "kg_analysis_agency": ("kg-dcs-analysis", Distribution.AGENCY),
    "dustlik_agency": ("uz-customs-blo-dustlik", Distribution.AGENCY),
    "dostuk_partners": ("kg-dcs-blo-dostuk", Distribution.PARTNERS),
}
ALL = set(RECORDS)
VISIBLE = {
    "kg.blo.dostuk": {"dostuk_unit_only", "dostuk_agency", "kg_analysis_agency", "dostuk_partners"},
    "kg.supervisor": {"dostuk_unit_only", "dostuk_agency", "kg_analysis_agency", "dostuk_partners"},
    "kg.analyst": {"dostuk_agency", "kg_analysis_agency", "dostuk_partners"},
    "uz.blo.dustlik": {"dustlik_agency"},
    "tj.analyst": set(),
    "kg.prison.auditor": set(),  # same country, another agency
    "outsider": set(),  # a user in no unit
    "admin": ALL,
}


@pytest.fixture
def records(world: Any, make_seizure: Any) -> dict[str, Seizure]:
    return {
        name: make_seizure(unit, distribution=distribution, reference=f"POLICY-{name}")
        for name, (unit, distribution) in RECORDS.items()
    }


def names_of(ids: set[int], records: dict[str, Seizure]) -> set[str]:
    return {name for name, seizure in records.items() if seizure.pk in ids}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_each_persona_lists_exactly_its_records(
    world: Any, records: dict[str, Seizure], username: str
) -> None:
    user = world.user(username)
    listed = set(seizure_list(user=user, filters=SeizureFilters(q="policy-")).values_list("pk", flat=True))
    assert names_of(listed, records) == VISIBLE[username]


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_the_list_page_shows_exactly_the_visible_records(
    world: Any, records: dict[str, Seizure], username: str
) -> None:
    page = world.client(username).get("/seizures/", {"q": "POLICY-"}).content.decode()
    shown = {name for name, seizure in records.items() if seizure.reference in page}
    assert shown == VISIBLE[username]


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_detail_is_found_only_when_visible_and_forbidden_looks_missing(
    world: Any, records: dict[str, Seizure], username: str
) -> None:
    client = world.client(username)
    for name, seizure in records.items():
        response = client.get(f"/seizures/{seizure.pk}/")
        assert response.status_code == (200 if name in VISIBLE[username] else 404), name
    missing = client.get("/seizures/999999999/")
    assert missing.status_code == 404
    hidden = [seizure for name, seizure in records.items() if name not in VISIBLE[username]]
    if hidden:
        # Same status and same words for "forbidden" and "does not exist".
        assert client.get(f"/seizures/{hidden[0].pk}/").content == missing.content


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_the_api_lists_and_reads_exactly_the_visible_records(
    world: Any, records: dict[str, Seizure], username: str
) -> None:
    token = token_issue(request=None, username=username, password=PASSWORD, scopes=("read", "write"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = client.get("/api/v1/seizures", {"q": "POLICY-", "page_size": 200}).json()
    assert {item["reference"].removeprefix("POLICY-") for item in listed["results"]} == VISIBLE[username]
    assert listed["count"] == len(VISIBLE[username])
    for name, seizure in records.items():
        status = client.get(f"/api/v1/seizures/{seizure.pk}").status_code
        assert status == (200 if name in VISIBLE[username] else 404), name


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_exports_hold_exactly_the_visible_records(
    world: Any, records: dict[str, Seizure], username: str
) -> None:
    client = world.client(username)
    body = b"".join(client.get("/seizures/export/csv/", {"q": "POLICY-"}).streaming_content).decode(
        "utf-8-sig"
    )
    exported = {row["reference"].removeprefix("POLICY-") for row in csv.DictReader(io.StringIO(body))}
    assert exported == VISIBLE[username]
    geojson = json.loads(
        b"".join(client.get("/seizures/export/geojson/", {"q": "POLICY-"}).streaming_content)
    )
    assert {
        feature["properties"]["reference"].removeprefix("POLICY-") for feature in geojson["features"]
    } <= (VISIBLE[username])


def test_nobody_sees_anything_without_a_live_account(world: Any, records: dict[str, Seizure]) -> None:
    assert not Seizure.objects.restrict(None).exists()
    assert not Seizure.objects.restrict(AnonymousUser()).exists()
    officer = world.user("kg.blo.dostuk")
    officer.is_active = False
    officer.save()
    assert not Seizure.objects.restrict(world.user("kg.blo.dostuk")).exists()


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_refuses_them(world: Any, records: Any) -> None:
    anonymous = Client()
    page = anonymous.get("/seizures/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    assert anonymous.get("/api/v1/seizures").status_code == 401
    assert anonymous.get("/api/v1/seizures", HTTP_AUTHORIZATION="Bearer kdn_not-a-token").status_code == 401


CHANGE = {
    # username -> records it may change (all within VISIBLE)
    "kg.blo.dostuk": {"dostuk_unit_only", "dostuk_agency", "dostuk_partners"},
    "kg.analyst": {"kg_analysis_agency"},
    "kg.prison.auditor": set(),
}


@pytest.mark.parametrize("username", sorted(CHANGE))
def test_roles_change_only_their_own_units_records(
    world: Any, records: dict[str, Seizure], username: str
) -> None:
    changeable = set(
        Seizure.objects.restrict(world.user(username), policy.CHANGE).values_list("pk", flat=True)
    )
    assert names_of(changeable, records) == CHANGE[username]


def test_a_record_you_see_but_may_not_change_is_refused_not_hidden(
    world: Any, records: dict[str, Seizure]
) -> None:
    client = world.client("kg.analyst")
    assert client.get(f"/seizures/{records['dostuk_agency'].pk}/edit/").status_code == 403
    assert client.get(f"/seizures/{records['dustlik_agency'].pk}/edit/").status_code == 404


def test_only_supervisors_delete(world: Any, records: dict[str, Seizure]) -> None:
    target = records["dostuk_agency"]
    officer = world.client("kg.blo.dostuk")
    assert officer.post(f"/seizures/{target.pk}/delete/").status_code == 403
    assert Seizure.objects.filter(pk=target.pk).exists()
    supervisor = world.client("kg.supervisor")
    assert supervisor.post(f"/seizures/{target.pk}/delete/").status_code == 302
    assert not Seizure.objects.filter(pk=target.pk).exists()


def test_the_policy_refuses_an_action_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        policy.record_filter(None, "peek")
