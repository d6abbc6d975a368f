"""A border post loses its connection: the officer still opens the seizure form, the inbox and an
alert, acknowledges the alert and enters a seizure, and both are sent by themselves when the node
answers again. One the node refuses (its
reference was recorded meanwhile) stays on the page of kept forms with the reason."""

import contextlib
import datetime
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from kordon.browser import page_reaching, screenshot
from kordon.core.models import Unit, User
from kordon.exchange.services import AlertData, alert_send
from kordon.seizures.models import Seizure, Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create
from kordon.seizures.tests.test_browser import log_in, select_containing

pytestmark = pytest.mark.browser


class Link:
    """The post's connection to the node: a TCP relay to the test server that can be cut (every
    open connection dropped, new ones refused) and restored on the same address."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._serve()

    def _serve(self) -> None:
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
                node = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                return
            self.sockets += [client, node]
            for source, sink in ((client, node), (node, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()

    def cut(self) -> None:
        # A shutdown, not only a close: it wakes the thread waiting in accept(), which would
        # otherwise keep taking connections.
        for end in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):  # already closed
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        self.sockets.clear()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self._serve()


@pytest.fixture
def post(browser: Browser, live_server: Any) -> Iterator[tuple[Page, Link]]:
    """A browser at the post, reaching the node only through its link (and nothing else)."""
    link = Link(int(live_server.url.rsplit(":", 1)[1]))
    try:
        with page_reaching(browser, f"http://127.0.0.1:{link.port}") as page:
            yield page, link
    finally:
        link.cut()


def _wait_until_kept(page: Page, path: str) -> None:
    """The service worker is in charge of the page and holds a copy of `path`."""
    deadline = time.monotonic() + 30
    script = f"""async () => navigator.serviceWorker.controller !== null
        && Boolean(await (await caches.open("kordon-pages")).match({path!r}))"""
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"the service worker did not keep {path}"
        time.sleep(0.2)


def _enter_seizure(page: Page, reference: str) -> None:
    page.fill("#id_reference", reference)
    page.fill("#id_occurred_on", "2013-03-12")
    page.select_option("#id_country", "KG")
    select_containing(page, "#id_items-0-substance", "Героин")
    page.fill("#id_items-0-quantity", "3,5")
    page.click("button:text('Сохранить')")


def test_a_seizure_entered_while_the_node_is_away_is_sent_when_it_answers(
    post: tuple[Page, Link], transactional_world: Any
) -> None:
    page, link = post
    base = f"http://127.0.0.1:{link.port}"
    look_out = alert_send(
        actor=User.objects.get(username="kg.analyst"),
        sender_unit_id=Unit.objects.get(code="kg-dcs-analysis").pk,
        recipient_unit_ids=[Unit.objects.get(code="kg-dcs-blo-dostuk").pk],
        data=AlertData(
            subject_kind="vehicle", title="Truck 01KG123ABC", valid_until=datetime.date(2099, 1, 1)
        ),
    )
    log_in(page, base, "kg.blo.dostuk")
    page.goto(f"{base}/seizures/new/")
    _wait_until_kept(page, "/seizures/new/")
    _wait_until_kept(page, "/exchange/")
    page.goto(f"{base}/exchange/alerts/{look_out.pk}/")  # opened once: kept for the post
    _wait_until_kept(page, f"/exchange/alerts/{look_out.pk}/")

    link.cut()
    try:
        page.goto(f"{base}/exchange/")
        expect(page.locator("#offline-banner")).to_be_visible()
        page.goto(f"{base}/exchange/alerts/{look_out.pk}/")
        expect(page.locator("h1")).to_contain_text(look_out.reference)
        page.click("form[action$='/acknowledge/'] button")
        expect(page.locator("#offline-kept")).to_be_visible()
        page.goto(f"{base}/seizures/new/")
        expect(page.locator("#offline-banner")).to_be_visible()
        _enter_seizure(page, "KG-POST-OFFLINE-1")
        expect(page.locator("#offline-kept")).to_be_visible()
        expect(page.locator("#offline-forms > li")).to_have_count(2)
        expect(page.locator("#offline-forms > li").last).to_contain_text("KG-POST-OFFLINE-1")
        page.goto(f"{base}/seizures/new/")
        _enter_seizure(page, "KG-TAKEN")
        expect(page.locator("#offline-forms > li")).to_have_count(3)
        expect(page.locator("#offline-waiting")).to_contain_text("3")
        assert not Seizure.objects.filter(reference="KG-POST-OFFLINE-1").exists()
        # Meanwhile a colleague at the node records a seizure under the same reference.
        seizure_create(
            actor=User.objects.get(username="kg.supervisor"),
            owner_unit_id=Unit.objects.get(code="kg-dcs-blo-dostuk").pk,
            data=SeizureData(
                reference="KG-TAKEN",
                occurred_on=datetime.date(2013, 3, 12),
                country_id="KG",
                items=[ItemData(Substance.objects.get(code="heroin").pk, Decimal("1"), "kg")],
            ),
        )
    finally:
        link.restore()

    page.goto(f"{base}/offline/")
    # The first is sent as the officer who wrote it; the second is refused, with the node's reason.
    expect(page.locator("#offline-forms > li")).to_have_count(1)
    refused = page.locator("#offline-forms > li").first
    expect(refused).to_contain_text("KG-TAKEN")
    expect(refused.locator(".offline-refused li")).not_to_have_count(0)
    refused.locator("details summary").click()
    # What was entered, as the form named it: the substance by its name, not its number.
    expect(refused.locator("details")).to_contain_text("Героин")
    expect(refused.locator("details")).not_to_contain_text("items-0-substance")
    screenshot(page, "offline-queue")
    seizure = Seizure.objects.get(reference="KG-POST-OFFLINE-1")
    assert seizure.created_by.username == "kg.blo.dostuk"
    assert seizure.items.get().quantity_kg == 3.5
    assert Seizure.objects.filter(reference="KG-TAKEN").count() == 1
    look_out.refresh_from_db()
    assert look_out.state == "acknowledged" and look_out.acknowledged_by.username == "kg.blo.dostuk"

    page.once("dialog", lambda dialog: dialog.accept())
    refused.locator("button").click()
    expect(page.locator("#offline-none")).to_be_visible()
