"""Shared test fixtures: the reference data, the demo organisations and named personas.

Personas make access tests readable: an officer at the Kyrgyz BLO Dostuk, her supervisor, an
officer of Uzbek customs at Dustlik, a Tajik analyst, an outsider with no unit, and so on.
"""

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from kordon.access.context import action_context
from kordon.browser import browser, page  # noqa: F401  (fixtures for the browser tests)
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


class ScratchNode:
    """A second Kordon node in its own database, driven through the real `kordon` command in
    subprocesses: for what only a separate process can show (a killed import, `kordon serve`)."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.env = {
            **os.environ,
            "KORDON_DATABASE_URL": database_url,
            "KORDON_DATA_DIR": str(root / "data"),
            "KORDON_SECRET_KEY": "scratch-node-secret-key-for-tests-only-0123456789",
            "DJANGO_SETTINGS_MODULE": "kordon.config.settings",
        }
        self.kordon = str(Path(sys.executable).with_name("kordon"))

    def run(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.kordon, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kordon {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def use_static(self, collected: Path) -> None:
        """Give the node the static files of `collected_static`, as `kordon collectstatic` would."""
        shutil.copytree(collected, Path(self.env["KORDON_DATA_DIR"]) / "static", dirs_exist_ok=True)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [self.kordon, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def serve(self, port: int = 0) -> tuple[subprocess.Popen[bytes], str]:
        """`kordon serve` on a loopback port (a free one unless given), once it answers: the
        process and its address."""
        if not port:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        log = (self.root / "serve.log").open("a")  # a pipe nobody reads would fill up and stall the server
        server = subprocess.Popen(
            [
                self.kordon,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-background",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health/live", timeout=5).close()  # noqa: S310 (our own local server)
                return server, base
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (
                    f"the server stopped: {(self.root / 'serve.log').read_text()[-2000:]}"
                )
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)

    def count(self, sql: str) -> int:
        """One number from the node's database, read by the node itself."""
        script = f"from django.db import connection\nc = connection.cursor()\nc.execute({sql!r})\nprint(c.fetchone()[0])"
        return int(self.run("shell", "-c", script).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files as `kordon collectstatic` writes them, made once per run: it compresses
    every file, which takes over a minute. Nodes that serve pages get a copy (use_static)."""
    root = tmp_path_factory.mktemp("static-node")
    ScratchNode(root, f"sqlite:///{root / 'unused.sqlite3'}").run(
        "collectstatic", "--no-input", "--verbosity", "0"
    )
    return root / "data" / "static"


@pytest.fixture
def scratch_nodes(tmp_path: Path) -> Iterator[Callable[[str], ScratchNode]]:
    """Make separate nodes, each in its own directory and database (on the test database's
    server for PostgreSQL), migrated; dropped at the end of the test."""
    databases: list[str] = []
    effective = connection.get_connection_params()
    params = {key: effective[key] for key in ("host", "port", "user", "password") if effective.get(key)}

    def make(label: str) -> ScratchNode:
        root = tmp_path / label
        root.mkdir()
        if connection.vendor == "postgresql":
            name = f"kordon_scratch_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            databases.append(name)
            query = urlencode({key: value for key, value in params.items() if key in ("host", "port")})
            credentials = quote(str(params.get("user", "")))
            if params.get("password"):
                credentials += ":" + quote(str(params["password"]))
            url = f"postgres://{credentials}@/{name}?{query}"
        else:
            url = f"sqlite:///{root / 'node.sqlite3'}"
        node = ScratchNode(root, url)
        node.run("migrate", "--no-input")
        return node

    yield make
    for name in databases:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_node(scratch_nodes: Callable[[str], ScratchNode]) -> ScratchNode:
    return scratch_nodes("node")
