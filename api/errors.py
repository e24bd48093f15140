"""Every error as JSON problem details (RFC 9457), never a stack trace.

A body has ``type``, ``title``, ``status`` and ``detail``; invalid input adds ``errors``,
one object per issue (:class:`api.wire.InputIssue`): its ``message`` naming the record and field
as the domain phrases it, its ``kind``, the ``record`` and ``field`` it is about, a JSON
``pointer`` (RFC 6901) into the document sent and, for a workbook, the ``sheet`` and ``cell``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.store import NotFound, StoreUnavailable
from api.wire import InputIssue
from model.errors import InputError, Issue, as_issues, pydantic_kind

log = logging.getLogger("api")

PROBLEM_JSON = "application/problem+json"

# Problem types: stable identifiers a client can switch on.
INVALID_INPUT = "urn:rtcm:invalid-input"
UNAUTHORIZED = "urn:rtcm:unauthorized"
FORBIDDEN = "urn:rtcm:forbidden"
NOT_FOUND = "urn:rtcm:not-found"
CONFLICT = "urn:rtcm:conflict"
QUEUE_FULL = "urn:rtcm:queue-full"
TOO_LARGE = "urn:rtcm:too-large"
UNSUPPORTED = "urn:rtcm:unsupported-media-type"
INTERNAL = "urn:rtcm:internal-error"
UNAVAILABLE = "urn:rtcm:database-unavailable"


class ApiError(Exception):
    """An error the API answers with problem details."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str = "about:blank",
        title: str | None = None,
        errors: Sequence[str | Issue] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type
        self.title = title or HTTPStatus(status).phrase
        self.errors = None if errors is None else as_issues(errors)
        self.headers = headers


def not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, f"{kind} '{ident}' does not exist", type=NOT_FOUND)


def conflict(detail: str) -> ApiError:
    return ApiError(409, detail, type=CONFLICT)


def invalid(errors: Sequence[str | Issue], detail: str | None = None) -> ApiError:
    """422 with every issue (a plain message is an invalid value of the request)."""
    n = len(errors)
    return ApiError(
        422,
        detail or f"{n} error{'s' if n != 1 else ''} in the input",
        type=INVALID_INPUT,
        title="Invalid input",
        errors=errors,
    )


def problem_response(err: ApiError, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": err.type, "title": err.title, "status": err.status, "detail": err.detail}
    if instance:
        body["instance"] = instance
    if err.errors is not None:
        body["errors"] = [InputIssue.of(i).model_dump(mode="json") for i in err.errors]
    return JSONResponse(body, status_code=err.status, headers=err.headers, media_type=PROBLEM_JSON)


def _where(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes the part of the request: ("body", "time_limit_s") -> "time_limit_s".
    parts = [str(x) for x in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header") else []
    if loc and loc[0] in ("query", "path", "header"):
        return f"{loc[0]} parameter {'.'.join(parts)}"
    return ".".join(parts) or "body"


def _request_issue(e: Any) -> Issue:
    """A request's field error as an issue; a body's points into the body."""
    loc = tuple(e.get("loc", ()))
    msg = str(e.get("msg", "is not valid")).removeprefix("Value error, ")
    in_body = bool(loc) and loc[0] == "body"
    return Issue(pydantic_kind(str(e.get("type", ""))), f"{msg[0].lower()}{msg[1:]}", field=loc[1:],
                 at=() if in_body else None, label=_where(loc))


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    # Starlette names only the first route that matches the path, and routers included in
    # the app are routes of their own: ask the app, for each method, whether it serves the path.
    allowed = []
    for method in METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem details."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, err: ApiError) -> JSONResponse:
        return problem_response(err, request.url.path)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, err: NotFound) -> JSONResponse:
        return problem_response(not_found(err.kind, err.ident), request.url.path)

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(request: Request, err: StoreUnavailable) -> JSONResponse:
        # The database refuses writes for now (read-only, full, locked): the client may try again.
        log.warning("%s %s: %s", request.method, request.url.path, err)
        return problem_response(
            ApiError(503, f"{err}; try again later", type=UNAVAILABLE,
                     headers={"Retry-After": str(err.retry_after_s)}),
            request.url.path,
        )

    @app.exception_handler(InputError)
    async def _input_error(request: Request, err: InputError) -> JSONResponse:
        n = len(err.issues)
        detail = f"{n} error{'s' if n != 1 else ''} in {err.source or 'the input'}"
        return problem_response(invalid(err.issues, detail), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        return problem_response(invalid([_request_issue(e) for e in err.errors()]), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        if err.status_code == 400 and isinstance(err.__cause__, UnicodeDecodeError):
            # FastAPI's answer to a JSON body that is not even UTF-8: invalid input, like bad JSON.
            unreadable = Issue("unreadable", f"not valid JSON: {err.__cause__}", label="body")
            return problem_response(invalid([unreadable]), request.url.path)
        detail = err.detail if isinstance(err.detail, str) else HTTPStatus(err.status_code).phrase
        headers = dict(err.headers or {})
        if err.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        if err.status_code == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}"
        kind = {404: NOT_FOUND, 413: TOO_LARGE}.get(err.status_code, "about:blank")
        return problem_response(ApiError(err.status_code, detail, type=kind, headers=headers),
                                request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            ApiError(500, "the server met an unexpected error; it has been logged", type=INTERNAL),
            request.url.path,
        )


class BodyLimit:
    """ASGI middleware: answer 413 when a request body exceeds ``max_bytes``.

    A declared Content-Length is refused before reading; a chunked body is counted as
    it arrives and refused once past the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _error(self) -> ApiError:
        mb = self.max_bytes / 1_000_000
        return ApiError(413, f"the request body exceeds the limit of {mb:g} MB", type=TOO_LARGE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await problem_response(self._error(), scope.get("path"))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised inside the route's body read; the handlers answer 413.
                    raise StarletteHTTPException(413, self._error().detail)
            return message

        await self.app(scope, counted, send)
