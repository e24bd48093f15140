"""Who may talk to the service: a bearer token, or else this machine only.

With ``RTCM_API_TOKEN`` set, every request but the health check and the documentation
needs ``Authorization: Bearer <token>`` (compared in constant time). Without it the
service is for this machine alone: ``python -m api`` refuses to listen on anything but
loopback, and the app itself refuses (403) a request from any other address, which
also covers a server started some other way or a proxy forwarding remote clients.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import FORBIDDEN, UNAUTHORIZED, ApiError, problem_response

TOKEN_ENV = "RTCM_API_TOKEN"

# Open without a token: the health check, and the documentation with the schema it shows.
OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/"})
# The planner's page and its static files hold no data: a browser cannot send a bearer header
# when it opens a page, so the page loads openly and asks for the token before any API call.
OPEN_PREFIXES = ("/static/",)


def token_from_env() -> str | None:
    """``RTCM_API_TOKEN``, or None when it is unset or blank."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is this machine's loopback."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_remote_client(client: tuple[str, int] | list | None) -> bool:
    """Whether an ASGI ``client`` is a peer on another machine.

    A TCP peer always has an IP address; a Unix socket has none, and an in-process test
    client names itself (``testclient``): both are local.
    """
    if not client:
        return False
    try:
        address = ipaddress.ip_address(str(client[0]).strip("[]"))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:  # ::ffff:127.0.0.1
        address = address.ipv4_mapped
    return not address.is_loopback


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_matches(given: str | None, expected: str) -> bool:
    # Constant time: how long the comparison takes says nothing about how much matched.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class Guard:
    """ASGI middleware: the token check, or the loopback-only rule when there is no token."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # policy violation
        else:
            await problem_response(refusal, scope.get("path"))(scope, receive, send)

    def _refusal(self, scope: Scope) -> ApiError | None:
        if self.token is None:
            if is_remote_client(scope.get("client")):
                return ApiError(403, "this service has no API token and answers only on this machine; "
                                     f"set {TOKEN_ENV} to serve other machines", type=FORBIDDEN)
            return None
        path = scope.get("path") or ""
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return None
        headers = dict(scope.get("headers") or [])
        given = bearer_token(headers.get(b"authorization", b"").decode("latin-1"))
        if token_matches(given, self.token):
            return None
        detail = ("send the API token as 'Authorization: Bearer <token>'" if given is None
                  else "the API token is not valid")
        return ApiError(401, detail, type=UNAUTHORIZED,
                        headers={"WWW-Authenticate": 'Bearer realm="rtcm-planner"'})
