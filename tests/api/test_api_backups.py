"""A solve job's calendar carries its backups, and the job's check re-verifies them.

``tiny_raw``: four courses of the real catalogue, optimal in a couple of seconds. ``tiny_schedule``
(tests/test_excel.py) is the hand-made calendar whose backups tests/scheduler/test_backups.py derives.
"""

from __future__ import annotations

from api.jobs import Work
from api.store import Store
from model.schedule import BackupReport, EditionBackups, MemberBackup
from scheduler.backups import backups
from scheduler.solve import SolveOptions
from tests.api.test_api_published import finished_job
from tests.test_excel import tiny_schedule


def test_a_solve_job_s_calendar_carries_backups_that_check(client, tiny_raw, wait_for) -> None:
    pid = client.post("/problems", json=tiny_raw).json()["id"]
    job = client.post(f"/problems/{pid}/solve", json={"time_limit_s": 20, "workers": 1, "deterministic": True}).json()
    job = wait_for(client, job["id"])
    assert job["state"] == "done" and job["has_schedule"], job
    schedule = client.get(f"/jobs/{job['id']}/schedule").json()
    carried = BackupReport.model_validate(schedule["backups"])
    assert [e.edition for e in carried.editions] == [e["edition"] for e in schedule["editions"]]
    assert carried.roles == sum(len(e["trainers"]) for e in schedule["editions"])
    report = client.get(f"/jobs/{job['id']}/check").json()
    assert report["ok"] and report["violations"] == [], report["violations"]


def test_the_job_s_check_reports_a_wrong_backup(client) -> None:
    store: Store = client.app.state.store
    good = tiny_schedule()
    good.backups = backups(good)
    assert client.get(f"/jobs/{finished_job(store, good.model_dump_json())}/check").json()["ok"]
    wrong = good.model_copy(update={"backups": BackupReport(editions=[EditionBackups(
        edition="M1.T1#1", members=[MemberBackup(trainer="T1"), MemberBackup(trainer="T4", backup="T1")],
        room="HALL")])})
    report = client.get(f"/jobs/{finished_job(store, wrong.model_dump_json())}/check").json()
    assert not report["ok"]
    assert [(v["rule"], v["records"], v["message"]) for v in report["violations"]] == [
        ("backups_can_step_in", ["M1.T1#1", "T4", "T1"], "M1.T1#1: T1, the backup of T4, is on the team already")]


def test_a_solve_job_chooses_backups_and_a_scenario_run_does_not() -> None:
    options = SolveOptions(time_limit_s=5)
    assert Work("solve", "{}", options).job_options.backups
    assert not Work("scenario", "{}", options, base_json="{}").job_options.backups
    assert not options.backups  # the request's own options stay as asked
