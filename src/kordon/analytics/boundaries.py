"""Country boundaries for maps, from the `world-atlas` npm package (Natural Earth 1:50m, public
domain) that the node serves itself: maps work offline, with no tile server.

The file is TopoJSON: shared borders are stored once as delta-encoded, quantized arcs. Decoding it
takes the few lines below (the format is fixed and small); the Python TopoJSON packages bring
shapely and GEOS along for much more than this.
"""

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from django.conf import settings

Ring = list[tuple[float, float]]  # (longitude, latitude)


@dataclass(frozen=True)
class CountryShape:
    numeric: str  # ISO 3166-1 numeric, zero-padded, as world-atlas names its geometries
    name: str
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: outer ring, then holes

    @cached_property
    def centre(self) -> tuple[float, float]:
        """The middle of the largest outer ring's bounding box: where flow lines meet the country."""
        ring = max((polygon[0] for polygon in self.polygons), key=len)
        longitudes = [point[0] for point in ring]
        latitudes = [point[1] for point in ring]
        return (min(longitudes) + max(longitudes)) / 2, (min(latitudes) + max(latitudes)) / 2


def _arcs(topology: dict) -> list[Ring]:
    (scale_x, scale_y), (move_x, move_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        decoded.append(points)
    return decoded


def _ring(arcs: list[Ring], indexes: list[int]) -> Ring:
    ring: Ring = []
    for index in indexes:
        # A negative index ~i is arc i walked backwards; consecutive arcs share their end point.
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


@cache
def countries(path: Path | None = None) -> dict[str, CountryShape]:
    """Every country's shape by ISO numeric code, read once per process."""
    topology = json.loads((path or settings.KORDON_BOUNDARIES).read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        numeric = str(geometry.get("id", ""))
        shapes[numeric] = CountryShape(
            numeric=numeric,
            name=geometry.get("properties", {}).get("name", ""),
            polygons=tuple(tuple(_ring(arcs, ring) for ring in polygon) for polygon in polygons),
        )
    return shapes
