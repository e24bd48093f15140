"""Sending change notices by SMTP: off unless ``RTCM_SMTP_URL`` names a server.

``RTCM_SMTP_URL`` is ``smtp://[user:password@]host[:port][?starttls=1]`` (port 25 by default;
``starttls=1`` upgrades the connection before logging in) or ``smtps://...`` (TLS from the first
byte, port 465 by default); a user name or password with special characters is percent-encoded.
``RTCM_NOTICE_FROM`` is the From address (default :data:`model.notices.DEFAULT_SENDER`).

:func:`send` sends every notice that has an address over one connection and skips the others,
saying why. When the server cannot be reached or refuses the connection, the login, the sender
or a message, it raises :class:`SendError`, whose report lists what was sent before: nothing is
claimed as sent that the server did not accept. A server that refuses one recipient's address
skips that notice only. No message ever names the password.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from model.notices import DEFAULT_SENDER, Notice, email_message

SMTP_URL = "RTCM_SMTP_URL"
NOTICE_FROM = "RTCM_NOTICE_FROM"
TIMEOUT_S = 30.0
PORTS = {"smtp": 25, "smtps": 465}
YES, NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class MailSettingError(ValueError):
    """A mail setting that cannot be used; the message names the setting."""


class SendingOff(MailSettingError):
    """``RTCM_SMTP_URL`` is not set: notices are not sent."""


@dataclass(frozen=True)
class SmtpServer:
    """An SMTP server as ``RTCM_SMTP_URL`` names it."""

    host: str
    port: int
    tls: bool = False  # smtps: TLS from the first byte
    starttls: bool = False
    user: str | None = None
    password: str | None = None

    def __str__(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"


def parse_smtp_url(url: str, setting: str = SMTP_URL) -> SmtpServer:
    """The server an ``smtp://`` or ``smtps://`` URL names.

    Raises
    ------
    MailSettingError
        Naming ``setting`` and what is wrong (never the password).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as e:
        raise MailSettingError(f"{setting}: not a URL smtp://[user:password@]host[:port] ({e})") from None
    if parts.scheme not in PORTS:
        raise MailSettingError(f"{setting}: the scheme must be smtp or smtps, not '{parts.scheme or 'none'}'")
    if not parts.hostname:
        raise MailSettingError(f"{setting}: names no host (smtp://host[:port])")
    if parts.path not in ("", "/") or parts.fragment:
        raise MailSettingError(f"{setting}: a server URL has no path: smtp://host[:port][?starttls=1]")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"starttls"})
    if unknown:
        raise MailSettingError(f"{setting}: unknown parameter {', '.join(unknown)} (only starttls=1)")
    flag = query.get("starttls", ["0"])[-1].strip().lower()
    if flag not in YES + NO:
        raise MailSettingError(f"{setting}: starttls must be 1 or 0, not '{flag}'")
    starttls = flag in YES
    if starttls and parts.scheme == "smtps":
        raise MailSettingError(f"{setting}: smtps is TLS already; starttls is for smtp://")
    return SmtpServer(host=parts.hostname, port=port or PORTS[parts.scheme], tls=parts.scheme == "smtps",
                      starttls=starttls, user=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password is not None else None)


def smtp_url_from_env() -> str | None:
    """``RTCM_SMTP_URL``, or None when sending is off (unset or blank)."""
    return os.environ.get(SMTP_URL, "").strip() or None


def sender_from_env() -> str:
    """``RTCM_NOTICE_FROM``, else :data:`model.notices.DEFAULT_SENDER`.

    Raises
    ------
    MailSettingError
        When it spans lines (which could add headers to every message).
    """
    sender = os.environ.get(NOTICE_FROM, "").strip() or DEFAULT_SENDER
    if any(ch in sender for ch in "\r\n") or "@" not in sender:
        raise MailSettingError(f"{NOTICE_FROM}: not an address on one line, e.g. 'RTCM Planner <planning@example.org>'")
    return sender


class Skipped(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="the notice")
    reason: str


class SendReport(BaseModel):
    """What was sent, and what was not and why."""

    model_config = ConfigDict(extra="forbid")

    sent: list[str] = Field(default_factory=list, description="notices the server accepted")
    skipped: list[Skipped] = Field(default_factory=list)


class SendError(Exception):
    """The server could not be reached, or refused the connection, the login, the sender or a message.

    ``report`` holds what the server accepted before, and the notices skipped so far.
    """

    def __init__(self, server: SmtpServer, cause: str, report: SendReport) -> None:
        sent = len(report.sent)
        super().__init__(f"the mail server {server} {cause}; {sent} notice(s) sent before"
                         if sent else f"the mail server {server} {cause}; no notice sent")
        self.server = server
        self.cause = cause
        self.report = report


def _no_address(notice: Notice) -> str:
    if notice.kind == "room":
        return f"room {notice.subject} has no manager's e-mail address"
    return f"trainer {notice.subject} has no e-mail address"


def _cause(err: Exception) -> str:
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return f"refused the login ({err.smtp_code})"
    if isinstance(err, smtplib.SMTPSenderRefused):
        return f"refused the sender {err.sender} ({err.smtp_code} {_said(err.smtp_error)})"
    if isinstance(err, smtplib.SMTPResponseException):
        return f"refused ({err.smtp_code} {_said(err.smtp_error)})"
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return "closed the connection"
    if isinstance(err, TimeoutError):
        return "did not answer in time"
    if isinstance(err, ssl.SSLError):
        return f"cannot be reached over TLS ({err.reason or err})"
    if isinstance(err, OSError):
        return f"cannot be reached ({err.strerror or err})"
    return f"failed ({err})"


def _said(text: bytes | str) -> str:
    return (text.decode("utf-8", "replace") if isinstance(text, bytes) else text).strip()


def _connect(server: SmtpServer, timeout: float) -> smtplib.SMTP:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.tls:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        if server.starttls:
            smtp.starttls(context=context)
        if server.user is not None:
            smtp.login(server.user, server.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(listed: Sequence[Notice], url: str, sender: str = DEFAULT_SENDER, *,
         timeout: float = TIMEOUT_S) -> SendReport:
    """Send each notice that has an address through the server ``url`` names, over one connection.

    Parameters
    ----------
    listed
        The notices.
    url
        ``RTCM_SMTP_URL``'s value (:func:`parse_smtp_url`).
    sender
        The From address.
    timeout
        Seconds to wait for the server at each step.

    Returns
    -------
    SendReport
        The notices sent, and those skipped with the reason: no address, or the server refused
        the recipient.

    Raises
    ------
    MailSettingError
        When ``url`` is not a server URL (before anything is sent).
    SendError
        When the server cannot be reached or refuses the connection, the login, the sender or
        a message; its report holds what was sent before.
    """
    server = parse_smtp_url(url)
    report = SendReport()
    outgoing = []
    for notice in listed:  # every message made before the first is sent
        if notice.email:
            outgoing.append((notice, email_message(notice, sender)))
        else:
            report.skipped.append(Skipped(id=notice.id, reason=_no_address(notice)))
    if not outgoing:
        return report
    try:
        smtp = _connect(server, timeout)
    except (smtplib.SMTPException, OSError) as e:
        raise SendError(server, _cause(e), report) from e
    try:
        for notice, message in outgoing:
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as e:
                code, said = next(iter(e.recipients.values()))
                report.skipped.append(Skipped(id=notice.id, reason=f"the mail server {server} refused the "
                                                                   f"address {notice.email} ({code} {_said(said)})"))
                continue
            except (smtplib.SMTPException, OSError) as e:
                raise SendError(server, _cause(e), report) from e
            report.sent.append(notice.id)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return report
