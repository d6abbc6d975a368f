"""The service worker's own terms: it keeps every static file a page loads (a file it missed would
leave the pages without it at a post with no connection), and it is served to look after the
whole node."""

import re
from pathlib import Path

import pytest
from django.test import Client

from kordon.core import offline

BASE = Path(offline.__file__).resolve().parents[1] / "templates" / "base.html"


def test_the_worker_keeps_every_static_file_the_pages_load() -> None:
    loaded = set(re.findall(r"{% static '([^']+)' %}", BASE.read_text()))
    assert loaded, "base.html names its static files with {% static %}"
    assert loaded <= set(offline.ASSETS), f"not kept for offline use: {sorted(loaded - set(offline.ASSETS))}"


@pytest.mark.django_db
def test_the_worker_is_served_for_the_whole_node_and_keeps_no_secret() -> None:
    response = Client().get("/offline/worker.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert '"/seizures/new/"' in body and "kordon-pages" in body
    assert "csrfmiddlewaretoken" not in body, "nobody's form token is in the worker"
    # The token the pages ask for before sending kept forms needs a log-in.
    assert Client().get("/offline/token").status_code == 302
