"""Who may call the service: the bearer token, the loopback-only rule, and how it is started."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.__main__ as serve
from api.app import create_app
from api.security import bearer_token, is_loopback, is_open, is_remote_client, token_matches

TOKEN = "correct-horse-battery-staple"


@pytest.fixture
def guarded(make_client) -> TestClient:
    return make_client(api_token=TOKEN)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no header at all
        {"Authorization": f"Bearer {TOKEN}x"},  # a wrong token
        {"Authorization": f"Bearer {TOKEN[:-1]}"},  # a prefix of the right one
        {"Authorization": f"Basic {TOKEN}"},  # another scheme
        {"Authorization": "Bearer "},  # the scheme alone
        {"Authorization": TOKEN},  # the token without its scheme
    ],
)
def test_without_the_token_every_request_is_401(guarded, headers):
    for method, path in [("GET", "/problems"), ("POST", "/problems/default/solve"), ("GET", "/jobs/x"),
                         ("POST", "/check"), ("POST", "/jobs/x/publish"), ("GET", "/published"),
                         ("GET", "/published/1"), ("GET", "/no/such/route")]:
        r = guarded.request(method, path, headers=headers)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["type"] == "urn:rtcm:unauthorized"


def test_every_operation_of_the_schema_needs_the_token(guarded):
    # Including routes added later: the guard is in front of the whole app.
    schema = guarded.get("/openapi.json").json()
    operations = [(method.upper(), path) for path, item in schema["paths"].items() for method in item]
    assert len(operations) >= 15
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", "x", path)
        r = guarded.request(method, url)
        if is_open(path):
            assert r.status_code != 401, (method, path)
            assert "401" not in schema["paths"][path][method.lower()]["responses"]
        else:
            assert r.status_code == 401, (method, path, r.status_code)
            assert "401" in schema["paths"][path][method.lower()]["responses"]


def test_the_token_opens_every_route(guarded):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/problems", headers=auth).status_code == 200
    assert guarded.get("/problems", headers={"Authorization": f"bearer  {TOKEN} "}).status_code == 200
    assert guarded.get("/jobs/nope", headers=auth).status_code == 404  # past the guard


def test_health_and_docs_need_no_token(guarded):
    assert guarded.get("/health").status_code == 200
    assert guarded.get("/docs").status_code == 200
    schema = guarded.get("/openapi.json").json()  # what /docs shows
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert schema["paths"]["/problems"]["get"]["security"] == [{"bearer": []}]
    assert "401" in schema["paths"]["/problems"]["get"]["responses"]
    assert "security" not in schema["paths"]["/health"]["get"]


def test_what_the_readme_says_needs_no_token_is_exactly_what_is_open(guarded):
    # README, RTCM_API_TOKEN: "every request but /health, the docs, the page (/, /static/) and the feeds".
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert ("every request but `/health`, the docs, the page (`/`, `/static/`) and the feeds (`/feeds/`) "
            "must carry") in readme
    for path in ("/health", "/docs", "/openapi.json", "/", "/static/app.js"):
        assert guarded.get(path).status_code == 200, path
    assert guarded.get("/feeds/no-such-token.ics").status_code == 404  # past the guard: the feed's own answer
    for path in ("/problems", "/jobs", "/scenarios", "/published", "/published/feeds", "/static/../problems",
                 "/feeds/../problems"):
        assert guarded.get(path).status_code == 401, path


def test_a_token_from_the_environment(monkeypatch, make_client):
    monkeypatch.setenv("RTCM_API_TOKEN", TOKEN)
    client = make_client()
    assert client.get("/problems").status_code == 401
    assert client.get("/problems", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_a_blank_token_is_no_token(monkeypatch, make_client):
    monkeypatch.setenv("RTCM_API_TOKEN", "  ")
    assert make_client().get("/problems").status_code == 200


def test_without_a_token_a_client_on_another_machine_is_403(database_url):
    # A direct peer, or a remote client a local proxy forwards (uvicorn puts its address here).
    with TestClient(create_app(database_url=database_url), client=("203.0.113.7", 51000)) as remote:
        for path in ("/health", "/problems", "/docs"):
            r = remote.get(path)
            assert r.status_code == 403, path
            assert r.json()["type"] == "urn:rtcm:forbidden"
            assert "RTCM_API_TOKEN" in r.json()["detail"]
    for local in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        with TestClient(create_app(database_url=database_url), client=(local, 51000)) as client:
            assert client.get("/problems").status_code == 200, local


def test_with_a_token_a_client_on_another_machine_is_served(database_url):
    app = create_app(database_url=database_url, api_token=TOKEN)
    with TestClient(app, client=("203.0.113.7", 51000)) as remote:
        assert remote.get("/problems").status_code == 401
        assert remote.get("/problems", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize(
    ("client", "remote"),
    [
        (("127.0.0.1", 1), False),
        (("::1", 1), False),
        (("10.0.0.8", 1), True),  # private is not loopback
        (("2001:db8::1", 1), True),
        (("::ffff:10.0.0.8", 1), True),  # IPv4 mapped into IPv6
        (("testclient", 50000), False),  # an in-process test client has no address
        (None, False),  # a Unix socket
    ],
)
def test_which_clients_are_remote(client, remote):
    assert is_remote_client(client) is remote


def test_token_parsing_and_comparison():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("BEARER   abc  ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token(None) is None
    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("ab", "abc")


# -------------------------------------------------------------------------- python -m api


@pytest.fixture
def uvicorn_calls(monkeypatch) -> list[dict]:
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.delenv("RTCM_API_TOKEN", raising=False)
    monkeypatch.delenv("RTCM_HOST", raising=False)
    monkeypatch.delenv("RTCM_PORT", raising=False)
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org"])
def test_serve_refuses_a_non_loopback_host_without_a_token(uvicorn_calls, capsys, host):
    assert serve.main(["--host", host]) == 2
    assert uvicorn_calls == []
    err = capsys.readouterr().err
    assert f"refusing to listen on {host}" in err and "RTCM_API_TOKEN" in err


def test_serve_refuses_a_non_loopback_host_from_the_environment(uvicorn_calls, monkeypatch):
    monkeypatch.setenv("RTCM_HOST", "0.0.0.0")
    assert serve.main([]) == 2
    assert uvicorn_calls == []


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_serve_listens_on_loopback_without_a_token(uvicorn_calls, host):
    assert serve.main(["--host", host, "--port", "8123"]) == 0
    assert uvicorn_calls[0]["host"] == host and uvicorn_calls[0]["port"] == 8123


def test_serve_defaults_and_environment(uvicorn_calls, monkeypatch):
    assert serve.main([]) == 0
    assert (uvicorn_calls[0]["host"], uvicorn_calls[0]["port"]) == ("127.0.0.1", 8000)
    monkeypatch.setenv("RTCM_PORT", "9001")
    monkeypatch.setenv("RTCM_HOST", "0.0.0.0")
    monkeypatch.setenv("RTCM_API_TOKEN", TOKEN)  # a token allows any host
    assert serve.main([]) == 0
    assert (uvicorn_calls[1]["host"], uvicorn_calls[1]["port"]) == ("0.0.0.0", 9001)


def test_serve_rejects_a_bad_port(uvicorn_calls):
    with pytest.raises(SystemExit) as exit_:
        serve.main(["--port", "70000"])
    assert exit_.value.code == 2


def test_is_loopback():
    assert all(is_loopback(host) for host in ("127.0.0.1", "::1", "[::1]", "localhost"))
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("rtcm.example.org")
