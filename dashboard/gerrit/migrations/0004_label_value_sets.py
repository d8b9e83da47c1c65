# The label value bit sets on Change (see Change.cr_values), filled from the stored approvals.

from django.db import migrations, models

COLUMNS = {"Code-Review": "cr_values", "Verified": "verified_values", "Workflow": "workflow_values"}
BITS = " ".join(f"WHEN {value} THEN {1 << (value + 4)}" for value in (-4, -3, -2, -1, 1, 2, 3, 4))


def add_columns(apps, schema_editor):
    """Add the three columns without copying the table.

    Django's SQLite backend rebuilds a table to add a NOT NULL column, once per column;
    on a large history that is minutes of copying, while SQLite itself can add a column
    with a constant default in place.
    """
    Change = apps.get_model("gerrit", "Change")
    for column in COLUMNS.values():
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                f'ALTER TABLE "gerrit_change" ADD COLUMN "{column}" smallint NOT NULL DEFAULT 0'
            )
        else:
            field = models.SmallIntegerField(default=0)
            field.set_attributes_from_name(column)
            schema_editor.add_field(Change, field)


def fill_value_sets(apps, schema_editor):
    """One UPDATE per label: the OR of the bits of each change's current vote values."""
    for label, column in COLUMNS.items():
        schema_editor.execute(
            f'UPDATE "gerrit_change" SET "{column}" = COALESCE(('
            f"SELECT SUM(DISTINCT CASE value {BITS} ELSE 0 END) FROM gerrit_approval"
            f' WHERE gerrit_approval.change_id = "gerrit_change"."id" AND label = %s'
            f"), 0)",
            [label],
        )


class Migration(migrations.Migration):

    dependencies = [
        ("gerrit", "0003_core_history_inferred"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="change",
                    name=column,
                    field=models.SmallIntegerField(default=0),
                )
                for column in COLUMNS.values()
            ],
            database_operations=[migrations.RunPython(add_columns, migrations.RunPython.noop)],
        ),
        migrations.RunPython(fill_value_sets, migrations.RunPython.noop),
    ]
