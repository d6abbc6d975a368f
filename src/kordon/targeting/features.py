"""What the risk model sees of a declaration: a numeric matrix, built column by column.

The identifiers of traders (importer, declarant, shipper, courier) are not features: a model that
learns "importer QLRUBN9 cheats" from the training rows says nothing about a new importer, and the
KCS benchmark showed it ranks worse (docs/decisions.md). Trader history belongs in the risk
profiles, which compute it from earlier declarations only (targeting.rules).

Categorical columns are encoded with the vocabulary of the training data; a value never seen in
training becomes NaN, which LightGBM treats as missing.
"""

import datetime
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from kordon.targeting.declarations import Declaration

CATEGORICAL = (
    "office", "process_type", "import_type", "import_use", "payment_type", "transport_mode", "tax_type",
    "origin_indicator", "departure_country", "origin_country", "hs_code", "hs2", "hs4", "route_ports",
)  # fmt: skip
NUMERIC = (
    "tax_rate", "log_mass", "log_value", "log_unit_value", "month", "weekday", "origin_differs",
    "has_shipper", "has_courier",
)  # fmt: skip
FEATURES = CATEGORICAL + NUMERIC
# The declaration fields the features are made of.
RAW = (
    *(name for name in CATEGORICAL if name not in ("hs2", "hs4")), "tax_rate", "net_mass", "declared_value",
    "shipper", "courier",
)  # fmt: skip
# How a reason names a feature to an officer.
LABELS = {
    "office": _("customs office"), "process_type": _("process type"), "import_type": _("import type"),
    "import_use": _("import use"), "payment_type": _("payment type"), "transport_mode": _("transport mode"),
    "tax_type": _("tax type"), "origin_indicator": _("origin indicator"),
    "departure_country": _("country of departure"), "origin_country": _("country of origin"),
    "hs_code": _("HS code"), "hs2": _("HS chapter"), "hs4": _("HS heading"), "route_ports": _("route"),
    "tax_rate": _("tax rate"), "log_mass": _("net mass"), "log_value": _("declared value"),
    "log_unit_value": _("value per kg"), "month": _("month"), "weekday": _("day of the week"),
    "origin_differs": _("origin differs from departure"), "has_shipper": _("shipper given"),
    "has_courier": _("courier given"),
}  # fmt: skip

Columns = dict[str, list[Any]]


def columns_of(declarations: Sequence[Declaration]) -> Columns:
    """The declarations' raw values, column by column (with the HS chapter and heading)."""
    columns: Columns = {name: [declaration.fields.get(name) for declaration in declarations] for name in RAW}
    columns["declared_on"] = [declaration.declared_on for declaration in declarations]
    columns["hs2"] = [code[:2] for code in columns["hs_code"]]
    columns["hs4"] = [code[:4] for code in columns["hs_code"]]
    return columns


def vocabularies(columns: Columns) -> dict[str, dict[str, int]]:
    """Each categorical column's values in the training data, numbered in order of first sight."""
    return {
        name: {value: code for code, value in enumerate(dict.fromkeys(columns[name]))} for name in CATEGORICAL
    }


def _numbers(values: list[Any]) -> np.ndarray:
    return np.array(values, dtype=np.float64)  # None becomes NaN


def matrix(columns: Columns, vocabulary: dict[str, dict[str, int]]) -> np.ndarray:
    """One row per declaration, one column per FEATURES entry. Column-wise numpy throughout:
    scoring a day's declarations of a large port must not wait for Python loops."""
    rows = len(columns["hs_code"])
    out = np.empty((rows, len(FEATURES)), dtype=np.float64)
    for index, name in enumerate(CATEGORICAL):
        known = vocabulary[name]
        # map() with dict.get runs in C; None (a value unseen in training) becomes NaN, missing to LightGBM.
        out[:, index] = _numbers(list(map(known.get, columns[name])))
    base = len(CATEGORICAL)
    out[:, base] = _numbers(columns["tax_rate"])
    mass, value = np.log1p(_numbers(columns["net_mass"])), np.log1p(_numbers(columns["declared_value"]))
    out[:, base + 1] = mass
    out[:, base + 2] = value
    out[:, base + 3] = value - mass
    days = columns["declared_on"]
    out[:, base + 4] = np.fromiter(map(attrgetter("month"), days), dtype=np.float64, count=rows)
    out[:, base + 5] = np.fromiter(map(datetime.date.weekday, days), dtype=np.float64, count=rows)
    origin = np.array(columns["origin_country"], dtype=object)
    departure = np.array(columns["departure_country"], dtype=object)
    out[:, base + 6] = (origin != departure) & (origin != "") & (departure != "")
    out[:, base + 7] = _numbers(list(map(bool, columns["shipper"])))
    out[:, base + 8] = _numbers(list(map(bool, columns["courier"])))
    return out


def shown_value(columns: Columns, feature: str, row: int) -> str:
    """A feature's value for one declaration as the officer knows it (the HS code, not its number)."""
    if feature in CATEGORICAL:
        return str(columns[feature][row] or "—")
    raw = {
        "tax_rate": columns["tax_rate"][row],
        "log_mass": columns["net_mass"][row],
        "log_value": columns["declared_value"][row],
        "month": columns["declared_on"][row].month,
        "weekday": columns["declared_on"][row].isoweekday(),
    }
    if feature == "log_unit_value":
        mass, value = columns["net_mass"][row], columns["declared_value"][row]
        return f"{value / mass:,.2f}" if mass and value is not None else "—"
    if feature in raw:
        value = raw[feature]
        return "—" if value is None else (f"{value:,.2f}" if isinstance(value, float) else str(value))
    flags = {
        "origin_differs": ("origin_country", "departure_country"),
        "has_shipper": ("shipper",),
        "has_courier": ("courier",),
    }
    return " / ".join(str(columns[name][row] or "—") for name in flags[feature])
