"""Problems over HTTP: store, list, fetch, delete; every error as problem details."""

from __future__ import annotations

import json

import pytest
import yaml

from api.app import create_app
from api.wire import ProblemDetails


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"] == "sqlite" and body["database_ok"]
    assert body["running"] == 0 and body["queued"] == 0


def test_app_is_inert_until_started(tmp_path):
    # Creating the app neither touches the database nor starts threads: the lifespan does.
    create_app(database_url=f"sqlite:///{tmp_path / 'never.sqlite3'}")
    assert not (tmp_path / "never.sqlite3").exists()


def test_post_a_problem_as_json_and_get_it_back(client, tiny_raw):
    r = client.post("/problems", json=tiny_raw)
    assert r.status_code == 201, r.text
    summary = r.json()
    assert r.headers["location"] == f"/problems/{summary['id']}"
    assert summary["name"] == "tiny" and summary["source"] == "JSON body"
    assert summary["facts"]["editions"] == 4

    got = client.get(f"/problems/{summary['id']}").json()
    assert got["problem"] == tiny_raw
    assert [p["id"] for p in client.get("/problems").json()] == ["default", summary["id"]]


def test_upload_a_yaml_file(client, tiny_raw):
    text = yaml.safe_dump(tiny_raw, sort_keys=False)
    r = client.post("/problems", files={"file": ("tiny.yaml", text, "application/yaml")})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "upload tiny.yaml"
    assert client.get(f"/problems/{r.json()['id']}").json()["problem"] == tiny_raw


def test_post_a_yaml_body(client, tiny_raw):
    yaml_type = {"content-type": "application/yaml"}
    r = client.post("/problems", content=yaml.safe_dump(tiny_raw), headers=yaml_type)
    assert r.status_code == 201, r.text


def test_the_default_is_ready_and_cannot_be_deleted(client):
    listed = client.get("/problems").json()
    assert listed[0]["id"] == "default" and listed[0]["builtin"]
    # 68 topics sized by demand: three run twice, 41 of the 71 editions must run
    assert listed[0]["facts"].items() >= {"topics": 68, "editions": 71, "mandatory_editions": 41}.items()
    assert client.get("/problems/default").json()["problem"]["name"] == listed[0]["name"]
    r = client.delete("/problems/default")
    assert r.status_code == 409
    assert r.json()["title"] == "Conflict"


def test_delete_a_problem(client, tiny_raw):
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    assert client.delete(f"/problems/{pid}").status_code == 204
    assert client.get(f"/problems/{pid}").status_code == 404


def test_an_invalid_problem_lists_every_error_naming_the_records(client, default_raw):
    default_raw["trainers"][0]["organisation"] = "NOWHERE"  # a cross-reference error ...
    default_raw["trainers"][1]["gender"] = "robot"  # ... and a field error in another record
    first, second = default_raw["trainers"][0]["id"], default_raw["trainers"][1]["id"]
    r = client.post("/problems", json=default_raw)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["type"] == "urn:rtcm:invalid-input"
    errors = [e["message"] for e in body["errors"]]
    assert any(e.startswith(f"trainer {first}:") and "NOWHERE" in e for e in errors), errors
    assert any(e.startswith(f"trainer {second}:") and "gender" in e for e in errors), errors
    assert len(errors) == 2
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a YAML syntax error names its line
        ({"file": ("bad.yaml", "name: x\n  calendar: [\n", "application/yaml")}, "line"),
        # a list is not a problem
        ({"file": ("list.json", "[1, 2]", "application/json")}, "does not hold a problem"),
        # aliases could expand a small file into millions of records
        ({"file": ("alias.yaml", "a: &x [1]\nb: *x\n", "application/yaml")}, "aliases"),
        # the multipart upload has no 'file' part
        ({"other": ("p.yaml", "name: x", "application/yaml")}, "'file' part"),
    ],
)
def test_unreadable_uploads_are_422(client, files, expected):
    r = client.post("/problems", files=files)
    assert r.status_code == 422, r.text
    assert any(expected in e["message"] for e in r.json()["errors"]), r.json()


def test_unsupported_formats_are_415(client):
    assert client.post("/problems", content="x", headers={"content-type": "text/plain"}).status_code == 415
    r = client.post("/problems", files={"file": ("notes.txt", "x", "text/plain")})
    assert r.status_code == 415
    assert ".yaml" in r.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/problems/nope"),
        ("DELETE", "/problems/nope"),
        ("POST", "/problems/nope/solve"),
        ("GET", "/jobs/nope"),
        ("DELETE", "/jobs/nope"),
        ("GET", "/jobs/nope/events"),
        ("GET", "/jobs/nope/schedule"),
        ("GET", "/jobs/nope/schedule.xlsx"),
        ("GET", "/jobs/nope/check"),
        ("POST", "/jobs/nope/resubmit"),
        ("GET", "/no/such/route"),
    ],
)
def test_unknown_ids_are_404_problem_details(client, method, path):
    r = client.request(method, path)
    assert r.status_code == 404
    body = r.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == 404 and body["title"] == "Not Found"


def test_request_bodies_are_limited(make_client, tiny_raw):
    client = make_client(max_body_bytes=1000)
    big = json.dumps(tiny_raw)
    r = client.post("/problems", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["type"] == "urn:rtcm:too-large"

    def chunks():  # no Content-Length: counted as it arrives
        for i in range(0, len(big), 500):
            yield big[i : i + 500].encode()

    r = client.post("/problems", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_openapi_and_docs(client):
    schema = client.get("/openapi.json").json()
    paths = {"/problems", "/problems/{problem_id}/solve", "/jobs/{job_id}/events", "/check"}
    assert paths <= set(schema["paths"])
    assert {"Problem", "CheckRequest", "JobOut"} <= set(schema["components"]["schemas"])
    assert client.get("/docs").status_code == 200


DROP = object()


def changed(raw: dict, path: str, value) -> dict:
    """``raw`` with the field at ``path`` ("programme.0.topic") set to ``value``, or dropped."""
    *parents, last = path.split(".")
    node = raw
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DROP:
        del node[last]
    else:
        node[last] = value
    return raw


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # a section left out
        ({"calendar": DROP}, "calendar: value is missing"),
        # a field the format does not have
        ({"colour": "blue"}, "colour is not a known field"),
        # a course of a topic the catalogue lacks
        ({"programme.0.topic": "M9.T9"}, "programme M9.T9: topic is not in the catalogue"),
        # no edition at all
        ({"programme.0.editions": 0}, "programme M1.T1: editions 0"),
        # a horizon that ends before it starts
        ({"calendar.start": "2027-12-31", "calendar.end": "2027-01-01"}, "calendar: horizon ends"),
        # a day that does not exist
        ({"calendar.start": "2027-02-30"}, "calendar: start '2027-02-30'"),
        # a few bytes asking for a billion editions: refused before any is built
        ({"programme.0.editions": 10**9}, "programme: 1000000003 editions in all"),
        # ... also when the number is written as text
        ({"programme.0.editions": "1000000000"}, "programme: 1000000003 editions in all"),
        # a horizon of eight thousand years
        ({"calendar.start": "2000-01-01", "calendar.end": "9999-12-31"}, "calendar: the horizon spans"),
    ],
)
def test_a_table_of_invalid_problems_is_422(client, tiny_raw, changes, expected):
    for path, value in changes.items():
        changed(tiny_raw, path, value)
    r = client.post("/problems", json=tiny_raw)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["message"].startswith(expected) for e in r.json()["errors"]), r.json()["errors"]
    assert [p["id"] for p in client.get("/problems").json()] == ["default"]  # nothing stored


def test_service_limits_apply_to_yaml_too(client, tiny_raw):
    text = yaml.safe_dump(changed(tiny_raw, "programme.0.editions", 10**9))
    r = client.post("/problems", content=text, headers={"content-type": "application/yaml"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith("programme: 1000000003 editions in all")


def test_each_error_points_into_the_document_sent(client, tiny_raw):
    """An error is an object: the message as before, its kind, record and field, and a JSON pointer."""
    trainer = tiny_raw["trainers"][1]["id"]
    tiny_raw["trainers"][1]["unavailable"] = [{"start": "2027-03-20", "end": "2027-03-01"}]
    tiny_raw["prerequisites"] = [{"before": "M1.T1", "after": "M9.T9"}]
    r = client.post("/problems", json=tiny_raw)
    assert r.status_code == 422, r.text
    assert ProblemDetails.model_validate(r.json()).errors  # as the OpenAPI schema says
    assert r.json()["errors"] == [
        {"message": f"trainer {trainer}: unavailable period 1 ends (2027-03-01) before it starts (2027-03-20)",
         "kind": "out_of_order", "pointer": "/trainers/1/unavailable/0/end",
         "record": {"type": "trainer", "id": trainer, "index": None}, "field": ["unavailable", 0, "end"],
         "sheet": None, "cell": None},
        # A prerequisite has no id: its position names it.
        {"message": "prerequisite M1.T1->M9.T9: after topic 'M9.T9' is unknown",
         "kind": "unknown_reference", "pointer": "/prerequisites/0/after",
         "record": {"type": "prerequisite", "id": None, "index": 0}, "field": ["after"],
         "sheet": None, "cell": None},
    ]


@pytest.mark.parametrize(
    ("changes", "kind", "pointer"),
    [
        ({"calendar": DROP}, "missing", "/calendar"),  # a section left out
        ({"colour": "blue"}, "unknown_field", "/colour"),  # a field the format does not have
        ({"programme.0.editions": 0}, "out_of_range", "/programme/0/editions"),
        ({"programme.0.editions": 10**9}, "out_of_range", "/programme"),  # over the service's limits
    ],
)
def test_the_kind_and_pointer_of_invalid_problems(client, tiny_raw, changes, kind, pointer):
    for path, value in changes.items():
        changed(tiny_raw, path, value)
    [error] = client.post("/problems", json=tiny_raw).json()["errors"]
    assert (error["kind"], error["pointer"]) == (kind, pointer), error


def test_a_syntax_error_points_nowhere(client):
    r = client.post("/problems", files={"file": ("bad.yaml", "name: x\n  calendar: [\n", "application/yaml")})
    [error] = r.json()["errors"]
    assert (error["kind"], error["pointer"], error["record"]) == ("unreadable", None, None)
    assert error["message"].startswith("not valid YAML at line")
