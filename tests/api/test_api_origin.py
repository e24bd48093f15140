"""Which web pages may drive the service: the Host and Origin checks.

Without them, any page a planner opens could use the service on their machine: a
DNS-rebinding page (its own name resolved to 127.0.0.1) reads and writes everything, and a
cross-site form posts a problem. The test client's own host, ``testserver``, is allowed by
the fixtures (``RTCM_ALLOWED_HOSTS`` in ``conftest.py``); the defaults are tested apart.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import host_allowed, origin_of

EVIL = "http://rebind.evil.example"
PAGE = "http://testserver"  # the service's own page, as the test client reaches it
YAML = b"name: x\n"


def problem_count(client: TestClient) -> int:
    return len(client.get("/problems").json())


# --------------------------------------------------------------------------------- Host


@pytest.mark.parametrize("host", ["rebind.evil.example", "rebind.evil.example:8000", "127.0.0.1.evil.example",
                                  "localhost.evil.example:8000"])
def test_a_foreign_host_is_refused_for_reads_and_writes(client, host):
    # A DNS-rebinding page reaches 127.0.0.1 under its own name, which it sends as Host.
    for method, path in [("GET", "/problems"), ("GET", "/health"), ("GET", "/"), ("GET", "/published"),
                         ("POST", "/problems/default/solve"), ("DELETE", "/jobs/x"), ("POST", "/jobs/x/publish")]:
        r = client.request(method, path, headers={"Host": host})
        assert r.status_code == 421, (method, path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "urn:rtcm:misdirected-request"
        assert "RTCM_ALLOWED_HOSTS" in r.json()["detail"]
    assert client.get("/jobs").json() == []  # no solve started


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "127.0.0.2", "[::1]:8000",
                                  "LOCALHOST:8000", "testserver"])
def test_loopback_names_and_the_test_host_are_served(client, host):
    assert client.get("/problems", headers={"Host": host}).status_code == 200


def test_by_default_only_loopback_names_and_the_own_address_are_hosts(monkeypatch, database_url):
    monkeypatch.delenv("RTCM_ALLOWED_HOSTS", raising=False)
    with TestClient(create_app(database_url=database_url)) as client:
        assert client.get("/problems").status_code == 421  # "testserver" is no default
        assert client.get("/problems", headers={"Host": "127.0.0.1:8000"}).status_code == 200
        assert client.get("/problems", headers={"Host": "localhost"}).status_code == 200


def test_the_allowed_hosts_setting(monkeypatch, database_url):
    monkeypatch.setenv("RTCM_ALLOWED_HOSTS", "planner.example.org, other.example.org:8443")
    with TestClient(create_app(database_url=database_url)) as client:
        assert client.get("/problems", headers={"Host": "planner.example.org:9000"}).status_code == 200
        assert client.get("/problems", headers={"Host": "other.example.org:8443"}).status_code == 200
        assert client.get("/problems", headers={"Host": "other.example.org:8444"}).status_code == 421
        assert client.get("/problems", headers={"Host": "localhost:8000"}).status_code == 200  # always
        assert client.get("/problems").status_code == 421


def test_host_matching():
    server = ("192.0.2.5", 8000)  # the address a connection came in on
    assert host_allowed("192.0.2.5:8000", (), server)
    assert not host_allowed("192.0.2.5:8001", (), server)
    assert not host_allowed("testserver", (), ("testserver", 80))  # only an address is the service's own
    assert host_allowed("x.example", ("*",), None)
    assert not host_allowed("", (), None)  # a request without a Host is refused
    assert not host_allowed("evil.example@localhost", (), None)


# ------------------------------------------------------------------------------- Origin


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL},
    {"Origin": "http://rebind.evil.example:8000"},
    {"Origin": "null"},  # a sandboxed frame or a redirected form
    {"Origin": "http://testserver:8080"},  # another port is another site
    {"Origin": "https://testserver"},  # another scheme too
    {"Referer": f"{EVIL}/attack.html"},  # no Origin: the Referer says where the request came from
    {"Sec-Fetch-Site": "cross-site"},  # neither: the browser still says it is another site's
])
def test_a_state_changing_request_from_another_site_is_refused(client, headers):
    for method, path in [("POST", "/problems/default/solve"), ("DELETE", "/problems/x"), ("POST", "/check"),
                         ("PUT", "/problems/x"), ("PATCH", "/problems/x"), ("DELETE", "/jobs/x"),
                         ("POST", "/jobs/x/publish")]:
        r = client.request(method, path, headers=headers)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["type"] == "urn:rtcm:forbidden"
        assert "RTCM_ALLOWED_ORIGINS" in r.json()["detail"]
    assert client.get("/jobs").json() == []  # no solve started


def test_a_cross_site_form_upload_is_not_stored(client):
    before = problem_count(client)
    r = client.post("/problems", files={"file": ("p.yaml", YAML, "application/x-yaml")},
                    headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    r = client.post("/problems", files={"file": ("p.yaml", YAML, "application/x-yaml")},
                    headers={"Referer": f"{EVIL}/form.html"})
    assert r.status_code == 403
    assert problem_count(client) == before


def test_the_page_and_other_clients_still_work(client, tiny_raw):
    # The page posts from its own origin; curl and scripts send no Origin at all.
    for headers in ({"Origin": PAGE, "Sec-Fetch-Site": "same-origin"}, {"Referer": f"{PAGE}/#solve"}, {},
                    {"Origin": "http://localhost:8000", "Host": "localhost:8000"}):
        r = client.post("/problems", json=tiny_raw, headers=headers)
        assert r.status_code == 201, (headers, r.text)
    r = client.post("/problems", files={"file": ("p.json", b"{}", "application/json")}, headers={"Origin": PAGE})
    assert r.status_code == 422  # past the guard: read, and found invalid
    # Reads are not state-changing: a page elsewhere cannot read the answer anyway (no CORS).
    assert client.get("/problems", headers={"Origin": EVIL}).status_code == 200


def test_the_allowed_origins_setting(monkeypatch, database_url, tiny_raw):
    monkeypatch.setenv("RTCM_ALLOWED_ORIGINS", "https://planner.example.org, http://localhost:5173")
    with TestClient(create_app(database_url=database_url)) as client:
        for origin in ("https://planner.example.org", "https://planner.example.org:443", "http://localhost:5173"):
            assert client.post("/problems", json=tiny_raw, headers={"Origin": origin}).status_code == 201, origin
        assert client.post("/problems", json=tiny_raw, headers={"Origin": EVIL}).status_code == 403


def test_origin_parsing():
    assert origin_of("http://LocalHost:8000/page?x") == ("http", "localhost", 8000)
    assert origin_of("https://planner.example.org") == ("https", "planner.example.org", 443)
    assert origin_of("http://[::1]:8000") == ("http", "::1", 8000)
    assert origin_of("null") is None
    assert origin_of("file:///tmp/x.html") is None
