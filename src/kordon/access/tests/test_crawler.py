"""The crawler: every persona walks every page it can reach from the home page, following links,
htmx requests and images, and no page may fail, show a record the persona may not see, or carry
markup that someone typed into a record (stored cross-site scripting).

The records are the leak suite's (test_sharing_leaks): seizures, alerts and requests owned by the
Kyrgyz BLO at Dostuk under every kind of marking and agreement, each with a unique reference
LEAK-<name>. A page that names a record outside the persona's set is a leak, wherever it is: in a
list, a count, an autocomplete, a chart's data, an export or an error message.
"""

import html
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
from django.test import Client

from kordon.access.context import action_context
from kordon.access.markings import Distribution, Tlp
from kordon.access.tests.test_sharing_leaks import (  # noqa: F401
    ALERTS,
    PERSONAS,
    REQUESTS,
    SEIZURES,
    WITH_A_UNIT,
    expected,
    shared,
)
from kordon.entities.services import EntityData, entity_create

LINK = re.compile(r'(?:href|hx-get|src)="([^"#:]+)"')  # no scheme: this node's own pages
# Not pages: leaving, switching language, Django's admin (the node administrator's own tool, which
# shows everything by design), static files and the log-in page.
SKIPPED = ("/logout/", "/i18n/", "/admin/", "/static/", "/login/")
PAGES_PER_PATTERN = 2  # /seizures/12/ and /seizures/13/ are the same page for the crawler
TEXT_TYPES = ("text/", "application/json", "image/svg")


def pattern_of(url: str) -> str:
    """The page a URL shows, numbers aside: /exchange/?box=sent and ?box=inbox are two pages,
    /seizures/12/ and /seizures/13/ one."""
    return re.sub(r"\d+", "N", url)


def crawl(client: Client, start: list[str]) -> Iterator[tuple[str, Any]]:
    queue, seen, per_pattern = list(start), set(), Counter[str]()
    while queue:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIPPED) or per_pattern[pattern_of(url)] >= PAGES_PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[pattern_of(url)] += 1
        response = client.get(url)
        yield url, response
        if response.get("Content-Type", "").startswith("text/html"):
            links = (urljoin(url, html.unescape(link)) for link in LINK.findall(body_of(response).decode()))
            queue.extend(link for link in links if link.startswith("/"))


def body_of(response: Any) -> bytes:
    """The whole body; exports stream theirs."""
    if getattr(response, "streaming", False):
        if not hasattr(response, "_crawled"):
            response._crawled = b"".join(response.streaming_content)
        return bytes(response._crawled)
    return bytes(response.content)


def names_in(text: str, table: dict[str, Any]) -> set[str]:
    return {name for name in table if re.search(rf"LEAK-{re.escape(name)}(?![-\w])", text)}


# Typed into every text field of a record that everyone with a unit may see. Escaped, it shows as
# text; unescaped anywhere in a page, it would run.
PAYLOAD = '<script>alert("kordon-xss")</script><img src=x onerror=alert(2)>'
RAW = ('<script>alert("kordon-xss")', "<img src=x onerror")


@pytest.fixture
def hostile(world: Any, make_seizure: Any) -> list[str]:
    """Records full of markup; the pages that show them, to start the crawl from."""
    everyone = {"distribution": Distribution.ALL, "tlp": Tlp.GREEN}
    seizure = make_seizure(
        "kg-dcs-blo-dostuk",
        reference="XSS-1",
        narrative=PAYLOAD,
        concealment_details=PAYLOAD,
        place_description=PAYLOAD,
        **everyone,
    )
    with action_context(client_address="test"):
        person = entity_create(
            actor=world.user("kg.blo.dostuk"),
            unit_id=world.unit("kg-dcs-blo-dostuk").pk,
            data=EntityData(kind="person", name=PAYLOAD, alt_names=[PAYLOAD], notes=PAYLOAD, **everyone),
        )
    return [f"/seizures/{seizure.pk}/", f"/entities/{person.pk}/", f"/entities/{person.pk}/chart/"]


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_a_persona_reaches_works_and_leaks_nothing(
    world: Any,
    shared: dict[str, Any],  # noqa: F811
    hostile: list[str],
    username: str,
) -> None:
    tables = (SEIZURES, ALERTS, REQUESTS)
    allowed = set().union(*(expected(table, username) for table in tables))
    failures, leaks, markup, shown, visited, escaped = [], [], [], set(), 0, False
    for url, response in crawl(world.client(username), ["/", *hostile]):
        visited += 1
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        content_type = response.get("Content-Type", "")
        if content_type.startswith(TEXT_TYPES):
            text = body_of(response).decode(errors="replace")
            if content_type.startswith(("text/html", "image/svg")):
                markup.extend(url for raw in RAW if raw in text)
                escaped = escaped or "&lt;script&gt;alert(" in text
            found = set().union(*(names_in(text, table) for table in tables))
            leaks.extend((url, name) for name in found - allowed)
            shown |= found
    assert failures == []
    assert leaks == []
    assert markup == []
    assert escaped == (username in WITH_A_UNIT)  # the markup was shown, as text, to all who may see it
    assert visited > 40  # the crawler got past the home page
    # The crawl reached the records: every seizure the persona may see, in the list or beyond.
    # (Alerts and requests are listed by the units that sent or received them; an analyst who may
    # read another unit's alert finds it through the seizure it led to, not in a box of their own.)
    seizures = expected(SEIZURES, username)
    assert seizures <= shown, sorted(seizures - shown)
