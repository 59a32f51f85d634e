"""A browser's visit to gunicorn as an HTTPS proxy forwards it (.ci/production-check).

Standard library only. Cookies are kept by hand: a client's own cookie jar would not send
`Secure` (and `__Host-`) cookies over the plain HTTP between the proxy and gunicorn, which is
exactly the hop this stands in for.
"""

import argparse
import http.client
import re
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin

HOST = "careprog.example.org"
STATIC_REFERENCE = re.compile(r"""(?:href|src)="(/static/[^"]+)\"""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
JS_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KPI_LINK = re.compile(r'href="/kpis/([a-z0-9-]+)/"')
PAPER_LINK = re.compile(r'href="/papers/(\d+)/"')


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


class Browser:
    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.requests = 0

    def request(self, method, path, *, form=None, https=True):
        headers = {"Host": HOST}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        self.requests += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        return response.status, response.headers, content

    def _keep(self, header):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if name.startswith("__Host-"):
                expect(
                    morsel["secure"] and morsel["path"] == "/" and not morsel["domain"],
                    f"{name} is not a valid __Host- cookie: {header}",
                )
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path, *, status=200):
        code, headers, content = self.request("GET", path)
        expect(code == status, f"GET {path}: {code}, expected {status}")
        return headers, content


def sign_in(browser, username, password):
    code, headers, _ = browser.request("GET", "/", https=False)
    expect(code == 301 and headers["Location"] == f"https://{HOST}/", "plain HTTP is redirected")
    _, page = browser.get("/sign-in/")
    token = CSRF_FIELD.search(page.decode())
    expect(token and "__Host-csrftoken" in browser.cookies, "the sign-in form carries CSRF")
    form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    code, headers, _ = browser.request("POST", "/sign-in/", form=form)
    expect(code == 302 and headers["Location"] == "/", f"sign-in answered {code}")
    expect("__Host-sessionid" in browser.cookies, "signed in")


def visit(browser, path):
    headers, content = browser.get(path)
    expect("no-store" in headers.get("Cache-Control", ""), f"{path} may be cached")
    expect(headers.get("Strict-Transport-Security"), f"{path} has no HSTS")
    html = content.decode()
    references = STATIC_REFERENCE.findall(html)
    expect(any(ref.endswith(".css") for ref in references), f"{path} has no stylesheet")
    return html, references


def fetch_static(browser, references):
    seen, queue = set(), list(references)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        headers, content = browser.get(path)
        expect("no-store" not in headers.get("Cache-Control", ""), f"{path} is not cacheable")
        if path.endswith(".css"):
            for url in CSS_URL.findall(content.decode()):
                if not url.startswith(("data:", "#")):
                    queue.append(urljoin(path, url))
        elif path.endswith(".mjs"):
            queue += [urljoin(path, url) for url in JS_IMPORT.findall(content.decode())]
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    options = parser.parse_args()

    browser = Browser(options.port)
    try:
        sign_in(browser, options.username, options.password)
        references = []
        dashboard, found = visit(browser, "/kpis/")
        references += found
        kpi = KPI_LINK.search(dashboard.replace('href="/kpis/import/"', ""))
        expect(kpi, "the dashboard lists a KPI")
        pages = [
            "/",
            "/programmes/care-programme-2024-25/report/2024-25-q3/",
            f"/kpis/{kpi.group(1)}/",
            "/kpis/import/",
        ]
        for page in pages:
            references += visit(browser, page)[1]
        # The seed's published paper and its three files: WeasyPrint, python-docx and openpyxl
        # as a deployment has them (Pango from the system for the PDF).
        paper, found = visit(browser, "/programmes/care-programme-2024-25/papers/")
        references += found
        link = PAPER_LINK.search(paper)
        expect(link, "the papers page lists the seed's published paper")
        references += visit(browser, link.group(0)[6:-1])[1]
        for name, magic in [
            ("paper.pdf", b"%PDF-"),
            ("paper.docx", b"PK"),
            ("appendix.xlsx", b"PK"),
        ]:
            headers, content = browser.get(f"/papers/{link.group(1)}/{name}")
            expect(content.startswith(magic), f"{name} is not a {name.rsplit('.', 1)[1]} file")
            expect("attachment" in headers.get("Content-Disposition", ""), f"{name} is a download")
            pages.append(name)
        static = fetch_static(browser, references)
    except (Failure, OSError, http.client.HTTPException) as error:
        print(f"production smoke FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"signed in; {len(pages) + 3} pages and files, {len(static)} static files, all 200 "
        f"({browser.requests} requests)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
