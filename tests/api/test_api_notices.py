"""Change notices over HTTP: ``GET /published/{n}/notices``, ``/notices/{id}.eml`` and
``POST /published/{n}/notices/send``, the notices ``rtcm notices`` gives.

Version 1 is ``tiny``'s calendar with everyone's addresses; version 2 moves M2.T1#1 a week for
T2's absence (``tests/test_notices.py``): notices to T2, T3 and room B's manager. Both are stored
as finished jobs, as the job runner stores a calendar, and published without a solve.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from email import message_from_bytes, policy

import pytest
from fastapi.testclient import TestClient

from api.store import Store
from model.notices import notices
from model.schedule import Schedule
from tests.api.test_api_published import finished_job
from tests.formats.test_mail import Inbox, free_port, start
from tests.test_excel import placed
from tests.test_notices import away_problem, calendar, m1, old_calendar

TOKEN = "correct-horse-battery-staple"
PROBLEM_JSON = "application/problem+json"


def versions() -> tuple[Schedule, Schedule]:
    p = away_problem()
    return old_calendar(), calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T3"]))


def publish_both(client: TestClient) -> list[dict]:
    store: Store = client.app.state.store
    return [client.post(f"/jobs/{finished_job(store, s.model_dump_json())}/publish").json() for s in versions()]


@pytest.fixture(autouse=True)
def sending_off(monkeypatch) -> None:
    monkeypatch.delenv("RTCM_SMTP_URL", raising=False)
    monkeypatch.delenv("RTCM_NOTICE_FROM", raising=False)


def test_the_notices_of_a_version_are_those_of_its_calendars(client) -> None:
    published = publish_both(client)
    old, new = versions()
    r = client.get("/published/2/notices")
    assert r.status_code == 200, r.text
    at = datetime.fromisoformat(published[1]["published_at"])
    expected = notices(old, new, old_version=1, new_version=2, published_at=at)
    assert r.json() == [n.model_dump(mode="json") for n in expected]
    assert [n["id"] for n in r.json()] == ["trainer-T2", "trainer-T3", "room-B"]
    t2 = r.json()[0]
    assert t2["items"][0]["changes"] == ["moved"]
    assert t2["items"][0]["why"] == ["M2.T1#1: trainer T2 is unavailable 2027-03-15 to 2027-03-19 (annual leave)"]
    assert "moved from 2027-03-18..2027-03-19 to 2027-03-25..2027-03-26" in t2["text"]
    assert client.get("/published/2/notices", params={"since": 1}).json() == r.json()


def test_version_1_or_since_0_gives_everyone_their_courses(client) -> None:
    publish_both(client)
    first = client.get("/published/1/notices").json()
    assert [n["id"] for n in first] == ["trainer-T1", "trainer-T2", "trainer-T3", "trainer-T4", "room-B", "room-HALL"]
    assert all(n["old_version"] == 0 and n["email_subject"].endswith("version 1: your courses")
               for n in first if n["kind"] == "trainer")
    since_0 = client.get("/published/2/notices", params={"since": 0}).json()
    assert [n["old_version"] for n in since_0] == [0] * 6
    assert "Version 2 of the calendar \"tiny\" is published" in since_0[1]["text"]


def test_a_notice_as_an_eml_file(client, monkeypatch) -> None:
    publish_both(client)
    monkeypatch.setenv("RTCM_NOTICE_FROM", "RTCM planning <planning@rtcm.example.org>")
    r = client.get("/published/2/notices/trainer-T2.eml")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "message/rfc822"
    assert r.headers["content-disposition"] == 'attachment; filename="trainer-T2.eml"'
    message = message_from_bytes(r.content, policy=policy.default)
    assert message["From"] == "RTCM planning <planning@rtcm.example.org>"
    assert message["To"] == "\"Bakhtiyar (fictional)\" <t2@trainers.example.org>"
    assert message.get_content() == client.get("/published/2/notices").json()[0]["text"]  # type: ignore[attr-defined]
    assert client.get("/published/2/notices/trainer-T2.eml").content == r.content  # the same message every time
    hall = client.get("/published/2/notices/room-HALL.eml", params={"since": 0})
    assert hall.status_code == 200 and message_from_bytes(hall.content)["To"] is None  # no manager's address


@pytest.mark.parametrize(("path", "params", "status", "detail"), [
    ("/published/3/notices", {}, 404, "published version '3' does not exist"),
    ("/published/3/notices/trainer-T2.eml", {}, 404, "published version '3' does not exist"),
    ("/published/2/notices/trainer-T1.eml", {}, 404, "notice 'trainer-T1' does not exist"),  # T1's courses kept
    ("/published/2/notices", {"since": 2}, 422, None),
    ("/published/2/notices", {"since": 5}, 422, None),
    ("/published/2/notices", {"since": -1}, 422, None),
    ("/published/0/notices", {}, 422, None),
    ("/published/1/notices/trainer-T2.eml", {"since": 1}, 422, None),
])
def test_unknown_versions_and_notices_and_since_not_below_n(client, path, params, status, detail) -> None:
    publish_both(client)
    r = client.get(path, params=params)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM_JSON, r.text
    if detail:
        assert r.json()["detail"] == detail
    if status == 422 and "since" in params:
        [error] = r.json()["errors"]
        assert error["message"].startswith("query parameter since")


def test_since_not_below_n_is_named(client) -> None:
    publish_both(client)
    [error] = client.get("/published/2/notices", params={"since": 2}).json()["errors"]
    assert error["message"] == ("query parameter since: 2 is not below version 2: notices compare a version with "
                                "an earlier one")


# ---------------------------------------------------------------------------------- sending


def test_sending_is_off_by_default(client) -> None:
    publish_both(client)
    r = client.post("/published/2/notices/send")
    assert r.status_code == 409 and r.json()["type"] == "urn:rtcm:conflict"
    assert r.json()["detail"] == "sending notices is off: RTCM_SMTP_URL names no mail server"
    assert client.post("/published/3/notices/send").status_code == 404


def test_notices_are_sent_to_the_server_set(client, monkeypatch) -> None:
    publish_both(client)
    inbox = Inbox(refuse_address="t3@trainers.example.org")
    for url in start(inbox):
        monkeypatch.setenv("RTCM_SMTP_URL", url)
        r = client.post("/published/2/notices/send")
        assert r.status_code == 200, r.text
        assert r.json() == {"sent": ["trainer-T2", "room-B"], "skipped": [
            {"id": "trainer-T3", "reason": f"the mail server {url} refused the address t3@trainers.example.org "
                                           "(550 5.1.1 no such mailbox here)"}]}
        # Since 0: the hall has no manager's address.
        r = client.post("/published/2/notices/send", params={"since": 0})
        assert {"id": "room-HALL", "reason": "room HALL has no manager's e-mail address"} in r.json()["skipped"]
    assert [to for _, to, _ in inbox.received][:2] == [["t2@trainers.example.org"], ["rooms@rtcm.example.org"]]


def test_a_server_that_refuses_or_cannot_be_reached_is_502(client, monkeypatch) -> None:
    publish_both(client)
    port = free_port()
    monkeypatch.setenv("RTCM_SMTP_URL", f"smtp://127.0.0.1:{port}")
    r = client.post("/published/2/notices/send")
    assert r.status_code == 502 and r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["detail"].startswith(f"the mail server smtp://127.0.0.1:{port} cannot be reached")
    assert r.json()["detail"].endswith("no notice sent")
    inbox = Inbox(refuse_after=1)
    for url in start(inbox):
        monkeypatch.setenv("RTCM_SMTP_URL", url)
        r = client.post("/published/2/notices/send")
        assert r.status_code == 502
        assert r.json()["detail"] == (f"the mail server {url} refused (554 5.7.1 not today); 1 notice(s) sent "
                                      "before (trainer-T2)")
    assert len(inbox.received) == 1


def test_a_bad_server_url_is_409_naming_the_setting(client, monkeypatch) -> None:
    publish_both(client)
    monkeypatch.setenv("RTCM_SMTP_URL", "http://user:secret@mail.example.org")
    r = client.post("/published/2/notices/send")
    assert r.status_code == 409
    assert r.json()["detail"].startswith("sending notices is set up wrong: RTCM_SMTP_URL: the scheme must be")
    assert "secret" not in r.json()["detail"]


# ---------------------------------------------------------------------------------- guards


@pytest.fixture
def guarded(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(api_token=TOKEN)


def test_the_notice_routes_need_the_token(guarded) -> None:
    routes = [("GET", "/published/1/notices"), ("GET", "/published/1/notices/trainer-T1.eml"),
              ("POST", "/published/1/notices/send")]
    for method, path in routes:
        r = guarded.request(method, path)
        assert r.status_code == 401, (method, path)


def test_another_site_s_page_cannot_send(client, monkeypatch) -> None:
    publish_both(client)
    monkeypatch.setenv("RTCM_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    r = client.post("/published/2/notices/send", headers={"Origin": "http://rebind.evil.example"})
    assert r.status_code == 403


def test_the_schema_documents_the_notice_routes(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    listing = paths["/published/{n}/notices"]["get"]
    assert listing["tags"] == ["published"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/Notice"}
    assert {"200", "404", "422"} <= set(listing["responses"])
    eml = paths["/published/{n}/notices/{notice_id}.eml"]["get"]["responses"]
    assert "message/rfc822" in eml["200"]["content"] and "404" in eml
    sending = paths["/published/{n}/notices/send"]["post"]["responses"]
    assert {"200", "404", "409", "422", "502"} <= set(sending)
    assert sending["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SendReport"}
