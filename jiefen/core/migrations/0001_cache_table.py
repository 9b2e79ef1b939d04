"""The table of Django's database cache (settings.CACHES without REDIS_URL): rate limits and
counters that every worker process shares. Created whatever the cache setting, so that a
deployment can drop Redis later without a manual `createcachetable`."""

from django.db import migrations

TABLE = "jiefen_cache"


def create(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
