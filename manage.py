#!/usr/bin/env python
import os
import sys
from pathlib import Path


def read_local_settings():
    """Environment variables for commands typed in this checkout, from `.env` (which `make run`
    writes, with DEBUG=1) or the file CAREPROG_ENV_FILE names ("" for none). A variable
    already set wins. Only manage.py reads it: not gunicorn (careprog.wsgi), not pytest."""
    default = Path(__file__).resolve().parent / ".env"
    chosen = os.environ.get("CAREPROG_ENV_FILE")
    path = default if chosen is None else Path(chosen) if chosen else None
    if path is None or (chosen is None and not path.is_file()):
        return
    if not path.is_file():
        sys.exit(f"CAREPROG_ENV_FILE names {chosen!r}, which is not a file.")
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


if __name__ == "__main__":
    read_local_settings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careprog.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
