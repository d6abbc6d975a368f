"""API tokens carry scopes and expire: a read-only token reads but changes nothing (and can still
revoke itself), a write token changes records, an expired token is refused with the reason, and
nobody gets a token that lives longer than the node allows."""

import datetime
from typing import Any

from django.test import Client, override_settings
from django.utils import timezone

from kordon.access.models import ApiToken, AuditEntry
from kordon.access.tokens import digest
from kordon.conftest import PASSWORD
from kordon.seizures.models import Seizure
from kordon.seizures.tests.test_api import seizure_payload


def issue(**request: Any) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        {"username": "kg.blo.dostuk", "password": PASSWORD, **request},
        content_type="application/json",
    )


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_reads_only_unless_it_asked_to_write(world: Any) -> None:
    answer = issue()
    assert answer.status_code == 200 and answer.json()["scopes"] == ["read"]
    reader = bearer(answer.json()["token"])
    assert reader.get("/api/v1/seizures").status_code == 200
    refused = reader.post("/api/v1/seizures", seizure_payload(), content_type="application/json")
    assert refused.status_code == 403 and "may only read" in refused.json()["detail"]
    assert not Seizure.objects.filter(reference="API-1").exists()
    assert reader.delete("/api/v1/auth/token").status_code == 204  # a leaked reader can be killed

    writer = bearer(issue(scopes=["read", "write"]).json()["token"])
    created = writer.post("/api/v1/seizures", seizure_payload(), content_type="application/json")
    assert created.status_code == 201
    created_line = (
        AuditEntry.objects.filter(action="token_create", actor__username="kg.blo.dostuk")
        .order_by("pk")
        .last()
    )
    assert created_line is not None and created_line.after["scopes"] == "read write"


def test_a_token_expires_and_says_so(world: Any) -> None:
    answer = issue(expires_in_days=7)
    token = answer.json()["token"]
    expires = datetime.datetime.fromisoformat(answer.json()["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)
    client = bearer(token)
    assert client.get("/api/v1/seizures").status_code == 200
    ApiToken.objects.filter(digest=digest(token)).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    refused = client.get("/api/v1/seizures")
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_no_token_outlives_the_node_limit(world: Any) -> None:
    assert issue(expires_in_days=91).status_code == 422
    with override_settings(KORDON_TOKEN_MAX_DAYS=30):
        # The schema's limit was read at start-up; the service caps at the node's current setting.
        answer = issue(expires_in_days=60)
        assert answer.status_code == 200
        expires = datetime.datetime.fromisoformat(answer.json()["expires_at"])
        assert expires < timezone.now() + datetime.timedelta(days=30, minutes=1)
    assert issue(scopes=[]).status_code == 422
    assert issue(scopes=["admin"]).status_code == 422
