import os

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _private_sqlite_files(sender, connection, **kwargs) -> None:
    """SQLite creates its file with the process's umask (often world-readable): the database
    holds personal data, so it and its journal files are made readable by this user alone."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, f"{name}-wal", f"{name}-shm", f"{name}-journal"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:
            pass


class CoreConfig(AppConfig):
    name = "jiefen.core"
    label = "core"
    verbose_name = _("core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from jiefen.core.refcache import connect_signals

        connect_signals()
        connection_created.connect(_private_sqlite_files, dispatch_uid="jiefen-private-sqlite")
