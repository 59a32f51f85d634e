"""A persistent database connection that the server dropped (PostgreSQL restarted, a proxy
timed it out) costs no request: Django checks it at the start of the next one.

Through Django's own WSGI handler, not the test client: the test client leaves out the
connection housekeeping that runs at the start and end of every real request.
"""

from io import BytesIO

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a database server that drops connections: PostgreSQL (CI's second run)",
)


def _get(handler, path, cookie):
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(handler(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0]), body


def _drop_connections_from_the_server():
    """What a PostgreSQL restart does to every open connection of ours."""
    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_server_dropped_a_persistent_connection_succeeds(
    client, committee_member, seed_programme, monkeypatch
):
    client.force_login(committee_member)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    handler = WSGIHandler()
    assert _get(handler, "/programmes/", cookie)[0] == 200
    assert connection.connection is not None, "kept open after the request"

    _drop_connections_from_the_server()

    status, body = _get(handler, "/programmes/", cookie)
    assert status == 200, body[:200]
