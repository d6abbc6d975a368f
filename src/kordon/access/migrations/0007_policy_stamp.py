"""The policy stamp (models.PolicyStamp) and the triggers that change it with every change to
what a user's scope is made of."""

from typing import Any

from django.db import migrations, models

# The tables policy.scope_for reads. A new unit has no members yet, so only its changes count.
WATCHED = {
    "core_membership": ("INSERT", "UPDATE", "DELETE"),
    "core_unit": ("UPDATE", "DELETE"),
    "access_sharingagreement": ("INSERT", "UPDATE", "DELETE"),
    "access_sharingagreement_parties": ("INSERT", "UPDATE", "DELETE"),
    "access_sharinggroup": ("INSERT", "UPDATE", "DELETE"),
    "access_sharinggroup_units": ("INSERT", "UPDATE", "DELETE"),
    "access_sharinggroup_agencies": ("INSERT", "UPDATE", "DELETE"),
}

# A random 64-bit integer in each database.
RANDOM = {"sqlite": "random()", "postgresql": "(random() * 9e18 - 4.5e18)::bigint"}

SQLITE = [
    f"CREATE TRIGGER {table}_{operation.lower()}_restamp AFTER {operation} ON {table} BEGIN "  # noqa: S608 (our own table names)
    f"INSERT OR REPLACE INTO access_policystamp (id, stamp) VALUES (1, {RANDOM['sqlite']}); END"
    for table, operations in WATCHED.items()
    for operation in operations
]

# Once per statement: an import or a demo that writes many rows changes the stamp once.
POSTGRESQL = [
    f"""CREATE FUNCTION access_restamp_policy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO access_policystamp (id, stamp) VALUES (1, {RANDOM["postgresql"]})
        ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
        RETURN NULL;
    END $$""",  # noqa: S608 (no outside value)
    *(
        f"CREATE TRIGGER {table}_restamp AFTER {' OR '.join(operations)} OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION access_restamp_policy()"
        for table, operations in WATCHED.items()
    ),
]


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)
    schema_editor.execute(f"INSERT INTO access_policystamp (id, stamp) VALUES (1, {RANDOM[vendor]})")  # noqa: S608


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in WATCHED:
            schema_editor.execute(f"DROP TRIGGER {table}_restamp ON {table}")
        schema_editor.execute("DROP FUNCTION access_restamp_policy()")
    else:
        for table, operations in WATCHED.items():
            for operation in operations:
                schema_editor.execute(f"DROP TRIGGER {table}_{operation.lower()}_restamp")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0006_token_scopes_and_expiry"),
        ("core", "0002_alter_agency_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="PolicyStamp",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("stamp", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
