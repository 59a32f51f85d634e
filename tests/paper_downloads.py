"""A paper's file fetched as a person fetches it: a published paper's straight away, a draft's
through the page that waits while a background job builds it (actions/papers/draft_files.py)."""

import re

from careprog import jobs


def fetch(client, url: str, **extra):
    """The response a person ends with: the file, or whatever refused them on the way."""
    response = client.get(url, **extra)
    if response.status_code != 302 or "/draft/" not in response.url:
        return response
    jobs.run_ready()
    page = client.get(response.url)
    assert page.status_code == 200, page.status_code
    link = re.search(r'href="([^"]+/file)"', page.content.decode())
    assert link, "the waiting page offers no file once its job has run"
    return client.get(link.group(1), **extra)
