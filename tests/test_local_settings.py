"""After `make run`, the `manage.py` commands of docs/operating.md ("Local settings") run in
the checkout as written: `make run` leaves a `.env` with DEBUG=1 that manage.py reads. It
changes nothing else: not what gunicorn runs (careprog.wsgi), not what the suite runs under,
not a variable already set.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.test_settings import PRODUCTION, TEST_ONLY_ENVIRONMENT

ROOT = Path(__file__).resolve().parent.parent
DEBUG_OF_SETTINGS = "from django.conf import settings; print(settings.DEBUG)"


def _environment(**env):
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENVIRONMENT}
    clean.pop("CAREPROG_ENV_FILE", None)
    return {**clean, "PYTHONPATH": str(ROOT), **env}


def _run(command, cwd, **env):
    return subprocess.run(
        command, cwd=cwd, env=_environment(**env), capture_output=True, text=True, timeout=60
    )


def _checkout_with_make_runs_env(tmp_path):
    """A directory holding manage.py and the `.env` that `make run` writes beside it."""
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    made = subprocess.run(
        ["make", "-s", "-C", str(ROOT), f"ENV_FILE={tmp_path / '.env'}", str(tmp_path / ".env")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    return tmp_path


def _manage_debug(checkout, **env):
    result = _run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", DEBUG_OF_SETTINGS],
        checkout,
        **env,
    )
    return result.stdout.strip() or result.stderr


def test_make_run_writes_a_local_env_with_debug_on_for_this_checkout(tmp_path):
    checkout = _checkout_with_make_runs_env(tmp_path)
    lines = (checkout / ".env").read_text().splitlines()
    assert "DEBUG=1" in lines
    assert all(line.startswith("#") or line == "DEBUG=1" for line in lines)


def test_after_make_run_manage_py_commands_run_without_typing_debug(tmp_path):
    checkout = _checkout_with_make_runs_env(tmp_path)
    assert _manage_debug(checkout) == "True"
    without = _manage_debug(checkout, CAREPROG_ENV_FILE="")
    assert "SECRET_KEY must be set when DEBUG is off" in without


def test_a_variable_already_set_wins_over_the_local_env(tmp_path):
    checkout = _checkout_with_make_runs_env(tmp_path)
    assert _manage_debug(checkout, DEBUG="0", **PRODUCTION) == "False"


def test_gunicorns_application_ignores_the_local_env(tmp_path):
    checkout = _checkout_with_make_runs_env(tmp_path)
    env = {**PRODUCTION, "CAREPROG_ENV_FILE": str(checkout / ".env")}
    result = _run(
        [sys.executable, "-c", f"import careprog.wsgi; {DEBUG_OF_SETTINGS}"], checkout, **env
    )
    assert result.stdout.strip() == "False", result.stderr


def test_the_suite_runs_under_its_own_settings_whatever_the_local_env_says(tmp_path):
    checkout = _checkout_with_make_runs_env(tmp_path)
    (checkout / "test_probe.py").write_text(
        "import os\n"
        "from django.conf import settings\n\n"
        "def test_probe():\n"
        "    assert settings.DEBUG is False and 'DEBUG' not in os.environ\n"
    )
    # The suite's own configuration (pyproject.toml), run from a directory holding `.env`.
    result = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
         str(ROOT / "pyproject.toml"), str(checkout / "test_probe.py")],
        checkout,
        CAREPROG_ENV_FILE=str(checkout / ".env"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings.DEBUG is False, "nor this run"


def test_a_named_local_settings_file_that_is_missing_stops_manage_py(tmp_path):
    result = _run(
        [sys.executable, "manage.py", "check"], ROOT, CAREPROG_ENV_FILE=str(tmp_path / "none")
    )
    assert result.returncode != 0
    assert "which is not a file" in result.stderr
