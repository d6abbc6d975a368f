"""Schemathesis generates requests from the OpenAPI document and sends them over real HTTP to a live
server: no request, however odd, may cause a server error, and every answer must match the contract."""

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error
from schemathesis.openapi.checks import JsonSchemaError  # noqa: F401  (imported so a rename breaks loudly)
from schemathesis.specs.openapi.checks import response_schema_conformance

from kordon.config.api import api
from kordon.conftest import PASSWORD

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def bearer(live_server: Any, transactional_world: Any) -> dict[str, str]:
    response = requests.post(
        f"{live_server.url}/api/v1/auth/token",
        json={"username": "kg.blo.dostuk", "password": PASSWORD, "scopes": ["read", "write"]},
        timeout=10,
    )
    return {"Authorization": f"Bearer {response.json()['token']}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_request_breaks_the_api(case: Any, live_server: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(
        base_url=live_server.url,
        headers=bearer,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
        timeout=30,
    )
