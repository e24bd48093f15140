"""Change notices over HTTP: what a published version changes for each trainer and room manager.

- ``GET /published/{n}/notices?since=m``: the notices (:class:`model.notices.Notice`) from version
  ``m`` to version ``n``, as ``rtcm notices m n`` gives them; ``since`` defaults to ``n - 1``, and
  0 (or ``n`` = 1) compares with no calendar: everyone gets their courses;
- ``GET /published/{n}/notices/{id}.eml?since=m``: one notice as a ready-to-send e-mail;
- ``POST /published/{n}/notices/send?since=m``: sends those with an address through the server
  ``RTCM_SMTP_URL`` names (:mod:`model.formats.mail`); 409 while sending is off, 502 when the
  server cannot be reached or refuses, the detail naming what was sent before.

404 for an unknown version (either), 422 when ``since`` is not below ``n``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.errors import ApiError, conflict, invalid, not_found
from api.routes import StoreDep, VersionNumber
from api.store import Store
from api.wire import MAX_VERSION, ProblemDetails
from model.errors import Issue
from model.formats.mail import MailSettingError, SendError, SendReport, send, sender_from_env, smtp_url_from_env
from model.notices import Notice, email_message, file_name, notices
from model.schedule import Schedule

EML = "message/rfc822"
MAIL_SERVER = "urn:rtcm:mail-server"

router = APIRouter(prefix="/published", tags=["published"])

Since = Annotated[int | None, Query(
    ge=0, le=MAX_VERSION,
    description="the version compared with, below n; default n - 1; 0: none (a first publication: everyone "
                "gets their courses)")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


def version_notices(store: Store, n: int, since: int | None) -> list[Notice]:
    """The notices from version ``since`` (default ``n - 1``; 0: none) to version ``n``."""
    old_n = n - 1 if since is None else since
    if old_n >= n:
        raise invalid([Issue("out_of_order", f"{old_n} is not below version {n}: notices compare a version with an "
                             "earlier one", field=("since",), label="query parameter since")])
    new = Schedule.model_validate_json(store.published_json(n).json)
    old = Schedule.model_validate_json(store.published_json(old_n).json) if old_n else None
    published_at = dict(store.published_numbers()).get(n)
    return notices(old, new, old_version=old_n, new_version=n, published_at=published_at)


@router.get("/{n}/notices", response_model=list[Notice], responses=_errors(404, 422))
def list_notices(n: VersionNumber, store: StoreDep, since: Since = None) -> list[Notice]:
    """A change notice to each trainer and room manager whose courses version ``n`` changes (``rtcm notices``).

    Each lists the courses concerned, what changed, the old and new dates, places and co-trainers,
    and why, with the message's text and subject; trainers by id, then rooms.
    """
    return version_notices(store, n, since)


@router.get("/{n}/notices/{notice_id}.eml", response_class=Response, responses={
    200: {"content": {EML: {}}, "description": "the notice as an e-mail message, ready to send"},
    **_errors(404, 409, 422)})
def notice_eml(n: VersionNumber, notice_id: str, store: StoreDep, since: Since = None) -> Response:
    """One notice as an e-mail (``.eml``): plain text, To its recipient when they have an address.

    409 when ``RTCM_NOTICE_FROM`` is not an address a message can carry.
    """
    for notice in version_notices(store, n, since):
        if notice.id == notice_id:
            message = email_message(notice, _sender())
            return Response(message.as_bytes(), media_type=EML,
                            headers={"Content-Disposition": f'attachment; filename="{file_name(notice)}"'})
    raise not_found("notice", notice_id)


def _sender() -> str:
    try:
        return sender_from_env()
    except MailSettingError as e:
        raise conflict(f"notices cannot be made: {e}") from None


@router.post("/{n}/notices/send", response_model=SendReport, responses=_errors(404, 409, 422, 502))
def send_notices(n: VersionNumber, store: StoreDep, since: Since = None) -> SendReport:
    """Send the notices that have an address through the mail server ``RTCM_SMTP_URL`` names.

    409 while sending is off (``RTCM_SMTP_URL`` unset) or set wrong; 502 when the server cannot be
    reached or refuses the connection, the login, the sender or a message: the detail says which
    notices it accepted before. A recipient the server refuses is skipped, with the reason.
    """
    listed = version_notices(store, n, since)
    url = smtp_url_from_env()
    if url is None:
        raise conflict("sending notices is off: RTCM_SMTP_URL names no mail server")
    try:
        report = send(listed, url, _sender())
    except MailSettingError as e:
        raise conflict(f"sending notices is set up wrong: {e}") from None
    except SendError as e:
        sent = ", ".join(e.report.sent)
        raise ApiError(502, f"{e}" + (f" ({sent})" if sent else ""), type=MAIL_SERVER) from None
    return report
