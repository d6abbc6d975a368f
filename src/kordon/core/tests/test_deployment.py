"""What an administrator deploys against: health and readiness over real HTTP, `kordon check
--deploy` saying what to do, and log lines as JSON carrying the request id."""

import io
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client

from kordon.access.context import action_context
from kordon.conftest import ScratchNode
from kordon.core.logs import JsonFormatter


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local URL of our own)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_health_and_readiness_need_no_login_and_tell_nothing_more(world: Any) -> None:
    anonymous = Client()
    live = anonymous.get("/health/live")
    ready = anonymous.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "problems": []})
    assert anonymous.get("/seizures/").status_code == 302  # everything else still asks to log in


def test_a_node_is_not_ready_until_its_schema_is_current(tmp_path: Path) -> None:
    node = ScratchNode(tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    port = _free_port()
    server = node.start(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-background"
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _get(f"http://127.0.0.1:{port}/health/live") == (200, {"status": "ok"})
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        assert _get(f"http://127.0.0.1:{port}/health/ready") == (
            503,
            {"status": "not ready", "problems": ["migrations"]},
        )
        node.run("migrate", "--no-input")
        assert _get(f"http://127.0.0.1:{port}/health/ready") == (200, {"status": "ready", "problems": []})
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_deployment_check_says_what_to_do(tmp_path: Path) -> None:
    node = ScratchNode(tmp_path, f"sqlite:///{tmp_path / 'node.sqlite3'}")
    assert node.run("check").returncode == 0  # the configuration itself is sound
    result = node.run("check", "--deploy", check=False)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "✓ debug mode is off" in lines
    assert any(line.startswith("✗ the database schema is current: run `kordon migrate`") for line in lines)
    assert any(line.startswith("✗ cookies and redirects for HTTPS") for line in lines)
    assert "thing(s) to do" in result.stderr
    node.run("migrate", "--no-input")
    after = node.run("check", "--deploy", check=False).stdout.splitlines()
    assert "✓ the database schema is current" in after


def test_log_lines_are_json_with_the_request_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kordon.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with action_context(client_address="203.0.113.7") as context:
            logger.warning("import of %s rejected %d rows", "seizures.csv", 3)
        logger.error("outside a request")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "import of seizures.csv rejected 3 rows" and first["level"] == "WARNING"
    assert (first["request_id"], first["client"]) == (context.request_id, "203.0.113.7")
    assert "request_id" not in second


def test_a_production_node_passes_the_check(scratch_node: ScratchNode) -> None:
    scratch_node.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' setting, not a node's
    scratch_node.env.update(
        KORDON_HTTPS="true",
        KORDON_ALLOWED_HOSTS="kordon.dcs.gov.kg",
        KORDON_SECRET_KEY="a-production-secret-of-more-than-fifty-characters-0123456789abcdef",
    )
    scratch_node.run("collectstatic", "--no-input", "--verbosity", "0")
    result = scratch_node.run("check", "--deploy", "--audit", check=False)
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    if connection.vendor == "postgresql":
        assert (result.returncode, failed) == (0, []), result.stdout + result.stderr
        assert "The node is ready" in result.stdout
    else:  # everything but the database a production node needs
        assert failed == [
            "✗ PostgreSQL is the database: set KORDON_DATABASE_URL to a PostgreSQL database (SQLite is for one computer)"
        ]
