"""Serve the API: ``python -m api [--host H] [--port P]`` (``make serve``).

The host and port default to ``RTCM_HOST`` and ``RTCM_PORT``, else 127.0.0.1:8000.
Without ``RTCM_API_TOKEN`` the service is for this machine alone, so any host but a
loopback one is refused (exit code 2) before anything starts. One worker process:
it runs each solve in a child process of its own (see :mod:`api.jobs`).
"""

from __future__ import annotations

import argparse
import os
import sys

from api.security import TOKEN_ENV, is_loopback, token_from_env

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1-65535")
    return port


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m api",
        description="Serve the RTCM Planner HTTP API (docs at /docs).",
        epilog=f"Without {TOKEN_ENV} only a loopback host (127.0.0.1, ::1, localhost) is accepted.",
    )
    parser.add_argument("--host", default=os.environ.get("RTCM_HOST") or DEFAULT_HOST,
                        help="address to listen on (default: RTCM_HOST, else %(default)s)")
    parser.add_argument("--port", type=_port, default=os.environ.get("RTCM_PORT") or DEFAULT_PORT,
                        help="port (default: RTCM_PORT, else %(default)s)")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if token_from_env() is None and not is_loopback(args.host):
        print(
            f"refusing to listen on {args.host}: without an API token the service answers this "
            f"machine only.\nSet {TOKEN_ENV} (clients then send 'Authorization: Bearer <token>'), "
            "or listen on 127.0.0.1.",
            file=sys.stderr,
        )
        return 2

    import uvicorn

    from api.app import app

    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
