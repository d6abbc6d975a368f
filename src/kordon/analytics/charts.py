"""Charts and maps drawn on the node (matplotlib, SVG or PNG), the same for the dashboard, the
pivot explorer and the bulletin: nothing is fetched from elsewhere and a chart in a report is
exactly the chart on the screen."""

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from kordon.analytics.boundaries import countries

matplotlib.rcParams.update({
    "font.family": "DejaVu Sans",  # ships with matplotlib and covers Cyrillic
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "kordon",  # the same chart gives the same file
    "axes.spines.top": False,
    "axes.spines.right": False,
})  # fmt: skip

COLOUR = "#0d6efd"
SERIES_COLOURS = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997", "#6c757d", "#ffc107"]
# The region the maps show: Central Asia with Afghanistan and the neighbours its routes reach.
REGION = (44.0, 89.0, 29.0, 56.0)  # west, east, south, north
SHORT_LABEL = 16  # characters: a month ("September 2013") or a year is short


@dataclass(frozen=True)
class MapPoint:
    longitude: float
    latitude: float
    value: float
    label: str


@dataclass(frozen=True)
class Flow:
    route: tuple[str, ...]  # ISO numeric codes of the countries in travel order
    value: float


@cache
def _region_rings(region: tuple[float, float, float, float]) -> list[tuple[str, list[tuple[float, float]]]]:
    """The outer rings of the countries in `region`, framed and thinned once per process."""
    west, east, south, north = region
    rings = []
    for numeric, shape in countries().items():
        for polygon in shape.polygons:
            outer = _framed(polygon[0], (west - 1, east + 1, south - 1, north + 1))
            if len(outer) >= 3:
                rings.append((numeric, outer))
    return rings


def _framed(
    ring: list[tuple[float, float]], frame: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """The ring pressed into the frame and thinned to what shows at this scale. Points outside
    are moved to the frame's edge, which draws the same inside it; Russia and China would
    otherwise put half a megabyte of coastline into every map."""
    west, east, south, north = frame
    kept: list[tuple[float, float]] = []
    for x, y in ring:
        point = (min(max(x, west), east), min(max(y, south), north))
        if not kept or abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) > 0.12:
            kept.append(point)
    inside = any(west < x < east and south < y < north for x, y in kept)
    return kept if inside else []


def _arrow_head(
    start: tuple[float, float], end: tuple[float, float], stretch: float
) -> list[tuple[float, float]]:
    """A triangle pointing at `end` along the line from `start`, in degrees, drawn on axes whose
    latitudes are stretched by `stretch` (worked out in the stretched plane, so it is not skewed)."""
    length, half_width = 1.1, 0.4  # degrees of longitude
    dx, dy = end[0] - start[0], (end[1] - start[1]) * stretch
    norm = math.hypot(dx, dy) or 1
    ux, uy = dx / norm, dy / norm
    base_x, base_y = end[0] - length * ux, end[1] * stretch - length * uy
    return [
        end,
        (base_x - half_width * uy, (base_y + half_width * ux) / stretch),
        (base_x + half_width * uy, (base_y - half_width * ux) / stretch),
    ]


def _render(figure: Figure, image_format: str, *, tight: bool = True, dpi: int = 150) -> bytes:
    """The figure as PNG or SVG; `tight`: cropped to what is drawn, which costs a second drawing."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image_format, bbox_inches="tight" if tight else None, dpi=dpi,
                   metadata={"Date": None} if image_format == "svg" else None)  # fmt: skip
    return buffer.getvalue()


def columns(
    labels: Sequence[str], series: Mapping[str, Sequence[float]], unit: str, image_format: str = "svg"
) -> bytes:
    """Vertical bars over `labels` (months, years); several series side by side."""
    # A Figure of its own, not pyplot's: nothing global to keep track of or to close.
    figure = Figure(figsize=(7.5, 2.8))
    axes = figure.subplots()
    count = max(1, len(series))
    width = 0.8 / count
    for number, (name, values) in enumerate(series.items()):
        positions = [index + (number - (count - 1) / 2) * width for index in range(len(labels))]
        axes.bar(
            positions, values, width=width, label=name, color=SERIES_COLOURS[number % len(SERIES_COLOURS)]
        )
    axes.set_xticks(
        range(len(labels)),
        labels,
        rotation=45 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
    )
    axes.set_ylabel(unit)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)  # 800000, not "8 × 1e5"
    if count > 1:
        axes.legend(frameon=False, fontsize=8, ncols=min(count, 4))
    # Short labels (months, years) fit in fixed margins; cropping to what is drawn would draw the
    # chart twice (133 ms instead of 87 for a year of months). Longer labels are cropped.
    longest = max((len(label) for label in labels), default=0)
    if longest > SHORT_LABEL:
        return _render(figure, image_format)
    # A label turned by 45° reaches down about a sixtieth of the chart's height per character.
    figure.subplots_adjust(
        left=0.12, right=0.99, top=0.96, bottom=0.1 + longest / 60 if len(labels) > 6 else 0.14
    )
    return _render(figure, image_format, tight=False)


def data_uri(image: bytes, media_type: str = "image/svg+xml") -> str:
    """A chart inside a page or a bulletin: an image, so it runs nothing and needs no inline style."""
    return f"data:{media_type};base64," + base64.b64encode(image).decode()


def region_map(
    points: Sequence[MapPoint],
    by_country: dict[str, float],
    flows: Sequence[Flow],
    unit: str,
    image_format: str = "svg",
    dpi: int = 150,
) -> bytes:
    """Country borders, countries shaded by `by_country` (ISO numeric → value), a circle per
    place sized by its value, and route lines whose width follows the seizures on them."""
    west, east, south, north = REGION
    shapes = countries()
    # Plate carrée, stretched by the latitude in the middle so the region keeps its proportions;
    # the figure has the map's own proportions, so the map fills it.
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    height = 4.6
    figure = Figure(figsize=(height * (east - west) / ((north - south) * stretch), height))
    axes = figure.subplots()
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    axes.set_aspect(stretch)
    axes.set_axis_off()
    shade = Normalize(vmin=0, vmax=max(by_country.values(), default=0) or 1)
    colours = matplotlib.colormaps["Blues"]
    polygons, fills = [], []
    for numeric, outer in _region_rings(REGION):
        polygons.append(outer)
        value = by_country.get(numeric)
        fills.append(colours(0.15 + 0.75 * shade(value)) if value else "#f4f4f4")
    axes.add_collection(PolyCollection(polygons, facecolors=fills, edgecolors="#888888", linewidths=0.4))
    # Each kind of mark as one collection: drawn at once, not artist by artist (an arrow drawn as
    # an annotation cost as much as the rest of the map).
    widest = max((flow.value for flow in flows), default=0) or 1
    lines, widths, heads = [], [], []
    for flow in flows:
        stops = [shapes[numeric].centre for numeric in flow.route if numeric in shapes]
        if len(stops) > 1:
            lines.append(stops)
            widths.append(0.8 + 5 * flow.value / widest)
            heads.append(_arrow_head(stops[-2], stops[-1], stretch))
    axes.add_collection(LineCollection(lines, linewidths=widths, colors="#dc3545", alpha=0.6, capstyle="round",
                                       zorder=3))  # fmt: skip
    axes.add_collection(PolyCollection(heads, facecolors="#dc3545", edgecolors="none", alpha=0.8, zorder=3))
    largest = max((point.value for point in points), default=0) or 1
    if points:
        axes.scatter([point.longitude for point in points], [point.latitude for point in points],
                     s=[20 + 600 * point.value / largest for point in points], color="#fd7e14", alpha=0.7,
                     edgecolors="white", linewidths=0.6, zorder=4)  # fmt: skip
    for point in sorted(points, key=lambda item: -item.value)[:8]:
        axes.annotate(point.label, (point.longitude, point.latitude), xytext=(4, 4), textcoords="offset points",
                      fontsize=7, zorder=5)  # fmt: skip
    axes.text(west + 0.3, south + 0.3, f"● {unit}", fontsize=7, color="#555555")
    # The map fills the figure (no axes to make room for), so it needs no cropping.
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return _render(figure, image_format, tight=False, dpi=dpi)
