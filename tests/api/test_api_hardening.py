"""Hostile or careless requests: each answers 4xx problem details at once, never 500 or a failed job."""

from __future__ import annotations

import codecs
import math
from datetime import date

import pytest
from pydantic import ValidationError

from api.store import Store
from api.uploads import MAX_PERIODS, _refuse_bombs
from api.wire import SolveRequest
from model.calendar import MAX_HORIZON_DAYS, CalendarSpec
from model.errors import InputError
from model.formats.excel_input import write_template
from model.formats.files import problem_from_data
from model.problem import Problem
from tests.api.test_api_uploads import billion_laughs, upload, workbook_with

PROBLEM_JSON = "application/problem+json"


def assert_problem_details(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["status"] == status
    return r.json()


def stored_ids(client) -> list[str]:
    return [p["id"] for p in client.get("/problems").json()]


# ------------------------------------------------------------------- dates and the horizon


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("end", 7258118400),  # 2200-01-01 as Unix seconds
        ("end", 7258118400.0),  # ... as a float
        ("end", "7258118400"),  # ... as text
        ("end", 7258118400000),  # ... in milliseconds
        ("end", 1830297600),  # 2028-01-01 as Unix seconds: within the limit, but no planner writes that
        ("start", 0),  # 1970-01-01
    ],
)
def test_a_horizon_date_sent_as_a_number_is_refused(client, tiny_raw, field, value):
    tiny_raw["calendar"][field] = value
    body = assert_problem_details(client.post("/problems", json=tiny_raw), 422)
    assert any(e["pointer"] == f"/calendar/{field}" for e in body["errors"]), body["errors"]
    assert stored_ids(client) == ["default"]


def test_the_horizon_limit_is_the_model_s_so_files_and_workbooks_get_it(tiny_raw):
    start = date(2027, 1, 1)
    CalendarSpec(start=start, end=date.fromordinal(start.toordinal() + MAX_HORIZON_DAYS))  # at the limit
    with pytest.raises(ValidationError, match="the horizon spans"):
        CalendarSpec(start=start, end=date(2200, 1, 1))
    tiny_raw["calendar"]["end"] = "2200-01-01"
    with pytest.raises(InputError) as err:
        problem_from_data(tiny_raw)
    assert [i.message for i in err.value.issues] == [
        f"calendar: the horizon spans {(date(2200, 1, 1) - start).days} days; at most {MAX_HORIZON_DAYS} "
        "(five years) are planned"]


def test_dates_elsewhere_refuse_numbers_too(client, tiny_raw):
    tiny_raw["calendar"]["closures"] = [{"start": "2027-08-01", "end": 1861920000}]
    tiny_raw["programme"][0]["latest_end"] = 1830297600
    body = assert_problem_details(client.post("/problems", json=tiny_raw), 422)
    pointers = {e["pointer"] for e in body["errors"]}
    assert {"/calendar/closures/0/end", "/programme/0/latest_end"} <= pointers, body["errors"]


# ------------------------------------------------------------------- bodies parsers choke on

DEEP_JSON = "[" * 100_000 + "]" * 100_000
LONG_INT_JSON = '{"name": ' + "9" * 5000 + "}"


@pytest.mark.parametrize("path", ["/problems", "/check"])
@pytest.mark.parametrize("body", [DEEP_JSON, LONG_INT_JSON], ids=["nested-100000-deep", "5000-digit-integer"])
def test_a_json_body_the_parser_cannot_take_is_4xx(client, path, body):
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    errors = assert_problem_details(r, 422)["errors"]
    assert errors and errors[0]["kind"] == "unreadable", errors


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, "a:\n" + "".join(f"{' ' * i}- \n" for i in range(1, 3000)),
     "name: " + "9" * 5000, "{" * 100_000],
    ids=["flow-nested", "block-nested", "5000-digit-integer", "unclosed"])
def test_a_yaml_body_the_parser_cannot_take_is_4xx(client, body):
    r = client.post("/problems", content=body, headers={"content-type": "application/yaml"})
    assert_problem_details(r, 422)


@pytest.mark.parametrize("body", [DEEP_JSON, '{"seed": ' + "9" * 5000 + "}"])
def test_a_solve_body_the_parser_cannot_take_is_4xx(client, body):
    r = client.post("/problems/default/solve", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"] == PROBLEM_JSON


# ------------------------------------------------------------------- numeric request fields


@pytest.mark.parametrize(
    "options",
    [
        {"seed": 2**31},  # CP-SAT's seed is an int32
        {"seed": -1},
        {"time_limit_s": 0},
        {"time_limit_s": 1e308},
        {"relative_gap": 1},
        {"relative_gap": -0.1},
        {"workers": 0},
        {"workers": 10**6},
    ],
)
def test_a_solve_option_out_of_range_is_422_at_once(client, options):
    errors = assert_problem_details(client.post("/problems/default/solve", json=options), 422)["errors"]
    assert [e["pointer"] for e in errors] == [f"/{next(iter(options))}"], errors
    assert client.get("/jobs").json() == []  # no job that would fail later


@pytest.mark.parametrize("field", ["time_limit_s", "relative_gap"])
@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_a_solve_option_that_is_not_a_number_is_422(client, field, value):
    r = client.post("/problems/default/solve", content=f'{{"{field}": {value}}}',
                    headers={"content-type": "application/json"})
    assert_problem_details(r, 422)
    assert client.get("/jobs").json() == []


def test_the_bounds_themselves_are_accepted():
    options = SolveRequest(seed=2**31 - 1, time_limit_s=600, relative_gap=0.99, workers=1)
    assert options.options().seed == 2**31 - 1
    assert not math.isnan(options.relative_gap)


# ------------------------------------------------------------------- methods not allowed


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/problems", ["GET", "POST"]),
        ("PATCH", "/problems/default", ["GET", "DELETE"]),
        ("PUT", "/jobs/some-job", ["GET", "DELETE"]),
        ("GET", "/check", ["POST"]),
    ],
)
def test_a_405_names_the_allowed_methods(client, method, path, allowed):
    r = client.request(method, path)
    body = assert_problem_details(r, 405)
    assert [m.strip() for m in r.headers.get("allow", "").split(",")] == allowed
    assert body["detail"] == f"{method} is not allowed on {path}; use {', '.join(allowed)}"


# ------------------------------------------------------------------- entity declarations in workbooks


def bomb_in(encoding: str, padding: str = "") -> bytes:
    xml = billion_laughs().replace('encoding="UTF-8"', f'encoding="{encoding}"')
    declaration, rest = xml.split("\n", 1)
    text = f"{declaration}\n{padding}{rest}"
    bom = {"UTF-16": codecs.BOM_UTF16_LE, "UTF-32": codecs.BOM_UTF32_LE}.get(encoding, b"")
    codec = {"UTF-16": "utf-16-le", "UTF-32": "utf-32-le"}.get(encoding, encoding)
    return bom + text.encode(codec)


@pytest.mark.parametrize(
    "content",
    [
        bomb_in("UTF-8", " " * 5000),  # whitespace pushes the DTD past the first kilobytes
        bomb_in("UTF-8", "\n".join(f"<!-- {i:04d} -->" for i in range(2000)) + "\n"),  # so do comments
        bomb_in("UTF-8", "<?pi " + "x" * 200_000 + "?>\n"),  # and a processing instruction
        bomb_in("UTF-16"),
        bomb_in("UTF-16", " " * 5000),
        bomb_in("UTF-16BE"),  # no byte-order mark: told by the byte pattern of '<?'
        bomb_in("UTF-32"),
    ],
    ids=["utf8-whitespace", "utf8-comments", "utf8-pi", "utf16", "utf16-padded", "utf16be", "utf32"],
)
def test_an_entity_declaration_anywhere_in_a_prolog_is_refused_by_name(client, content):
    r = upload(client, "bomb.xlsx", workbook_with("xl/worksheets/sheet1.xml", content))
    errors = assert_problem_details(r, 422)["errors"]
    assert any("declares a DTD or XML entities" in e["message"] for e in errors), errors


def test_a_doctype_named_in_a_comment_is_not_a_declaration():
    # Only a declaration is refused: text that merely mentions one passes the check.
    part = ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- no <!DOCTYPE here -->\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
    _refuse_bombs(workbook_with("xl/worksheets/sheet1.xml", part), "ok.xlsx")


# ------------------------------------------------------------------- names and paging


def test_a_problem_name_is_at_most_200_characters(client, tiny_raw):
    tiny_raw["name"] = "x" * 201
    errors = assert_problem_details(client.post("/problems", json=tiny_raw), 422)["errors"]
    assert [e["pointer"] for e in errors] == ["/name"], errors
    tiny_raw["name"] = "x" * 200
    assert client.post("/problems", json=tiny_raw).status_code == 201


def test_problems_are_listed_a_page_at_a_time(client, tiny_raw):
    for i in range(3):
        tiny_raw["name"] = f"tiny {i}"
        assert client.post("/problems", json=tiny_raw).status_code == 201
    everything = client.get("/problems")
    assert everything.headers["x-total-count"] == "4"
    assert [p["name"] for p in everything.json()][1:] == ["tiny 0", "tiny 1", "tiny 2"]
    first = client.get("/problems", params={"limit": 2})
    second = client.get("/problems", params={"limit": 2, "offset": 2})
    assert first.headers["x-total-count"] == second.headers["x-total-count"] == "4"
    assert first.json() + second.json() == everything.json()
    assert client.get("/problems", params={"offset": 10}).json() == []


def test_jobs_are_listed_a_page_at_a_time(client, tiny_raw):
    store: Store = client.app.state.store  # jobs recorded as queued, none run
    made = [store.add_job("default", SolveRequest().model_dump()).id for _ in range(3)]
    store.add_job(client.post("/problems", json=tiny_raw).json()["id"], SolveRequest().model_dump())
    first = client.get("/jobs", params={"problem_id": "default", "limit": 2})
    second = client.get("/jobs", params={"problem_id": "default", "limit": 2, "offset": 2})
    assert first.headers["x-total-count"] == second.headers["x-total-count"] == "3"
    assert {j["id"] for j in first.json() + second.json()} == set(made)
    assert client.get("/jobs").headers["x-total-count"] == "4"


@pytest.mark.parametrize("path", ["/problems", "/jobs"])
@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 10**30}])
def test_a_page_out_of_range_is_422(client, path, params):
    assert_problem_details(client.get(path, params=params), 422)


def test_a_job_stored_with_an_option_now_out_of_range_is_not_resubmitted(client):
    store: Store = client.app.state.store
    old = store.add_job("default", {**SolveRequest().model_dump(), "seed": 2**31})
    store.finish(old.id, "failed", message="the seed was out of range")
    assert client.get(f"/jobs/{old.id}").status_code == 200  # still listed as it ran
    assert_problem_details(client.post(f"/jobs/{old.id}/resubmit"), 409)


# ------------------------------------------------------------------- a calendar checked by hand


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("start", 1830297600, "/editions/0/start"),  # 2028-01-01 as Unix seconds
        ("end", "1830297600", "/editions/0/end"),  # ... as text
        ("days", ["2027-01-04", 1830297600.0], "/editions/0/days/1"),  # ... as a float among the days
    ],
)
def test_a_checked_calendar_s_dates_refuse_numbers(client, field, value, pointer):
    edition = {"edition": "M1.T1#1", "topic": "M1.T1", "number": 1, "start": "2027-01-04", "end": "2027-01-05",
               "days": ["2027-01-04", "2027-01-05"], "mode": "hybrid", "trainers": []}
    r = client.post("/check", json={"problem_id": "default", "editions": [{**edition, field: value}]})
    errors = assert_problem_details(r, 422)["errors"]
    assert [e["pointer"] for e in errors] == [pointer], errors
    assert "is not a date: write it as 2027-03-01" in errors[0]["message"]
    assert client.post("/check", json={"problem_id": "default", "editions": [edition]}).status_code == 200


# ------------------------------------------------------------------- lists of periods


@pytest.mark.parametrize(
    ("where", "pointer", "message"),
    [
        (lambda raw: raw["calendar"], "/calendar/closures", "calendar: 2001 closures"),
        (lambda raw: raw["trainers"][6], "/trainers/6/unavailable", "trainer T07: 2001 unavailable periods"),
        (lambda raw: raw["venues"][0]["rooms"][1], "/venues/0/rooms/1/closures", "room RTCM-A: 2001 closures"),
    ],
    ids=["centre closures", "trainer absences", "room closures"],
)
def test_a_list_of_periods_is_bounded_on_the_wire(client, tiny_raw, where, pointer, message):
    # Each period is walked over every edition and every day it covers: a 10 MB body of them
    # would have the service walk hundreds of thousands. A planner's lists stay far below.
    field = pointer.rsplit("/", 1)[1]
    where(tiny_raw)[field] = [{"start": "2027-08-02", "end": "2027-08-03"}] * (MAX_PERIODS + 1)
    errors = assert_problem_details(client.post("/problems", json=tiny_raw), 422)["errors"]
    assert [(e["pointer"], e["kind"]) for e in errors] == [(pointer, "out_of_range")], errors
    assert errors[0]["message"] == f"{message}; the service takes at most {MAX_PERIODS} in one list"
    where(tiny_raw)[field] = where(tiny_raw)[field][:MAX_PERIODS]  # at the limit
    assert client.post("/problems", json=tiny_raw).status_code == 201


def test_a_workbook_s_lists_of_periods_are_bounded_too(client, tiny_raw, tmp_path):
    tiny_raw["trainers"][0]["unavailable"] = [{"start": "2027-08-02", "end": "2027-08-03"}] * (MAX_PERIODS + 1)
    path = tmp_path / "many.xlsx"
    write_template(Problem.model_validate(tiny_raw), path)  # the model itself sets no such limit
    errors = assert_problem_details(upload(client, "many.xlsx", path.read_bytes()), 422)["errors"]
    assert [e["message"] for e in errors] == [
        f"trainer T01: {MAX_PERIODS + 1} unavailable periods; the service takes at most {MAX_PERIODS} in one list"]


def test_a_scenario_s_changes_are_bounded(client):
    changes = [{"type": "room_closed", "room": "RTCM-A", "start": "2027-08-02", "end": "2027-08-03"}] * 201
    r = client.post("/scenarios/run", json={"job_id": "any", "changes": changes})
    errors = assert_problem_details(r, 422)["errors"]
    assert [e["pointer"] for e in errors] == ["/changes"], errors


# ------------------------------------------------------------------- the schema says what the guard answers


def test_the_schema_documents_421_everywhere_and_403_503_on_writes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            codes = operation["responses"]
            assert "does not answer to" in codes["421"]["description"], (method, path)
            assert codes["421"]["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                assert "another site's page" in codes["403"]["description"], (method, path)
                assert "Retry-After" in codes["503"]["headers"], (method, path)


def test_the_jobs_page_is_the_store_s(client, tiny_raw):
    store: Store = client.app.state.store
    made = [store.add_job("default", SolveRequest().model_dump()).id for _ in range(3)]
    rows, total = store.job_page("default", limit=2, offset=1)
    assert total == 3 and [r.id for r in rows] == made[::-1][1:3]
    assert store.job_page(state="done") == ([], 0)
    assert store.job_page(kind="scenario") == ([], 0)
