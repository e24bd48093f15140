"""``rtcm doctor`` and ``rtcm explain`` on small files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from cli.common import EXIT_NO_CALENDAR
from model.formats.files import schedule_json, write_atomic
from model.schedule import Schedule
from tests.model.test_breakdown import cost_only
from tests.test_cli import write_tiny

runner = CliRunner()
AWAY = [{"start": "2027-03-01", "end": "2027-03-31", "reason": "mission"}]


def test_doctor_passes_a_sound_problem(tmp_path: Path) -> None:
    r = runner.invoke(app, ["doctor", write_tiny(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "Nothing in the data rules a calendar out" in r.output


def test_doctor_lists_each_impossibility_with_its_records(tmp_path: Path) -> None:
    from tests.instances.tiny import tiny_data

    trainers = tiny_data()["trainers"]
    for t in trainers[:2]:  # T1 and T2, the IOM trainers
        t["unavailable"] = AWAY
    out = tmp_path / "findings.json"
    r = runner.invoke(app, ["doctor", write_tiny(tmp_path, trainers=trainers), "--json", str(out)])
    assert r.exit_code == EXIT_NO_CALENDAR
    assert "2 impossibility(ies), 0 note(s)" in r.output
    assert r.output.count("impossible M") == 2
    findings = json.loads(out.read_text())
    assert [f["records"][0] for f in findings] == ["M1.T1#1", "M2.T1#1"]
    assert "T1 unavailable 2027-03-01..2027-03-31" in findings[0]["records"]


def test_explain_shows_an_edition_s_cost_and_alternatives(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    write_atomic(path, schedule_json(cost_only()))
    out = tmp_path / "alts.json"
    r = runner.invoke(app, ["explain", str(path), "M2.T1#1", "--json", str(out)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "now: 2027-03-18 to 2027-03-19, B, in person, with T2, T3" in r.output
    assert "M2.T1#1: fees 900 USD (T2 250, T3 200 a day x 2) and room B 80 USD" in r.output
    assert "9 alternative(s), best first" in r.output
    assert "cost +1.2" in r.output
    alts = json.loads(out.read_text())
    assert alts["alternatives"][0]["start"] == date(2027, 3, 1).isoformat()


def test_explain_shows_the_mode_where_an_edition_may_run_in_several(tmp_path: Path) -> None:
    # M2.T1 may now run hybrid or in person, in person preferred: room B holds it in person only,
    # HALL either way, where it keeps the mode it runs in now.
    schedule = cost_only()
    data = schedule.problem.model_dump(mode="json")
    data["programme"][1]["modes"] = ["hybrid", "in_person"]
    problem = type(schedule.problem).model_validate(data)
    path = tmp_path / "cal.json"
    write_atomic(path, schedule_json(Schedule(problem=problem, editions=schedule.editions)))
    r = runner.invoke(app, ["explain", str(path), "M2.T1#1"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "now: 2027-03-18 to 2027-03-19, B, in person, with T2, T3" in r.output
    header = next(line for line in r.output.splitlines() if "start" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")][:5] == ["start", "days", "room", "mode", "trainers"]
    assert r.output.count("in person") == 10  # the current line and the 9 alternatives


def test_explain_rejects_an_unknown_edition(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    write_atomic(path, schedule_json(cost_only()))
    r = runner.invoke(app, ["explain", str(path), "M9.T9#1"])
    assert r.exit_code == 2
    assert "edition M9.T9#1 is not in the programme" in r.output
