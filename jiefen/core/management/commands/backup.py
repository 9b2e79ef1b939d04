"""`jiefen backup DIR`: a verified backup of the database and the uploaded files (see core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiefen.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and media into DIR (new or empty) and verify counts and checksums."

    def add_arguments(self, parser):
        parser.add_argument("dir")

    def handle(self, *args, dir: str, **options):
        try:
            m = backup(Path(dir))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup of {m['engine']} in {dir}: {len(m['tables'])} tables, "
            f"{sum(m['tables'].values())} rows, {len(m['media'])} files; counts and checksums verified"
        )
