"""Who may talk to the service: a bearer token, or else this machine only.

With ``RTCM_API_TOKEN`` set, every request but the health check, the documentation and the
subscription feeds (whose secret is in their URL) needs ``Authorization: Bearer <token>``
(compared in constant time). Without it the
service is for this machine alone: ``python -m api`` refuses to listen on anything but
loopback, and the app itself refuses (403) a request from any other address, which
also covers a server started some other way or a proxy forwarding remote clients.

Web pages the planner opens must not drive the service either (with or without a token):

- **Host**: a request must name a host the service answers to: ``localhost``, a loopback
  address, the address and port the connection came in on, or one listed in
  ``RTCM_ALLOWED_HOSTS`` (``*`` for any). Anything else answers 421: a DNS-rebinding page
  (its own name made to resolve to 127.0.0.1) sends its own name, and is refused.
- **Origin**: a state-changing request (POST, PUT, PATCH, DELETE) that says where it comes
  from (``Origin``, else ``Referer``, else a browser's ``Sec-Fetch-Site``) must come from
  the service's own origin or one listed in ``RTCM_ALLOWED_ORIGINS``; otherwise 403. Other
  sites' forms and scripts, uploads included, cannot store or start anything; clients that
  are not browsers send none of these headers and are not concerned.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import FORBIDDEN, UNAUTHORIZED, ApiError, problem_response

TOKEN_ENV = "RTCM_API_TOKEN"
HOSTS_ENV = "RTCM_ALLOWED_HOSTS"
ORIGINS_ENV = "RTCM_ALLOWED_ORIGINS"
MISDIRECTED = "urn:rtcm:misdirected-request"

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# Open without a token: the health check, and the documentation with the schema it shows.
OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/"})
# The planner's page and its static files hold no data: a browser cannot send a bearer header
# when it opens a page, so the page loads openly and asks for the token before any API call.
# A subscription feed's secret is its URL (api/feeds.py): calendar programs send no bearer header.
OPEN_PREFIXES = ("/static/", "/feeds/")


def is_open(path: str) -> bool:
    """Whether a path answers without the API token (it still checks the host and the origin)."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


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


def _list_from_env(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


def allowed_hosts_from_env() -> tuple[str, ...]:
    """``RTCM_ALLOWED_HOSTS``: host names (``name`` or ``name:port``) besides the loopback ones."""
    return _list_from_env(HOSTS_ENV)


def allowed_origins_from_env() -> tuple[str, ...]:
    """``RTCM_ALLOWED_ORIGINS``: origins (``https://name[:port]``) besides the service's own."""
    return _list_from_env(ORIGINS_ENV)


def split_host(host: str) -> tuple[str, int | None] | None:
    """``("name", port)`` of a Host header (port None when absent), or None when it is malformed."""
    try:
        parts = urlsplit(f"//{host.strip()}")
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name or parts.username is not None or parts.password is not None or parts.path:
        return None
    return name.rstrip("."), port


def origin_of(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an Origin or Referer, or None for ``null`` and non-web origins."""
    try:
        parts = urlsplit(url.strip())
        scheme, name, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not name:
        return None
    return scheme, name.rstrip("."), port or DEFAULT_PORTS[scheme]


def _host_matches(name: str, port: int | None, entry: str) -> bool:
    if entry == "*":
        return True
    wanted = split_host(entry)
    if wanted is None:
        return False
    return wanted[0] == name and (wanted[1] is None or wanted[1] == port)


def host_allowed(host: str, allowed: Iterable[str], server: Sequence[object] | None) -> bool:
    """Whether a request's Host names this service.

    Loopback names and addresses always do (a page can send one only when it is itself served
    from this machine), and so does the address and port the connection came in on (``server``,
    from the ASGI scope; a name there, such as a test client's, does not count); else an entry
    of ``allowed``: ``name`` (any port), ``name:port`` or ``*``.
    """
    parsed = split_host(host)
    if parsed is None:
        return False
    name, port = parsed
    if is_loopback(name):
        return True
    if server:
        try:
            own = ipaddress.ip_address(str(server[0]).strip("[]"))
            if ipaddress.ip_address(name) == own and port == int(str(server[1])):
                return True
        except ValueError:
            pass
    return any(_host_matches(name, port, entry) for entry in allowed)


def same_origin(origin: tuple[str, str, int], scheme: str, host: str) -> bool:
    """Whether an origin is the one a request (its scheme and Host) names: the service's own page."""
    parsed = split_host(host)
    if parsed is None:
        return False
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return origin == (scheme, parsed[0], parsed[1] or DEFAULT_PORTS.get(scheme, 0))


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
    """ASGI middleware: the loopback-only rule when there is no token, the Host and Origin
    checks, then the token check."""

    def __init__(self, app: ASGIApp, token: str | None, allowed_hosts: Sequence[str] = (),
                 allowed_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = tuple(h.strip().lower() for h in allowed_hosts if h.strip())
        self.allowed_origins = frozenset(o for o in (origin_of(x) for x in allowed_origins) if o is not None)

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
        if self.token is None and is_remote_client(scope.get("client")):
            return ApiError(403, "this service has no API token and answers only on this machine; "
                                 f"set {TOKEN_ENV} to serve other machines", type=FORBIDDEN)
        headers = {name: value.decode("latin-1") for name, value in scope.get("headers") or []}
        host = headers.get(b"host", "")
        if not host_allowed(host, self.allowed_hosts, scope.get("server")):
            return ApiError(421, f"this service does not answer to the host '{host}'; add it to "
                                 f"{HOSTS_ENV} to reach the service under that name", type=MISDIRECTED)
        if scope["type"] == "websocket" or scope.get("method", "GET").upper() in STATE_CHANGING:
            refusal = self._cross_site(headers, str(scope.get("scheme", "http")), host)
            if refusal is not None:
                return refusal
        if self.token is None:
            return None
        if is_open(scope.get("path") or ""):
            return None
        given = bearer_token(headers.get(b"authorization"))
        if token_matches(given, self.token):
            return None
        detail = ("send the API token as 'Authorization: Bearer <token>'" if given is None
                  else "the API token is not valid")
        return ApiError(401, detail, type=UNAUTHORIZED,
                        headers={"WWW-Authenticate": 'Bearer realm="rtcm-planner"'})

    def _cross_site(self, headers: dict[bytes, str], scheme: str, host: str) -> ApiError | None:
        """A refusal when a browser says the request comes from a page of another site."""
        claimed = headers.get(b"origin") or headers.get(b"referer")
        if claimed is not None:
            origin = origin_of(claimed)
            if origin is not None and (same_origin(origin, scheme, host) or origin in self.allowed_origins):
                return None
            source = f"'{claimed}'" if origin is not None or claimed.strip() == "null" else "an unreadable origin"
        else:
            # Neither header (a privacy setting may drop the Referer): a browser still says
            # whether the request is its own page's; a client that is not a browser says nothing.
            site = headers.get(b"sec-fetch-site", "").strip().lower()
            if site in ("", "same-origin", "none"):
                return None
            source = f"a {site} page"
        return ApiError(403, f"a request that changes data was sent from {source}, which is not this "
                             f"service's page; add the page's origin to {ORIGINS_ENV} to allow it",
                        type=FORBIDDEN)
