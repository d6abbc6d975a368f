"""Shared test fixtures: the reference data, the demo organisations and named personas.

Personas make access tests readable: an officer at the Kyrgyz BLO Dostuk, her supervisor, an
officer of Uzbek customs at Dustlik, a Tajik analyst, an outsider with no unit, and so on.
"""

import datetime
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kordon.access.context import action_context
from kordon.core.demo import build_accounts, build_organisations
from kordon.core.models import Country, Unit
from kordon.core.reference import load_countries, load_places
from kordon.seizures.models import Seizure, Substance
from kordon.seizures.reference import load_substances
from kordon.seizures.services import ItemData, SeizureData, seizure_create

PASSWORD = "persona-password-1"

# Browser tests drive Playwright's synchronous API, which runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def build_world() -> None:
    with action_context(client_address="test"):
        load_countries()
        load_places()
        load_substances()
        build_organisations()
        build_accounts(PASSWORD)
        User = get_user_model()
        User.objects.get_or_create(username="outsider", defaults={"email": "outsider@example.invalid"})[0]
        outsider = User.objects.get(username="outsider")
        outsider.set_password(PASSWORD)
        outsider.save()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Build the world once per session for the (fast, rolled-back) `db` tests."""
    with django_db_blocker.unblock():
        build_world()


@dataclass
class World:
    """Handles on the personas and units of the demo world."""

    def user(self, username: str) -> Any:
        return get_user_model().objects.get(username=username)

    def unit(self, code: str) -> Unit:
        return Unit.objects.select_related("agency").get(code=code)

    def client(self, username: str) -> Client:
        client = Client()
        client.force_login(self.user(username))
        return client


@pytest.fixture
def world(db: None) -> Iterator[World]:
    # Transactional tests empty the database after each test; rebuild what they removed.
    if not Country.objects.exists():
        build_world()
    with action_context(client_address="test"):
        yield World()


@pytest.fixture
def transactional_world(transactional_db: None) -> Iterator[World]:
    if not Country.objects.exists():
        build_world()
    with action_context(client_address="test"):
        yield World()


SeizureMaker = Callable[..., Seizure]


@pytest.fixture
def make_seizure(world: World) -> SeizureMaker:
    """Record a seizure through the service, as the node administrator unless `actor` is given."""
    counter = iter(range(1, 10**6))

    def make(
        unit_code: str,
        *,
        actor: Any = None,
        substance: str = "heroin",
        quantity: str = "1.5",
        unit: str = "kg",
        **fields: Any,
    ) -> Seizure:
        owner = world.unit(unit_code)
        values: dict[str, Any] = {
            "reference": f"T-{owner.code}-{next(counter)}",
            "occurred_on": datetime.date(2013, 3, 12),
            "country_id": owner.agency.country_id,
        }
        values.update(fields)
        item = ItemData(Substance.objects.get(code=substance).pk, Decimal(quantity), unit)
        return seizure_create(
            actor=actor or world.user("admin"),
            owner_unit_id=owner.pk,
            data=SeizureData(items=[item], **values),
        )

    return make
