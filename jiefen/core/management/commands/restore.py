"""`jiefen restore DIR [--force]`: bring a backup back, verifying checksums before and row
counts after (see core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiefen.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = "Restore a backup made by `jiefen backup` (checksums verified before, row counts after)."

    def add_arguments(self, parser):
        parser.add_argument("dir")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")
        parser.add_argument("--verify-only", action="store_true", help="only check the backup's checksums")

    def handle(self, *args, dir: str, force: bool = False, verify_only: bool = False, **options):
        try:
            if verify_only:
                m = verify(Path(dir))
                self.stdout.write(f"{dir}: checksums match ({len(m['files']) + len(m['media'])} files)")
                return
            m = restore(Path(dir), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {len(m['tables'])} tables, {sum(m['tables'].values())} rows, {len(m['media'])} files "
            f"from {dir}; counts verified"
        )
