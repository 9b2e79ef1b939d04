"""The `jiefen` console script: Django's management commands under the product's name.

`jiefen import-regions FILE` runs the management command `import_regions`; any dash in the
command name becomes an underscore.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings.local")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiefen", *argv[1:]])


if __name__ == "__main__":
    main()
