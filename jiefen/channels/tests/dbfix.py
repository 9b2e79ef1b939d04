"""Serialized rollback that survives the transactional tests run before it.

A transactional test without serialized rollback ends with a flush that re-creates content
types and permissions (post_migrate) under new ids; the next test with serialized rollback
then fails to load the serialized copies (UNIQUE app_label, model). Dropping the re-created
ones first lets the originals go back in. Module-scoped, so it is active while the database
of the module's tests is set up, and gone after the module.
"""

import pytest


@pytest.fixture(scope="module", autouse=True)
def tolerant_serialized_rollback():
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize(self, data):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.using(self.connection.alias).all().delete()
        ContentType.objects.clear_cache()
        return original(self, data)

    BaseDatabaseCreation.deserialize_db_from_string = deserialize
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original
