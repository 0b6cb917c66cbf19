"""The `zhiben` console script: the same as manage.py (`zhiben audit verify`, `zhiben seed-demo ...`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    from django.core.management import execute_from_command_line  # lazy: after the settings module is named

    argv = list(sys.argv)
    # `zhiben audit verify` reads better than `zhiben audit_verify`; hyphens map to the command names.
    if len(argv) > 2 and argv[1] == "audit":
        argv = [argv[0], f"audit_{argv[2]}", *argv[3:]]
    elif len(argv) > 1:
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
