"""The pivot explorer: the table, saving it, and taking it away as CSV or XLSX."""

import csv
import io
from typing import Any

from openpyxl import load_workbook

from kordon.access.models import AuditEntry
from kordon.analytics.models import SavedPivot
from kordon.seizures.models import Seizure

QUERY = "measure=kilograms&rows=year&columns=substance_group&period=2012-01..2013-12"


def test_the_table_crosses_two_dimensions(world: Any, seized: dict[str, Seizure]) -> None:
    html = world.client("kg.analyst").get(f"/analytics/pivot/?{QUERY}").content.decode()
    assert 'id="pivot"' in html, html[-3000:]
    assert 'id="pivot-total">7.5<' in html


def test_exports_carry_the_same_figures(world: Any, seized: dict[str, Seizure]) -> None:
    client = world.client("kg.analyst")
    text = client.get(f"/analytics/pivot/export.csv?{QUERY}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = next(row for row in rows if row and "\\" in row[0])
    body = {row[0]: row[1:] for row in rows[rows.index(header) + 1 :]}
    assert sorted(body) == ["2012", "2013"]
    workbook = load_workbook(io.BytesIO(client.get(f"/analytics/pivot/export.xlsx?{QUERY}").content))
    values = [
        cell
        for row in workbook.active.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, int | float)
    ]
    assert sorted(values) == [0, 1, 3, 3.5]  # 2012 had no cannabis: 0, not a gap
    assert AuditEntry.objects.filter(action="export", object_type="analytics.pivot").count() == 2


def test_a_saved_table_belongs_to_its_analyst(world: Any, seized: dict[str, Seizure]) -> None:
    client = world.client("kg.analyst")
    client.post("/analytics/pivot/", {"name": "Heroin by year", "query": QUERY})
    saved = SavedPivot.objects.get(name="Heroin by year")
    assert saved.owner.username == "kg.analyst" and saved.query == QUERY
    assert "Heroin by year" in client.get("/analytics/pivot/").content.decode()
    assert "Heroin by year" not in world.client("kz.analyst").get("/analytics/pivot/").content.decode()
    assert world.client("kz.analyst").post(f"/analytics/pivot/{saved.pk}/delete/").status_code == 404
    client.post(f"/analytics/pivot/{saved.pk}/delete/")
    assert not SavedPivot.objects.filter(pk=saved.pk).exists()
    assert (
        AuditEntry.objects.filter(object_type__endswith="savedpivot", action__in=["create", "delete"]).count()
        == 2
    )
