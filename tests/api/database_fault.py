"""A database fault switched on and off (read-only, full), and what a refused write answers.

Each fault is made by SQLite itself on every connection the store checks out: ``PRAGMA
query_only`` refuses writes as a read-only file does, ``PRAGMA max_page_count`` at the
database's size refuses to grow as a full disk does. The ``fault`` fixture (conftest.py) gives
a switch on the test's app.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from api.store import Store

PROBLEM_JSON = "application/problem+json"
LARGEST_PAGE_COUNT = 1073741823  # SQLite's default max_page_count


class Fault:
    """A fault of the database, switched on and off, applied to every connection the store checks out."""

    def __init__(self, store: Store) -> None:
        self.kind: str | None = None
        self.engine = store._engine
        event.listen(self.engine, "checkout", self._apply)

    def _apply(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA query_only = {1 if self.kind == 'read-only' else 0}")
        if self.kind == "disk full":
            pages = cur.execute("PRAGMA page_count").fetchone()[0]
            cur.execute(f"PRAGMA max_page_count = {pages}")
        else:
            cur.execute(f"PRAGMA max_page_count = {LARGEST_PAGE_COUNT}")
        cur.close()

    def remove(self) -> None:
        event.remove(self.engine, "checkout", self._apply)


def assert_unavailable(r: Any, cause: str, retry_after: int = 30) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    body = r.json()
    assert body["type"] == "urn:rtcm:database-unavailable" and body["status"] == 503
    assert body["detail"].startswith("the database cannot be written now: ")
    assert cause in body["detail"] and "nothing was changed" in body["detail"], body["detail"]
    assert r.headers["retry-after"] == str(retry_after)
