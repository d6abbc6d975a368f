"""Every change to a model comes with its migration: a node upgraded from the repository gets
exactly the schema the code expects."""

from io import StringIO
from typing import Any

from django.core.management import call_command


def test_every_model_change_has_its_migration(db: Any) -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as missing:  # makemigrations --check exits 1 when a migration is missing
        raise AssertionError(f"A model change has no migration:\n{out.getvalue()}") from missing
    assert "No changes detected" in out.getvalue()
