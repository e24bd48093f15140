"""Absence risk over HTTP (``POST /jobs/{id}/robustness``, ``POST /published/{n}/robustness``): a run of
its own kind that re-plans a calendar in sampled futures, reports its progress over the event stream,
keeps the report of the futures it finished when stopped, and gives the workbook ``rtcm robustness
--out`` writes.

The calendar is ``tiny`` (four courses of the real catalogue, tests/api/conftest.py) solved over
HTTP, which chooses its backups. With each person away on a course day with probability 0.2 and
seed 1, its first futures break one to three of its four editions; each re-plan is small enough to
be proven optimal within its 5 s, so the run gives the very report
:func:`scenarios.robustness.robustness` gives for the same calendar, rates and seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

import openpyxl
import psutil
import pytest
from fastapi.testclient import TestClient

from api.jobs import RobustnessProgress
from api.store import DEFAULT_PROBLEM_ID, ENDED_STATES
from api.wire import dump
from model.formats.excel_robustness import HISTOGRAM, SHEET
from model.formats.files import problem_from_data
from model.robustness import MAX_SAMPLES, AbsenceRates, RobustnessReport
from model.schedule import Schedule
from scenarios.robustness import robustness
from tests.api.conftest import poll
from tests.api.test_api_rtcm_2027 import parse_sse

RATE = 0.2
SEED = 1
LIMIT_S = 5.0  # each re-plan; tiny's are optimal within a second or two
PROVEN = {"OPTIMAL", "UNCHANGED"}  # re-plans that give the same calendar in any process


def wait_for_run(client: TestClient, run_id: str, states: Iterable[str] = ENDED_STATES, timeout: float = 120,
                 until: Callable[[dict], bool] | None = None) -> dict:
    return poll(client, run_id, states, timeout, until, under="/robustness/runs")


def solved_tiny(client: TestClient, tiny_raw: dict[str, Any]) -> str:
    """``tiny`` stored and solved over HTTP (its backups chosen with it): the job's id."""
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1}).json()
    job = poll(client, job["id"])
    assert job["state"] == "done" and job["summary"]["status"] == "OPTIMAL", job
    return str(job["id"])


def stored_calendar(client: TestClient, schedule: Schedule, state: str = "done") -> str:
    """A job of the default problem that ended (``state``) with ``schedule`` as its calendar, as a solve
    leaves it; queued or running with none."""
    store = client.app.state.store  # type: ignore[attr-defined]
    row = store.add_job(DEFAULT_PROBLEM_ID, {"time_limit_s": 1.0})
    if state in ENDED_STATES:
        store.finish(row.id, state, schedule_json=schedule.model_dump_json() if state == "done" else None)
    elif state == "running":
        store.mark_running(row.id)
    return str(row.id)


def robustness_runs(client: TestClient) -> int:
    return client.app.state.store.job_page(kind="robustness")[1]  # type: ignore[attr-defined,no-any-return]


def without_runtime(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "runtime_s"}


# ------------------------------------------------------------------------------ a whole run


def test_a_run_follows_its_futures_and_reports_what_the_robustness_sweep_reports(
        make_client: Callable[..., TestClient], tiny_raw: dict[str, Any]) -> None:
    client = make_client()
    job_id = solved_tiny(client, tiny_raw)
    body = {"samples": 4, "absence_rate": RATE, "week_rate": 0.0, "seed": SEED, "time_limit_s": LIMIT_S}
    r = client.post(f"/jobs/{job_id}/robustness", json=body)
    assert r.status_code == 202, r.text
    run = r.json()
    assert r.headers["Location"] == f"/robustness/runs/{run['id']}"
    assert (run["job_id"], run["version"], run["problem"], run["editions"]) == (job_id, None, "tiny", 4)
    assert (run["samples"], run["absence_rate"], run["seed"]) == (4, RATE, SEED)
    assert run["processes"] >= 1 and run["backend"] == "local" and run["report"] is None
    assert run["links"]["calendar"] == f"/jobs/{job_id}/schedule" and "workbook" not in run["links"]

    with client.stream("GET", run["links"]["events"]) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(stream.iter_lines())
    progress = [RobustnessProgress.model_validate(data) for kind, data in events if kind == "progress"]
    assert ("state", {"state": "running"}) in events
    # Once as the futures start, then as each ends: done counts up to all four, the time with it.
    assert progress[0].done == 0 and progress[0].estimate_s is None
    assert [p.done for p in progress] == sorted(p.done for p in progress) and progress[-1].done == 4
    assert all(p.total == 4 for p in progress)
    assert all(p.estimate_s is not None for p in progress if p.done)
    assert [p.elapsed_s for p in progress] == sorted(p.elapsed_s for p in progress)
    kind, end = events[-1]
    assert kind == "end" and end["state"] == "done" and end["message"] is None, end
    assert end["progress"]["done"] == end["progress"]["total"] == 4 and end["progress"]["estimate_s"] is None

    run = client.get(f"/robustness/runs/{run['id']}", params={"futures": "true"}).json()
    report = RobustnessReport.model_validate(run["report"])
    assert report.samples == report.requested == 4
    assert all(f.without_backups.status in PROVEN and f.with_backups.status in PROVEN for f in report.futures)
    assert any(f.broken for f in report.futures), "a rate of 0.2 breaks some edition in four futures"

    # The same calendar, rates and seed through the sweep itself: the same report, time aside.
    schedule = Schedule.model_validate_json(client.get(f"/jobs/{job_id}/schedule").content)
    expected = robustness(schedule, 4, AbsenceRates(day=RATE), SEED, processes=2, time_limit_s=LIMIT_S)
    assert without_runtime(run["report"]) == without_runtime(dump(expected))
    # Without every future by default; the histogram counts them all the same.
    plain = client.get(f"/robustness/runs/{run['id']}").json()
    assert plain["report"]["futures"] == [] and without_runtime(plain["report"]) == without_runtime(
        dump(expected.model_copy(update={"futures": []})))
    changed = [(len(f.without_backups.changed), len(f.with_backups.changed)) for f in expected.futures]
    assert [(b["without_backups"], b["with_backups"]) for b in plain["histogram"]] == [
        (sum(1 for w, _ in changed if w == k), sum(1 for _, b in changed if b == k))
        for k in range(max(max(pair) for pair in changed) + 1)]
    assert sum(b["without_backups"] for b in plain["histogram"]) == 4

    r = client.get(plain["links"]["workbook"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"] == f'attachment; filename="rtcm-robustness-{run["id"][:8]}.xlsx"'
    sheet = openpyxl.load_workbook(BytesIO(r.content))[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    head = next(i for i, row in enumerate(rows) if row[0] == HISTOGRAM)
    bars = [(row[0], row[1], row[2]) for row in rows[head + 1:head + 1 + len(plain["histogram"])]]
    assert bars == [(b["editions"], b["without_backups"], b["with_backups"]) for b in plain["histogram"]]
    assert len(sheet._charts) == 1

    # Stored with the run: a restart of the service forgets none of it, and its stream ends at once.
    again = make_client()
    assert again.get(f"/robustness/runs/{run['id']}", params={"futures": "true"}).json()["report"] == run["report"]
    with again.stream("GET", f"/robustness/runs/{run['id']}/events") as stream:
        assert [kind for kind, _ in parse_sse(stream.iter_lines())] == ["progress", "end"]


def test_a_published_version_is_re_planned_as_a_solve_s_calendar_is(client: TestClient,
                                                                        tiny_raw: dict[str, Any]) -> None:
    # A calendar published before its solves chose backups (the run chooses them); nobody away: nothing breaks.
    job_id = solved_tiny(client, tiny_raw)
    schedule = Schedule.model_validate_json(client.get(f"/jobs/{job_id}/schedule").content)
    bare = stored_calendar(client, schedule.model_copy(update={"backups": None}))
    version = client.post(f"/jobs/{bare}/publish", json={"note": "before backups"}).json()["number"]
    r = client.post(f"/published/{version}/robustness", json={"samples": 2, "absence_rate": 0, "seed": SEED})
    assert r.status_code == 202, r.text
    run = r.json()
    assert (run["job_id"], run["version"]) == (None, version)
    assert run["links"]["calendar"] == f"/published/{version}"
    run = wait_for_run(client, run["id"])
    assert run["state"] == "done", run
    report = run["report"]
    assert report["samples"] == 2 and report["broken"]["most"] == 0
    assert report["without_backups"]["untouched"] == report["with_backups"]["untouched"] == 1.0
    assert run["histogram"] == [{"editions": 0, "without_backups": 2, "with_backups": 2}]


def test_a_ray_cluster_named_by_the_environment_runs_the_futures(client: TestClient, tiny_raw: dict[str, Any],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # As `rtcm robustness` does: RTCM_RAY_ADDRESS names the cluster. Nothing answers at this one, so the
    # run fails saying so, before anything is re-planned.
    calendar = stored_calendar(client, Schedule(problem=problem_from_data(tiny_raw, "tiny"), editions=[]))
    monkeypatch.setenv("RTCM_RAY_ADDRESS", "127.0.0.1:9")
    run = client.post(f"/jobs/{calendar}/robustness", json={"samples": 2}).json()
    assert run["backend"] == "ray"
    run = wait_for_run(client, run["id"])
    assert run["state"] == "failed" and run["report"] is None, run
    assert run["message"].startswith("the run failed: the Ray cluster at 127.0.0.1:9 cannot be reached"), run


# ----------------------------------------------------------------------------- stopping


def test_a_stopped_run_keeps_the_futures_it_finished(client: TestClient, tiny_raw: dict[str, Any]) -> None:
    job_id = solved_tiny(client, tiny_raw)
    body = {"samples": 60, "absence_rate": RATE, "seed": SEED, "time_limit_s": LIMIT_S}
    run = client.post(f"/jobs/{job_id}/robustness", json=body).json()
    run = wait_for_run(client, run["id"], ("running",), until=lambda r: (r["progress"] or {}).get("done", 0) >= 1)
    assert run["progress"]["total"] == 60 and run["progress"]["elapsed_s"] > 0
    assert client.get(f"/robustness/runs/{run['id']}/robustness.xlsx").status_code == 409

    stopped = client.delete(f"/robustness/runs/{run['id']}").json()
    assert stopped["state"] == "cancelled", stopped
    report = stopped["report"]
    done = report["samples"]
    assert 1 <= done < 60 and report["requested"] == 60
    assert stopped["message"] == f"cancelled; {done} of 60 futures re-planned; the report covers those"
    assert stopped["progress"] == {"done": done, "total": 60, "elapsed_s": stopped["progress"]["elapsed_s"],
                                   "estimate_s": None}
    futures = client.get(f"/robustness/runs/{run['id']}", params={"futures": "true"}).json()["report"]["futures"]
    samples = [f["sample"] for f in futures]
    assert len(samples) == done and samples == sorted(samples) and all(0 <= s < 60 for s in samples)
    assert sum(b["without_backups"] for b in stopped["histogram"]) == done
    sheet = openpyxl.load_workbook(BytesIO(client.get(stopped["links"]["workbook"]).content))[SHEET]
    assert sheet["A1"].value == f"Absence risk: the calendar in {done} sampled future" + ("s" if done > 1 else "")
    # Stopping it again changes nothing.
    assert client.delete(f"/robustness/runs/{run['id']}").json()["report"] == report


def test_a_run_whose_process_dies_keeps_the_futures_it_had_re_planned(client: TestClient,
                                                                     tiny_raw: dict[str, Any]) -> None:
    # Each future is sent to the service as it ends: a run whose process dies (killed, as the memory
    # watchdog or the kernel would) keeps their report, not only their count.
    job_id = solved_tiny(client, tiny_raw)
    body = {"samples": 60, "absence_rate": RATE, "seed": SEED, "time_limit_s": LIMIT_S}
    run = client.post(f"/jobs/{job_id}/robustness", json=body).json()
    wait_for_run(client, run["id"], ("running",), until=lambda r: (r["progress"] or {}).get("done", 0) >= 2)
    # The run's process is this one's child that started the futures' processes.
    runs = [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline()) and p.children()]
    assert len(runs) == 1
    for process in [*runs[0].children(recursive=True), runs[0]]:
        process.kill()

    ended = wait_for_run(client, run["id"])
    report = ended["report"]
    done = report["samples"]
    assert ended["state"] == "failed" and 2 <= done < 60 and report["requested"] == 60, ended
    assert ended["message"] == ("the solver process ended unexpectedly (signal SIGKILL); the report of the "
                                f"{done} of 60 futures re-planned before is kept")
    # The very futures the sweep gives for those samples, in sample order.
    calendar = Schedule.model_validate_json(client.get(f"/jobs/{job_id}/schedule").content)
    futures = client.get(f"/robustness/runs/{run['id']}", params={"futures": "true"}).json()["report"]["futures"]
    samples = [f["sample"] for f in futures]
    assert len(samples) == done and samples == sorted(samples)
    assert all(f["without_backups"]["status"] in PROVEN for f in futures)
    alone = robustness(calendar, max(samples) + 1, AbsenceRates(day=RATE), SEED, processes=1, time_limit_s=LIMIT_S)
    by_sample = {f.sample: f.model_dump(mode="json") for f in alone.futures}
    assert futures == [by_sample[s] for s in samples]
    assert client.get(ended["links"]["workbook"]).status_code == 200


def test_a_run_the_service_stopped_with_says_so_and_keeps_its_count(make_client: Callable[..., TestClient]) -> None:
    # A run left running by a service that ended (killed, say): its futures done were stored as it went.
    client = make_client()
    store = client.app.state.store  # type: ignore[attr-defined]
    shown = {"job_id": "j", "version": None, "problem": "tiny", "editions": 4, "samples": 50, "absence_rate": 0.03,
             "week_rate": 0.0, "seed": 0, "time_limit_s": 8.0, "processes": 2, "backend": "local"}
    row = store.add_job(DEFAULT_PROBLEM_ID, shown, kind="robustness")
    store.mark_running(row.id)
    store.save_progress(row.id, dump(RobustnessProgress(done=12, total=50, elapsed_s=30.0, estimate_s=95.0)))

    again = make_client()  # a new service on the same database
    run = again.get(f"/robustness/runs/{row.id}").json()
    assert run["state"] == "interrupted" and run["report"] is None
    assert run["message"].startswith("the service stopped while this robustness run was running")
    assert (run["progress"]["done"], run["progress"]["total"]) == (12, 50)
    assert "workbook" not in run["links"]
    r = again.get(f"/robustness/runs/{row.id}/robustness.xlsx")
    assert r.status_code == 404 and "without a future re-planned" in r.json()["detail"]


# ------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(("body", "field", "words"), [
    # no future, or more than one run may draw
    ({"samples": 0}, "samples", f"draw 1 to {MAX_SAMPLES:,} futures"),
    ({"samples": MAX_SAMPLES + 1}, "samples", f"draw 1 to {MAX_SAMPLES:,} futures"),
    # a probability above one, or below nothing
    ({"absence_rate": 1.5}, "absence_rate", "a probability, from 0 to 1"),
    ({"week_rate": -0.1}, "week_rate", "a probability, from 0 to 1"),
    # no time to re-plan, or more than a re-plan may take
    ({"time_limit_s": 0}, "time_limit_s", "greater than 0"),
    ({"time_limit_s": 121}, "time_limit_s", "less than or equal to 120"),
    # a seed below nothing
    ({"seed": -1}, "seed", "greater than or equal to 0"),
    # a field the request does not have
    ({"rate": 0.1}, "rate", "extra"),
])
@pytest.mark.parametrize("source", ["job", "published"])
def test_a_bad_request_is_422_naming_the_field_and_starts_nothing(client: TestClient, tiny_raw: dict[str, Any],
                                                                    source: str, body: dict, field: str,
                                                                    words: str) -> None:
    calendar = stored_calendar(client, Schedule(problem=problem_from_data(tiny_raw, "tiny"), editions=[]))
    path = f"/jobs/{calendar}/robustness"
    if source == "published":
        path = f"/published/{client.post(f'/jobs/{calendar}/publish').json()['number']}/robustness"
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    named = [e for e in errors if e["field"][:1] == [field]]
    assert named and len(named) == len(errors), errors
    assert any(words in e["message"] for e in named), errors
    assert all(e["message"].startswith(field) and e["pointer"] == f"/{field}" for e in named), errors
    assert robustness_runs(client) == 0


def test_every_setting_out_of_range_is_named_at_once(client: TestClient, tiny_raw: dict[str, Any]) -> None:
    calendar = stored_calendar(client, Schedule(problem=problem_from_data(tiny_raw, "tiny"), editions=[]))
    r = client.post(f"/jobs/{calendar}/robustness", json={"samples": -3, "absence_rate": 2, "week_rate": 7})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [["samples"], ["absence_rate"], ["week_rate"]]
    assert robustness_runs(client) == 0


def test_unknown_ids_are_404_and_a_calendar_not_there_yet_409(client: TestClient, tiny_raw: dict[str, Any]) -> None:
    for method, path, words in [
            ("POST", "/jobs/nope/robustness", "job 'nope' does not exist"),
            ("POST", "/published/7/robustness", "published version '7' does not exist"),
            ("GET", "/robustness/runs/nope", "robustness run 'nope' does not exist"),
            ("GET", "/robustness/runs/nope/events", "robustness run 'nope' does not exist"),
            ("DELETE", "/robustness/runs/nope", "robustness run 'nope' does not exist"),
            ("GET", "/robustness/runs/nope/robustness.xlsx", "robustness run 'nope' does not exist")]:
        r = client.request(method, path)
        assert r.status_code == 404 and words in r.json()["detail"], (path, r.text)
    schedule = Schedule(problem=problem_from_data(tiny_raw, "tiny"), editions=[])
    # a solve still running has no calendar yet; one that failed has none at all
    r = client.post(f"/jobs/{stored_calendar(client, schedule, 'running')}/robustness", json={})
    assert r.status_code == 409 and "is running" in r.json()["detail"]
    r = client.post(f"/jobs/{stored_calendar(client, schedule, 'failed')}/robustness", json={})
    assert r.status_code == 404 and "without a calendar" in r.json()["detail"]
    assert robustness_runs(client) == 0
    # a solve is no robustness run
    done = stored_calendar(client, schedule)
    assert client.get(f"/robustness/runs/{done}").status_code == 404
