"""The service on PostgreSQL: runs only when RTCM_TEST_POSTGRES_URL names a server.

    RTCM_TEST_POSTGRES_URL=postgresql+psycopg://rtcm:secret@127.0.0.1:5432/rtcm \\
        .venv/bin/python -m pytest tests/api/test_api_postgres.py

The test works in a schema of its own, made for the run and dropped after it, so the
database may hold other data; the role needs CREATE on the database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.store import Store

URL = os.environ.get("RTCM_TEST_POSTGRES_URL")

pytestmark = pytest.mark.skipif(not URL, reason="RTCM_TEST_POSTGRES_URL is not set")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The server's URL with the search path set to a fresh schema."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("psycopg")
    assert URL is not None
    schema = f"rtcm_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(URL)
    with admin.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    url = sqlalchemy.engine.make_url(URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_jobs_and_schedules_survive_a_restart_on_postgresql(postgres_url, tiny_raw, wait_for):
    with TestClient(create_app(database_url=postgres_url)) as first:
        health = first.get("/health").json()
        assert health["database"] == "postgresql" and health["database_ok"]
        pid = first.post("/problems", json=tiny_raw).json()["id"]
        done = first.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()["id"]
        assert wait_for(first, done)["state"] == "done"
        schedule = first.get(f"/jobs/{done}/schedule").json()

    # A process that died with a job running left it "running" in the database.
    store = Store(postgres_url)
    store.open()
    crashed = store.add_job(pid, {"time_limit_s": 20, "workers": 1, "deterministic": False,
                                  "relative_gap": 0.0, "seed": 0}).id
    store.mark_running(crashed)
    store.close()

    with TestClient(create_app(database_url=postgres_url)) as second:
        assert second.get(f"/problems/{pid}").json()["problem"] == tiny_raw
        job = second.get(f"/jobs/{done}").json()
        assert job["state"] == "done"
        assert datetime.fromisoformat(job["created_at"]).utcoffset() == timedelta(0)  # stored as UTC
        assert second.get(f"/jobs/{done}/schedule").json() == schedule
        assert second.get(f"/jobs/{done}/check").json()["ok"]
        interrupted = second.get(f"/jobs/{crashed}").json()
        assert interrupted["state"] == "interrupted" and "resubmit" in interrupted["message"]
        assert [j["id"] for j in second.get("/jobs", params={"state": "interrupted"}).json()] == [crashed]
        assert second.delete(f"/problems/{pid}").status_code == 204
        assert second.get(f"/jobs/{done}/schedule").status_code == 200  # kept without its problem
