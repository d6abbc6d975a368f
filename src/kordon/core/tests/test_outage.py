"""The node survives its database going away: while it is away every request fails cleanly (503
with a message, never a traceback, the API in JSON, readiness says "database"), and once it is back
the same server process answers normally again, without a restart.

PostgreSQL: the node's database stops accepting connections and its open ones are cut, as when
the server restarts. SQLite: the database file disappears, as when its disk is unmounted."""

import http.cookiejar
import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection
from django.test import RequestFactory
from psycopg import sql

from kordon.access.context import action_context
from kordon.conftest import ScratchNode
from kordon.core.errors import server_error

PASSWORD = "outage-test-password-1"


class Browser:
    """A client with cookies, over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # The node speaks Russian unless asked otherwise; these assertions read English.
        sent = {"Accept-Language": "en", **(headers or {})}
        request = urllib.request.Request(self.base + path, data=body, headers=sent)  # noqa: S310 (local)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, username: str) -> None:
        self.request("/login/")
        csrf = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        status, _page = self.request(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            {"Referer": self.base + "/login/"},
        )
        assert status == 200  # followed the redirect to the home page


class Outage:
    """Take the scratch node's database away and bring it back."""

    def __init__(self, node: ScratchNode) -> None:
        self.url = urllib.parse.urlparse(node.env["KORDON_DATABASE_URL"])
        self.parked = node.root / "parked"

    def _postgres(self, statement: Any, *params: str) -> None:
        settings = connection.get_connection_params()
        kept = {key: settings[key] for key in ("host", "port", "user", "password") if settings.get(key)}
        with psycopg.connect(dbname="postgres", autocommit=True, **kept) as admin:
            admin.execute(statement, params or None)

    def _allow_connections(self, allow: bool) -> None:
        name = sql.Identifier(self.url.path.lstrip("/"))
        self._postgres(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(name, sql.Literal(allow)))

    def begin(self) -> None:
        if self.url.scheme.startswith("postgres"):
            self._allow_connections(False)
            self._postgres(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                self.url.path.lstrip("/"),
            )
        else:
            self.parked.mkdir()
            for file in Path(self.url.path).parent.glob(Path(self.url.path).name + "*"):
                shutil.move(file, self.parked / file.name)

    def end(self) -> None:
        if self.url.scheme.startswith("postgres"):
            self._allow_connections(True)
        else:
            database = Path(self.url.path)
            for leftover in database.parent.glob(database.name + "*"):  # what SQLite created meanwhile
                leftover.unlink()
            for file in self.parked.iterdir():
                shutil.move(file, database.parent / file.name)


def test_the_node_fails_cleanly_while_its_database_is_away_and_recovers_without_a_restart(
    scratch_node: ScratchNode, collected_static: Path
) -> None:
    if connection.vendor == "sqlite":
        # A file opened once stays readable after it is moved; a connection per request sees it go.
        scratch_node.env["KORDON_DB_CONN_MAX_AGE"] = "0"
    scratch_node.env["KORDON_TWO_FACTOR"] = "optional"
    scratch_node.use_static(collected_static)  # pages need the manifest
    scratch_node.run(
        "shell",
        "-c",
        f"from kordon.core.models import User; User.objects.create_user('probe', password='{PASSWORD}')",
    )
    server, base = scratch_node.serve()
    try:
        officer = Browser(base)
        officer.log_in("probe")
        assert officer.request("/")[0] == 200
        api = urllib.request.Request(  # noqa: S310 (our own local server)
            base + "/api/v1/auth/token",
            data=json.dumps({"username": "probe", "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(api, timeout=30) as answer:  # noqa: S310
            token = json.loads(answer.read())["token"]
        reader = Browser(base)
        bearer = {"Authorization": f"Bearer {token}"}
        assert reader.request("/api/v1/seizures", headers=bearer)[0] == 200

        outage = Outage(scratch_node)
        outage.begin()
        try:
            for _attempt in range(3):  # every request while it lasts, not just the first
                status, page = officer.request("/")
                assert status == 503, page[:500]
                assert "The database is not answering" in page and "Traceback" not in page
                status, body = reader.request("/api/v1/seizures", headers=bearer)
                assert status == 503 and "database is not answering" in json.loads(body)["detail"]
            status, body = reader.request("/health/ready")
            # SQLite opens an empty new file where its database was: a schema that is not there.
            expected = ["database"] if connection.vendor == "postgresql" else ["migrations"]
            assert (status, json.loads(body)["problems"]) == (503, expected)
            assert reader.request("/health/live")[0] == 200
        finally:
            outage.end()

        # The same process, no restart: the officer's session and the token work again.
        status, page = officer.request("/")
        assert status == 200 and "probe" in page
        assert reader.request("/api/v1/seizures", headers=bearer)[0] == 200
        assert reader.request("/health/ready")[0] == 200
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_bug_gets_a_plain_page_that_tells_nothing_of_the_error() -> None:
    for path, kind in (("/seizures/", "text/html"), ("/api/v1/seizures", "application/json")):
        request = RequestFactory().get(path)
        with action_context(client_address="test") as context:
            try:
                raise ValueError("column secret_field of table x")
            except ValueError:
                response = server_error(request)
        assert response.status_code == 500 and response["Content-Type"].startswith(kind)
        assert b"secret_field" not in response.content
        assert context.request_id.encode() in response.content  # what the administrator looks up
        assert "Retry-After" not in response
