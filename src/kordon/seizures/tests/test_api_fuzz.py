"""Schemathesis generates requests from the OpenAPI document and sends them over real HTTP to a live
server, as two personas: the Kyrgyz officer at Dostuk (who owns most demo records) and the Uzbek
partner at Dustlik. No request, however odd, may cause a server error; every answer must match the
contract; and no answer may carry a record the persona may not see: a Tajik seizure, alert and
person marked for their own unit only, planted before each test."""

import datetime
import zlib
from decimal import Decimal
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error
from schemathesis.openapi.checks import JsonSchemaError  # noqa: F401  (imported so a rename breaks loudly)
from schemathesis.specs.openapi.checks import response_schema_conformance

from kordon.access.context import action_context
from kordon.access.markings import Distribution, Tlp
from kordon.config.api import api
from kordon.conftest import PASSWORD
from kordon.core.models import Unit
from kordon.entities.services import EntityData, entity_create
from kordon.exchange.models import Alert
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
PERSONAS = ["kg.blo.dostuk", "uz.blo.dustlik"]
HIDDEN = "HIDDEN-TJ-7731"


@schemathesis.check
def no_hidden_record(ctx: Any, response: Any, case: Any) -> bool | None:
    """The planted records' marker appears in no answer: not in a list, a count's label, an
    autocomplete, an export or an error message."""
    if HIDDEN.encode() in response.content:
        raise AssertionError(f"{case.operation.label} answered with a record the persona may not see")
    return None


def plant_hidden_records(world: Any) -> None:
    panj = Unit.objects.get(code="tj-dca-blo-panj")
    owner = world.user("tj.blo.panj")
    only_panj = {"tlp": Tlp.RED, "distribution": Distribution.UNIT}
    Alert.objects.create(
        owner_unit=panj, owner_agency_id=panj.agency_id, reference=HIDDEN, subject_kind="vehicle", title=HIDDEN,
        valid_from=datetime.date(2013, 5, 2), valid_until=datetime.date(2030, 1, 1), sent_by=owner, **only_panj,
    )  # fmt: skip
    with action_context(client_address="test"):
        seizure_create(
            actor=owner,
            owner_unit_id=panj.pk,
            data=SeizureData(
                reference=HIDDEN,
                occurred_on=datetime.date(2013, 5, 2),
                country_id="TJ",
                vehicle_plate=HIDDEN,
                items=[ItemData(Substance.objects.get(code="heroin").pk, Decimal("9"), "kg")],
                **only_panj,
            ),
        )
        entity_create(actor=owner, unit_id=panj.pk, data=EntityData(kind="person", name=HIDDEN, **only_panj))


@pytest.fixture
def bearer(request: Any, live_server: Any, transactional_world: Any) -> dict[str, str]:
    plant_hidden_records(transactional_world)
    # Each operation runs as one persona, the same one every run; together they cover both.
    label = request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name
    persona = PERSONAS[zlib.crc32(label.encode()) % len(PERSONAS)]
    response = requests.post(
        f"{live_server.url}/api/v1/auth/token",
        json={"username": persona, "password": PASSWORD, "scopes": ["read", "write"]},
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
def test_no_request_breaks_the_api_or_shows_a_hidden_record(
    case: Any, live_server: Any, bearer: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=live_server.url,
        headers=bearer,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance, no_hidden_record],
        timeout=30,
    )
