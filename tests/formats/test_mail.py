"""Sending notices by SMTP, to a server the tests start on this machine (aiosmtpd), never a remote one.

The notices are those of ``tests/test_notices.moved_notices``: T2 Bakhtiyar and T3 Leyla (with
addresses) and room B's manager, for M2.T1#1 moved a week for T2's absence.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from model.formats.mail import (
    MailSettingError,
    SendError,
    SmtpServer,
    parse_smtp_url,
    send,
    sender_from_env,
    smtp_url_from_env,
)
from model.notices import Notice
from tests.test_notices import moved_notices

SENDER = "RTCM planning <planning@rtcm.example.org>"
USER, PASSWORD = "planner", "s3cret/with:odd@chars"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps what it accepts, refusing the addresses and messages it is told to."""

    def __init__(self, refuse_address: str | None = None, refuse_after: int | None = None) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse_address = refuse_address
        self.refuse_after = refuse_after

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == self.refuse_address:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_after is not None and len(self.received) >= self.refuse_after:
            return "554 5.7.1 not today"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def start(handler: Inbox, **smtp: Any) -> Iterator[str]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def server(inbox: Inbox) -> Iterator[str]:
    yield from start(inbox)


@pytest.fixture
def listed() -> list[Notice]:
    return moved_notices()


def test_notices_with_an_address_are_sent_and_the_others_skipped(inbox, server, listed) -> None:
    listed[1] = listed[1].model_copy(update={"email": None})  # Leyla has no address
    report = send(listed, server, SENDER)
    assert report.sent == ["trainer-T2", "room-B"]
    assert [s.model_dump() for s in report.skipped] == [
        {"id": "trainer-T3", "reason": "trainer T3 has no e-mail address"}]
    assert [(sender, to) for sender, to, _ in inbox.received] == [
        ("planning@rtcm.example.org", ["t2@trainers.example.org"]),
        ("planning@rtcm.example.org", ["rooms@rtcm.example.org"])]
    message = message_from_bytes(inbox.received[0][2], policy=policy.default)
    assert message["Subject"] == listed[0].email_subject
    assert message.get_content().replace("\r\n", "\n") == listed[0].text  # type: ignore[attr-defined]


def test_a_room_without_a_manager_s_address_is_skipped(server, listed) -> None:
    listed = [n.model_copy(update={"email": None}) if n.kind == "room" else n for n in listed]
    report = send(listed, server, SENDER)
    assert report.sent == ["trainer-T2", "trainer-T3"]
    assert report.skipped[0].reason == "room B has no manager's e-mail address"


def test_nothing_to_send_opens_no_connection(listed) -> None:
    # No server listens there: a connection would fail.
    url = f"smtp://127.0.0.1:{free_port()}"
    report = send([n.model_copy(update={"email": None}) for n in listed], url)
    assert report.sent == [] and len(report.skipped) == 3


def test_an_address_the_server_refuses_is_skipped_with_its_answer(listed) -> None:
    inbox = Inbox(refuse_address="t3@trainers.example.org")
    for url in start(inbox):
        report = send(listed, url, SENDER)
        assert report.sent == ["trainer-T2", "room-B"]
        [skipped] = report.skipped
        assert skipped.id == "trainer-T3"
        assert skipped.reason == (f"the mail server {url} refused the address t3@trainers.example.org "
                                  "(550 5.1.1 no such mailbox here)")
    assert len(inbox.received) == 2


def test_a_server_that_cannot_be_reached_is_a_clear_error(listed) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(SendError) as info:
        send(listed, f"smtp://127.0.0.1:{port}", SENDER, timeout=5)
    assert str(info.value).startswith(f"the mail server smtp://127.0.0.1:{port} cannot be reached")
    assert str(info.value).endswith("; no notice sent")
    assert info.value.report.sent == []


def test_what_was_sent_before_a_refusal_is_reported_truthfully(listed) -> None:
    inbox = Inbox(refuse_after=1)  # accepts the first message, refuses the rest
    for url in start(inbox):
        with pytest.raises(SendError) as info:
            send(listed, url, SENDER)
        assert info.value.report.sent == ["trainer-T2"]
        assert str(info.value) == f"the mail server {url} refused (554 5.7.1 not today); 1 notice(s) sent before"
    assert len(inbox.received) == 1


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a server on this machine only
def test_a_login_in_the_url_is_used_and_a_wrong_one_refused(listed) -> None:
    inbox = Inbox()
    for url in start(inbox, authenticator=authenticator, auth_require_tls=False, auth_required=True):
        host = url.removeprefix("smtp://")
        report = send(listed, f"smtp://{USER}:s3cret%2Fwith%3Aodd%40chars@{host}", SENDER)
        assert report.sent == ["trainer-T2", "trainer-T3", "room-B"]
        with pytest.raises(SendError) as info:
            send(listed, f"smtp://{USER}:wrong@{host}", SENDER)
        assert str(info.value) == f"the mail server {url} refused the login (535); no notice sent"
        assert "wrong" not in str(info.value)
    assert len(inbox.received) == 3


# ------------------------------------------------------------------------------ settings


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", SmtpServer("mail.example.org", 25)),
    ("smtp://mail.example.org:2525?starttls=1", SmtpServer("mail.example.org", 2525, starttls=True)),
    ("smtps://me:p%40ss@mail.example.org", SmtpServer("mail.example.org", 465, tls=True, user="me",
                                                      password="p@ss")),
    (" smtp://127.0.0.1:8025/ ", SmtpServer("127.0.0.1", 8025)),
])
def test_a_server_url_is_read(url: str, expected: SmtpServer) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(("url", "words"), [
    ("http://mail.example.org", "the scheme must be smtp or smtps, not 'http'"),
    ("mail.example.org:25", "the scheme must be smtp or smtps"),
    ("smtp://", "names no host"),
    ("smtp://mail.example.org:port", "not a URL"),
    ("smtp://mail.example.org:99999", "not a URL"),
    ("smtp://mail.example.org/inbox", "has no path"),
    ("smtp://mail.example.org?tls=1", "unknown parameter tls"),
    ("smtp://mail.example.org?starttls=maybe", "starttls must be 1 or 0"),
    ("smtps://mail.example.org?starttls=1", "smtps is TLS already"),
])
def test_a_bad_server_url_names_the_setting(url: str, words: str) -> None:
    with pytest.raises(MailSettingError) as info:
        parse_smtp_url(url)
    assert str(info.value).startswith("RTCM_SMTP_URL: ") and words in str(info.value)


def test_a_bad_url_is_refused_before_anything_is_sent(listed) -> None:
    with pytest.raises(MailSettingError, match="RTCM_SMTP_URL"):
        send(listed, "smtp://user:secret@", SENDER)


def test_settings_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("RTCM_SMTP_URL", raising=False)
    monkeypatch.delenv("RTCM_NOTICE_FROM", raising=False)
    assert smtp_url_from_env() is None  # off by default
    assert sender_from_env() == "RTCM Planner <rtcm-planner@localhost>"
    monkeypatch.setenv("RTCM_SMTP_URL", "  ")
    assert smtp_url_from_env() is None
    monkeypatch.setenv("RTCM_SMTP_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("RTCM_NOTICE_FROM", SENDER)
    assert (smtp_url_from_env(), sender_from_env()) == ("smtp://127.0.0.1:2525", SENDER)
    monkeypatch.setenv("RTCM_NOTICE_FROM", "planning@example.org\nBcc: everyone@example.org")
    with pytest.raises(MailSettingError, match="RTCM_NOTICE_FROM"):
        sender_from_env()
