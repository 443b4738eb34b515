"""Drop the varchar_pattern_ops index Django adds beside a CharField primary key on
PostgreSQL. Region lookups are equality and range queries, which the primary key serves;
the extra index only slowed the national load by about a second."""

from django.db import migrations

FIND = (
    "SELECT indexname FROM pg_indexes WHERE tablename = 'regions_region' "
    "AND indexdef LIKE '%varchar_pattern_ops%'"
)


def drop_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FIND)
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')


def recreate_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX regions_region_code_like ON regions_region (code varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(drop_pattern_index, recreate_pattern_index)]
