"""Request code must read records only through the restricted queryset.

Views, API endpoints, exports, selectors, forms, commands and tasks may use a record model's
manager only as `Model.objects.restrict(user, action)`. Services (which check access themselves
before writing), models, migrations, demo builders, the node's backup and tests are exempt.
"""

import ast
from pathlib import Path

from django.apps import apps

from kordon.access.models import MarkedRecord

PACKAGE = Path(__file__).resolve().parents[2]
# Modules that write, check access themselves, and are called only with an acting user. The import
# service (importing.py, and import_decisions.py which decides for it) looks up references within
# the importing unit's agency and asks the policy which of them the actor may change. A backup
# (core/backup.py) is the whole node, taken by the operator on the server: no user, no request.
EXEMPT_NAMES = {
    "backup.py",
    "models.py",
    "services.py",
    "importing.py",
    "import_decisions.py",
    "demo.py",
    "reference.py",
    "admin.py",
    "conftest.py",
}
EXEMPT_PARTS = {"migrations", "tests"}
# Node to node, with no user: what leaves goes through access.policy.node_filter (outgoing.py) or,
# for alerts and requests, the agreement test the policy applies to their recipients
# (messages.py); what arrives is written as the peer sent it (incoming.py, records.py,
# messages.py), checked against the peer.
EXEMPT_PATHS = {
    "federation/outgoing.py",
    "federation/incoming.py",
    "federation/records.py",
    "federation/messages.py",
}
FORBIDDEN_MANAGERS = {"_default_manager", "_base_manager"}
# The ways into a record model's manager that apply the policy.
RESTRICTING_METHODS = {"restrict", "for_statistics"}


def record_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if issubclass(model, MarkedRecord)}


def violations(source: str, records: set[str], filename: str = "<source>") -> list[str]:
    """Lines where a record model's manager is used without .restrict()."""
    tree = ast.parse(source, filename)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in FORBIDDEN_MANAGERS:
            found.append(f"{filename}:{node.lineno} uses {node.attr}")
            continue
        if node.attr != "objects" or not isinstance(node.value, ast.Name) or node.value.id not in records:
            continue
        parent = parents.get(node)
        if not (isinstance(parent, ast.Attribute) and parent.attr in RESTRICTING_METHODS):
            found.append(f"{filename}:{node.lineno} reads {node.value.id}.objects without .restrict()")
    return found


def request_code() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if path.name not in EXEMPT_NAMES
        and not EXEMPT_PARTS.intersection(path.relative_to(PACKAGE).parts)
        and str(path.relative_to(PACKAGE)) not in EXEMPT_PATHS
    ]


def test_the_lint_knows_the_record_models() -> None:
    assert "Seizure" in record_model_names()


def test_the_lint_catches_an_unrestricted_read() -> None:
    records = {"Seizure"}
    assert violations("Seizure.objects.filter(pk=1)", records)
    assert violations("Seizure.objects.all()", records)
    assert violations("model._default_manager.all()", records)
    assert violations("Seizure.objects.restrict(user).filter(pk=1)", records) == []
    assert violations("Seizure.objects.for_statistics(user).count()", records) == []
    assert violations("Country.objects.all()", records) == []


def test_request_code_reads_records_only_through_the_policy() -> None:
    records = record_model_names()
    files = request_code()
    assert any(path.name == "views.py" for path in files) and any(path.name == "api.py" for path in files)
    problems = [
        problem
        for path in files
        for problem in violations(path.read_text(encoding="utf-8"), records, str(path.relative_to(PACKAGE)))
    ]
    assert problems == []
