"""The seizure change log, kept by triggers on the tables the analytics mirror copies, so that
every change reaches it whichever way it is made (services, bulk imports, the admin, SQL)."""

from typing import Any

from django.db import migrations, models

# (table, column naming the seizure) for every table the mirror copies that can change in place.
WATCHED = [
    ("seizures_seizure", "id"),
    ("seizures_seizureitem", "seizure_id"),
    ("exchange_alertseizure", "seizure_id"),
]

SQLITE = [
    sql
    for table, column in WATCHED
    for sql in (
        f"CREATE TRIGGER {table}_updated AFTER UPDATE ON {table} BEGIN "  # noqa: S608 (our own table names)
        f"INSERT INTO analytics_seizurechange (seizure_id) VALUES (OLD.{column}); "
        f"INSERT INTO analytics_seizurechange (seizure_id) SELECT NEW.{column} WHERE NEW.{column} <> OLD.{column}; "
        "END",
        f"CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} BEGIN "  # noqa: S608 (our own table names)
        f"INSERT INTO analytics_seizurechange (seizure_id) VALUES (OLD.{column}); END",
    )
]

POSTGRESQL = [
    """CREATE FUNCTION analytics_log_seizure_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        column_name text := TG_ARGV[0];
        old_id bigint := (to_jsonb(OLD) ->> column_name)::bigint;
    BEGIN
        INSERT INTO analytics_seizurechange (seizure_id) VALUES (old_id);
        IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) ->> column_name)::bigint <> old_id THEN
            INSERT INTO analytics_seizurechange (seizure_id) VALUES ((to_jsonb(NEW) ->> column_name)::bigint);
        END IF;
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER {table}_changed AFTER UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION analytics_log_seizure_change('{column}')"
        for table, column in WATCHED
    ),
]


def create_triggers(apps: Any, schema_editor: Any) -> None:
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table, _column in WATCHED:
            schema_editor.execute(f"DROP TRIGGER {table}_changed ON {table}")
        schema_editor.execute("DROP FUNCTION analytics_log_seizure_change()")
    else:
        for table, _column in WATCHED:
            schema_editor.execute(f"DROP TRIGGER {table}_updated")
            schema_editor.execute(f"DROP TRIGGER {table}_deleted")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_reference_figures"),
        ("seizures", "0004_policy_key_indexes"),
        ("exchange", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SeizureChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seizure_id", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
