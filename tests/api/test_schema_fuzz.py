"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis).

Every operation gets generated requests, valid and invalid; every answer must be no
server error and must match the schema (status, content type, body, headers). The app
runs in process on a SQLite file of its own in the temporary directory, with an API
token as in production (``test_api_security`` checks that every operation needs it).
Generated ids name no stored problem or job, so a solve request answers 404 or 422
without starting a solve: the suite stays fast.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app

MAX_EXAMPLES = 25
TOKEN = "fuzz-token"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

schemathesis.serializer.alias(XLSX, "application/octet-stream")  # a workbook body is bytes

# A schema-valid request may still be refused for what JSON Schema cannot say: an
# unknown problem_id in a check (422), a cross-reference a problem breaks (422), a file
# whose name says no supported kind (415). Every other status the check expects stands.
# The token goes through schemathesis's own auth, which it knows how to leave out.
CONFIG = schemathesis.Config.from_dict({
    "auth": {"openapi": {"bearer": {"bearer": TOKEN}}},
    "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "415", "422", "429"]}},
})

# Creating the app opens nothing: schemathesis starts its lifespan (the database, the
# job runner) on the first request, and the fixture below stops it.
DATABASE = Path(tempfile.gettempdir()) / f"rtcm-fuzz-{os.getpid()}-{uuid.uuid4().hex[:8]}.sqlite3"
app = create_app(database_url=f"sqlite:///{DATABASE}", max_concurrent=1, queue_size=1, api_token=TOKEN,
                 allowed_hosts=["testserver"])
schema = schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)
schema.app = app


@pytest.fixture(scope="module", autouse=True)
def stop_the_app() -> Iterator[None]:
    yield
    from schemathesis.python.asgi import shutdown_lifespans

    shutdown_lifespans()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
def test_the_api_keeps_to_its_schema(case):
    case.call_and_validate()
