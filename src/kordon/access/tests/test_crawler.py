"""The crawler: every persona walks every page it can reach from the home page, following links,
htmx requests and images, and no page may fail or show a record the persona may not see.

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

from kordon.access.tests.test_sharing_leaks import ALERTS, PERSONAS, REQUESTS, SEIZURES, expected, shared  # noqa: F401

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


def crawl(client: Client, start: str = "/") -> Iterator[tuple[str, Any]]:
    queue, seen, per_pattern = [start], set(), Counter[str]()
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


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_a_persona_reaches_works_and_leaks_nothing(
    world: Any,
    shared: dict[str, Any],  # noqa: F811
    username: str,
) -> None:
    tables = (SEIZURES, ALERTS, REQUESTS)
    allowed = set().union(*(expected(table, username) for table in tables))
    failures, leaks, shown, visited = [], [], set(), 0
    for url, response in crawl(world.client(username)):
        visited += 1
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        if response.get("Content-Type", "").startswith(TEXT_TYPES):
            text = body_of(response).decode(errors="replace")
            found = set().union(*(names_in(text, table) for table in tables))
            leaks.extend((url, name) for name in found - allowed)
            shown |= found
    assert failures == []
    assert leaks == []
    assert visited > 40  # the crawler got past the home page
    # The crawl reached the records: every seizure the persona may see, in the list or beyond.
    # (Alerts and requests are listed by the units that sent or received them; an analyst who may
    # read another unit's alert finds it through the seizure it led to, not in a box of their own.)
    seizures = expected(SEIZURES, username)
    assert seizures <= shown, sorted(seizures - shown)
