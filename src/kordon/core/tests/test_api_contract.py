"""The OpenAPI document is the API's contract: two schemas of one name would silently become one
(django-ninja names a component by its class), and responses would then be described wrongly."""

from collections import defaultdict

from ninja import Schema

import kordon.config.api  # noqa: F401  (imports every module's API and its schemas)


def _schemas(base: type) -> list[type]:
    found = []
    for child in base.__subclasses__():
        found.append(child)
        found.extend(_schemas(child))
    return found


def test_every_api_schema_has_its_own_name() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for schema in _schemas(Schema):
        if schema.__module__.startswith("kordon."):
            names[schema.__name__].add(schema.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
