"""SQLite rebuilds a table to add a JSON column (its JSON_VALID check), and a rebuilt table loses
its triggers: seizures 0005 (an item's value, currency and details) took the change log's
triggers on seizure items with it. Put them back on SQLite; PostgreSQL adds the columns in place
and keeps its triggers. A later migration that rebuilds a watched table on SQLite must do the same."""

import importlib
from typing import Any

from django.db import migrations

changes = importlib.import_module("kordon.analytics.migrations.0003_seizure_changes")


def recreate_sqlite_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        return
    for table, _column in changes.WATCHED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_updated")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_deleted")
    for sql in changes.SQLITE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_seizure_changes"),
        ("seizures", "0005_commodity_families"),
    ]

    operations = [migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop)]
