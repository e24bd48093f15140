"""Re-planning sampled futures: frozen where the calendar can stay, checked, and the same in any number of
processes. ``tiny_schedule`` as in tests/model/test_robustness.py (T2 backs up T4 on M1.T1#1)."""

from __future__ import annotations

from datetime import date

import openpyxl
from typer.testing import CliRunner

from cli.app import app
from model.check import check
from model.formats.files import schedule_json
from model.robustness import AbsenceRates, Future, RobustnessReport, with_absences
from model.schedule import BackupReport, EditionBackups, MemberBackup
from scenarios.robustness import frozen_calendar, replan_frozen, robustness
from scheduler.solve import SolveOptions
from tests.test_excel import tiny_schedule

OPTIONS = SolveOptions(time_limit_s=10, workers=1, deterministic=True, seat=False)


def test_a_broken_edition_is_re_planned_and_the_rest_stays_frozen():
    published = tiny_schedule()
    future = Future(sample=0, away={"T4": [date(2027, 3, 3)]})
    problem = with_absences(published.problem, future)
    result, unfrozen = frozen_calendar(published, problem, {"M1.T1#1"}, {}, OPTIONS)
    assert result.found and not unfrozen
    assert check(result.schedule) == []  # under the future's absences
    assert result.schedule.by_edition["M2.T1#1"] == published.by_edition["M2.T1#1"]
    moved = result.schedule.by_edition["M1.T1#1"]
    assert "T4" not in moved.trainers or date(2027, 3, 3) not in moved.days
    plan = replan_frozen(published, problem, {"M1.T1#1"}, {}, OPTIONS)
    assert plan.changed == ["M1.T1#1"] and plan.dropped == []


def test_backups_stepping_in_are_no_change():
    published = tiny_schedule()
    future = Future(sample=0, away={"T4": [date(2027, 3, 3)]})
    problem = with_absences(published.problem, future)
    result, _ = frozen_calendar(published, problem, set(), {"M1.T1#1": ["T1", "T2"]}, OPTIONS)
    assert check(result.schedule) == [] and result.schedule.by_edition["M1.T1#1"].trainers == ["T1", "T2"]
    plan = replan_frozen(published, problem, set(), {"M1.T1#1": ["T1", "T2"]}, OPTIONS)
    assert (plan.changed, plan.moved, plan.dropped) == ([], [], [])


def test_the_same_futures_in_one_process_or_two():
    rates = AbsenceRates(day=0.4, week=0.02)
    one = robustness(tiny_schedule(), 4, rates, seed=3, processes=1, time_limit_s=5)
    two = robustness(tiny_schedule(), 4, rates, seed=3, processes=2, time_limit_s=5)
    assert one.model_dump(exclude={"runtime_s"}) == two.model_dump(exclude={"runtime_s"})
    assert one.broken.most >= 1  # something broke, so something was re-planned
    assert 0 <= one.without_backups.all_delivered <= one.with_backups.all_delivered <= 1


def test_nobody_away_nothing_changes():
    r = robustness(tiny_schedule(), 3, AbsenceRates(day=0.0), processes=1)
    assert (r.without_backups.untouched, r.with_backups.all_delivered, r.broken.most) == (1.0, 1.0, 0)


runner = CliRunner()


def test_the_command_writes_json_and_a_workbook(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(schedule_json(tiny_schedule()), encoding="utf-8")
    out, js = tmp_path / "r.xlsx", tmp_path / "r.json"
    r = runner.invoke(app, ["robustness", str(path), "--samples", "3", "--absence-rate", "0.3", "--workers", "1",
                            "--time-limit", "5", "--out", str(out), "--json", str(js)])
    assert r.exit_code == 0, r.output
    assert "futures with every edition delivered" in r.output
    report = RobustnessReport.model_validate_json(js.read_text(encoding="utf-8"))
    assert report.samples == 3 and len(report.futures) == 3
    assert "Robustness" in openpyxl.load_workbook(out).sheetnames


def test_bad_settings_are_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(schedule_json(tiny_schedule()), encoding="utf-8")
    for args, word in ((["--absence-rate", "1.5"], "absence_rate"), (["--samples", "0"], "samples"),
                       (["--week-rate", "-1"], "week_rate"), (["--samples", "20000"], "10,000")):
        r = runner.invoke(app, ["robustness", str(path), *args, "--json", str(tmp_path / "r.json")])
        assert r.exit_code == 2 and word in r.output, (args, r.output)
    assert not (tmp_path / "r.json").exists()


def test_the_backups_the_calendar_names_are_the_ones_measured():
    # The calendar names no backup for anyone (a valid, if poor, choice): nothing is saved by backups,
    # where the backups chosen afresh (T2 for T4 on M1.T1#1) save what T4's absences break.
    rates = AbsenceRates(day=0.4, week=0.02)
    published = tiny_schedule()
    none_named = BackupReport(editions=[
        EditionBackups(edition=se.edition, members=[MemberBackup(trainer=t, reason="none named") for t in se.trainers],
                       room=se.room) for se in published.editions])
    carried = robustness(published.model_copy(update={"backups": none_named}), 4, rates, seed=3, processes=1,
                         time_limit_s=5)
    chosen = robustness(published, 4, rates, seed=3, processes=1, time_limit_s=5)
    assert carried.saved.most == 0 and chosen.saved.most >= 1
