"""The dashboard's panels over HTTP: the figures, and links that lead to exactly the seizures
behind each figure."""

import datetime
import re
from decimal import Decimal
from html import unescape
from typing import Any

from kordon.access.models import AuditEntry
from kordon.analytics.views import PANELS
from kordon.seizures.models import Seizure


def _panel(client: Any, panel: str, query: str = "period=2013") -> str:
    response = client.get(f"/analytics/panels/{panel}/?{query}")
    assert response.status_code == 200, panel
    return response.content.decode()


def _listed(client: Any, link: str) -> set[str]:
    page = client.get(unescape(link)).content.decode()
    return set(re.findall(r'href="/seizures/\d+/">([^<]+)</a>', page))


def test_every_panel_answers_and_the_page_loads_them(world: Any, seized: dict[str, Seizure]) -> None:
    client = world.client("kg.analyst")
    page = client.get("/analytics/?period=2013").content.decode()
    assert all(f'id="panel-{panel}"' in page for panel in PANELS)
    # The years with seizures the analyst may count, each a link to that year (the Uzbek seizures stay hidden).
    years = re.search(r'id="years">(.*?)</p>', page, re.S)
    assert years and re.findall(r">(\d{4})</a>", years.group(1)) == ["2012", "2013"]
    # Without a period, the dashboard shows the last year with seizures.
    assert 'placeholder="2013"' in client.get("/analytics/").content.decode()
    for panel in PANELS:
        _panel(client, panel)


def test_the_headline_compares_with_the_year_before(world: Any, seized: dict[str, Seizure]) -> None:
    html = _panel(world.client("kg.analyst"), "headline", "period=2013")
    assert 'data-value="4' in html  # 3 kg heroin + 1 kg hashish in 2013
    assert 'data-change="14"' in html  # from 3.5 kg in 2012
    assert "120" in html  # the tramadol tablets, apart from the kilograms


def test_the_headline_counts_drugs_and_names_other_goods_beside(world: Any, seized: dict[str, Seizure],
                                                                make_seizure: Any) -> None:  # fmt: skip
    """500 kg of acetic anhydride must not swamp 4 kg of drugs: the headline's kilograms are drugs,
    the chemicals are named beside them, and the figure's link lists the drug seizures only."""
    client = world.client("kg.analyst")
    assert "beside-drugs" not in _panel(client, "headline", "period=2013")  # drugs only, so far
    chemicals = make_seizure("kg-dcs-blo-dostuk", occurred_on=datetime.date(2013, 7, 1), substance="acetic-anhydride",
                             quantity="500")  # fmt: skip
    html = _panel(client, "headline", "period=2013")
    kilograms = re.search(r'data-measure="kilograms">.*?<a href="([^"]+)" data-value="([^"]+)"', html, re.S)
    assert kilograms and Decimal(kilograms.group(2)) == 4
    assert "Kilograms of drugs seized" in html
    beside = re.search(r'id="beside-drugs">(.*?)</p>', html, re.S)
    assert beside and "precursors and chemicals 500" in beside.group(1)
    listed = _listed(client, kilograms.group(1))
    assert seized["MIX2013"].reference in listed and chemicals.reference not in listed
    # Asked for precursors, the headline counts exactly them, with nothing beside.
    narrowed = _panel(client, "headline", "period=2013&family=precursors")
    assert re.search(r'data-measure="kilograms">.*?data-value="500', narrowed, re.S)
    assert "beside-drugs" not in narrowed and "Kilograms of drugs seized" not in narrowed


def test_a_figure_leads_to_the_seizures_behind_it(world: Any, seized: dict[str, Seizure]) -> None:
    client = world.client("kg.analyst")
    html = _panel(client, "transport_mode", "period=2012")
    rail = re.search(r'<a href="([^"]+transport_mode=rail[^"]*)">(\d+)</a>', html)
    assert rail and rail.group(2) == "1"
    assert _listed(client, rail.group(1)) == {seized["H2012B"].reference}
    trend = _panel(client, "trend", "period=2012")
    links = re.findall(r'<a href="([^"]+)">(\d+)</a>', trend)
    assert sum(int(count) for _link, count in links) == 2
    assert set().union(*(_listed(client, link) for link, _count in links)) == {
        seized["H2012A"].reference, seized["H2012B"].reference}  # fmt: skip
    # A column for every month of the year, as high as its kilograms beside the largest month's:
    # 2 kg in March, 1.5 kg in August, none in January.
    columns = dict(re.findall(r'title="([^":]+): [^"]*"><span style="height: (\d+)%"', trend))
    assert len(columns) == 12
    assert (columns["March 2012"], columns["August 2012"], columns["January 2012"]) == ("100", "75", "0")


def test_a_person_without_a_unit_sees_no_figures(world: Any, seized: dict[str, Seizure]) -> None:
    html = _panel(world.client("outsider"), "headline")
    assert 'data-value="0"' in html


def test_the_map_is_taken_away_as_an_image_and_audited(world: Any, seized: dict[str, Seizure]) -> None:
    client = world.client("kg.analyst")
    png = client.get("/analytics/map.png?period=2013")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get("/analytics/map.svg?period=2013").content.lstrip().startswith(b"<?xml")
    assert AuditEntry.objects.filter(action="export", object_type="analytics.map").count() == 2
