"""Reading the API as a scheduled client does: with a personal token, every page, as JSON or
CSV."""

import csv
import io

from careprog.api.tokens import issue_token


def bearer(person) -> dict:
    _, secret = issue_token(person=person, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def read_all(client, url, headers, **parameters) -> list[dict]:
    """Every row of a list, walking its pages by their ``next`` links."""
    rows, response = [], client.get(url, {"page_size": 1000, **parameters}, **headers)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"], **headers)


def csv_rows(client, url, headers, **parameters) -> list[dict]:
    response = client.get(url, {**parameters, "format": "csv", "page_size": 1000}, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def as_text(value) -> str:
    """A JSON value as a CSV cell holds it (docs/api.md): empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
