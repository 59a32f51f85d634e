"""One settings module, driven by the environment, safe by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What pytest-env sets for the suite (pyproject.toml) and a deployment never has.
TEST_ONLY_ENVIRONMENT = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "STATIC_MANIFEST",
}
PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "a-production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "careprog.example.org",
    "DATABASE_URL": "sqlite:////tmp/careprog-deploy-check.sqlite3",
}


def _manage(*args, **env):
    """manage.py as a deployment runs it: the suite's own variables removed, and no local
    settings file (the `.env` that `make run` leaves in a developer's checkout)."""
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENVIRONMENT}
    clean["CAREPROG_ENV_FILE"] = ""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_secret_key_is_required():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_bad_boolean_is_refused_with_its_name():
    result = _manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_a_bank_holiday_region_not_of_the_uk_is_refused_with_the_choices():
    result = _manage("check", DEBUG="1", BANK_HOLIDAYS_REGION="France")
    assert result.returncode != 0
    assert "BANK_HOLIDAYS_REGION must be one of ENG, WLS, SCT, NIR, not 'FRANCE'" in result.stderr


def test_a_council_contact_address_nobody_can_write_to_is_refused_with_its_name():
    result = _manage("check", DEBUG="1", COUNCIL_CONTACT_EMAIL="accessibility at the council")
    assert result.returncode != 0
    assert (
        "COUNCIL_CONTACT_EMAIL must be an email address, not 'accessibility at the council'"
        in result.stderr
    )


def test_deploy_checks_pass_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_database_url_selects_the_database():
    script = (
        "from django.conf import settings; db = settings.DATABASES['default']; "
        "print(db['ENGINE'], db['NAME'])"
    )
    result = _manage("shell", "--no-imports", "-c", script, **PRODUCTION)
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "/tmp/careprog-deploy-check.sqlite3",
    ]
    postgres = {**PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/careprog"}
    result = _manage("shell", "--no-imports", "-c", script, **postgres)
    assert result.stdout.split() == ["django.db.backends.postgresql", "careprog"]


def test_pages_carry_security_headers(member_client, seed_programme):
    response = member_client.get("/programmes/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _database_settings(url):
    script = (
        "import json; from django.conf import settings; db = settings.DATABASES['default']; "
        "print(json.dumps({k: db.get(k) for k in ('OPTIONS', 'CONN_HEALTH_CHECKS')}))"
    )
    result = _manage("shell", "--no-imports", "-c", script, **{**PRODUCTION, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_writers_queue_for_the_lock_and_postgres_connections_are_checked():
    sqlite = _database_settings("sqlite:////tmp/careprog-deploy-check.sqlite3")
    assert sqlite["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    postgres = _database_settings("postgres://postgres@127.0.0.1:5432/careprog")
    assert not postgres["OPTIONS"], "SQLite's options are not PostgreSQL's"
    assert sqlite["CONN_HEALTH_CHECKS"] and postgres["CONN_HEALTH_CHECKS"]


def _setting(expression, **env):
    script = f"from django.conf import settings; print({expression})"
    return _manage("shell", "--no-imports", "-c", script, **{**PRODUCTION, **env})


def test_the_idle_timeout_is_a_setting_in_minutes_and_must_be_positive():
    assert _setting("settings.SESSION_COOKIE_AGE").stdout.strip() == "3600"
    assert _setting("settings.SESSION_COOKIE_AGE", SESSION_IDLE_MINUTES="20").stdout.strip() == (
        "1200"
    )
    refused = _setting("settings.SESSION_COOKIE_AGE", SESSION_IDLE_MINUTES="0")
    assert refused.returncode != 0
    assert "SESSION_IDLE_MINUTES must be at least 1" in refused.stderr


def test_cookies_are_host_only_under_https_and_plainly_named_for_local_http():
    names = "settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME"
    assert _setting(names).stdout.split() == ["__Host-sessionid", "__Host-csrftoken"]
    assert _setting(names, DEBUG="1").stdout.split() == ["sessionid", "csrftoken"]


def test_published_papers_files_are_kept_in_media_root_an_absolute_folder():
    assert _setting("settings.MEDIA_ROOT").stdout.strip() == str(ROOT / "media")
    kept = _setting("settings.MEDIA_ROOT", MEDIA_ROOT="/srv/careprog/media")
    assert kept.stdout.strip() == "/srv/careprog/media"
    refused = _setting("settings.MEDIA_ROOT", MEDIA_ROOT="media")
    assert refused.returncode != 0
    assert "MEDIA_ROOT must be an absolute path, not 'media'" in refused.stderr


ENTRA = {
    "OIDC_ISSUER": "https://login.microsoftonline.com/0000-tenant/v2.0/",
    "OIDC_CLIENT_ID": "careprog",
    "OIDC_CLIENT_SECRET": "a-client-secret",
    "OIDC_ROLE_GROUPS": "3f2a=Officers, 9b1c=Committee members",
}


def test_single_sign_on_settings_are_read_and_checked_with_their_names():
    read = _setting(
        "settings.OIDC_ISSUER, settings.OIDC_ROLE_GROUPS, settings.OIDC_GROUPS_CLAIM,"
        " settings.OIDC_LOCAL_PASSWORDS",
        **ENTRA,
    ).stdout.strip()
    assert read == (
        "https://login.microsoftonline.com/0000-tenant/v2.0"
        " {'3f2a': 'Officers', '9b1c': 'Committee members'} groups True"
    )
    no_secret = _setting("settings.DEBUG", **{**ENTRA, "OIDC_CLIENT_SECRET": ""})
    assert "OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET" in no_secret.stderr
    plain_http = _setting("settings.DEBUG", **{**ENTRA, "OIDC_ISSUER": "http://idp.example.org"})
    assert "OIDC_ISSUER must be an https:// address" in plain_http.stderr
    no_pair = _setting("settings.DEBUG", **{**ENTRA, "OIDC_ROLE_GROUPS": "3f2a"})
    assert "OIDC_ROLE_GROUPS must be group=Role pairs, not '3f2a'" in no_pair.stderr


def test_deploy_checks_pass_with_single_sign_on_and_refuse_a_role_that_does_not_exist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **ENTRA)
    assert result.returncode == 0, result.stdout + result.stderr
    wizards = _manage("check", **PRODUCTION, **{**ENTRA, "OIDC_ROLE_GROUPS": "x=Wizards"})
    assert wizards.returncode != 0
    assert "OIDC_ROLE_GROUPS maps a group to 'Wizards', which is not a role" in wizards.stderr


def test_forms_may_lead_on_to_the_provider_so_that_signing_out_there_is_not_blocked():
    form_action = 'settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]'
    assert _setting(form_action).stdout.strip() == "[\"'self'\"]"
    assert _setting(form_action, **ENTRA).stdout.strip() == (
        "[\"'self'\", 'https://login.microsoftonline.com']"
    )
