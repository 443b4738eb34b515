"""The `baolei` command: Django's management commands under the project's own name.

`baolei load-regions --only 420222` is `django-admin load_regions --only 420222` with the
settings already chosen, so operators never have to know about DJANGO_SETTINGS_MODULE.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baolei.settings")
    os.environ.setdefault("BAOLEI_AUDIT_CHANNEL", "command")
    if len(argv) > 1 and not argv[1].startswith("-"):
        # Operators type `load-regions`; Django's command modules are `load_regions`.
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
