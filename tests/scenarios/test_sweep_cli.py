"""The sweeps' commands: progress in lines off a terminal, Ctrl-C keeping what finished, the backend's
name checked. ``tiny_schedule`` as in tests/scenarios/test_robustness.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from cli.common import EXIT_STOPPED
from model.formats.files import schedule_json
from model.robustness import RobustnessReport
from tests.instances.tiny import tiny_data
from tests.test_excel import tiny_schedule

runner = CliRunner()


def test_ctrl_c_stops_a_robustness_run_and_writes_the_report_of_the_futures_finished(tmp_path: Path) -> None:
    path, js = tmp_path / "tiny.json", tmp_path / "r.json"
    path.write_text(schedule_json(tiny_schedule()), encoding="utf-8")
    # 400 futures take about 20 s on two processes; a line is printed every 40.
    child = subprocess.Popen(
        [sys.executable, "-m", "cli.app", "robustness", str(path), "--samples", "400", "--absence-rate", "0.3",
         "--time-limit", "5", "--workers", "2", "--json", str(js)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert child.stdout is not None
    first = child.stdout.readline()
    assert "/400 futures re-planned" in first, first
    # As a terminal's Ctrl-C does: to the command and its worker processes alike.
    os.killpg(child.pid, signal.SIGINT)
    t0 = time.perf_counter()
    rest = child.stdout.read()
    assert child.wait(timeout=60) == EXIT_STOPPED, rest
    assert time.perf_counter() - t0 < 10
    report = RobustnessReport.model_validate_json(js.read_text(encoding="utf-8"))
    assert report.requested == 400 and 1 <= report.samples < 400 and len(report.futures) == report.samples
    assert f"stopped: {report.samples} of 400 futures re-planned" in rest and "the report covers those" in rest


def _tiny_scenario(folder: Path) -> Path:
    (folder / "tiny.json").write_text(json.dumps(tiny_data()), encoding="utf-8")
    path = folder / "t4.yaml"
    path.write_text("name: T4 away\nbase: tiny.json\nchanges:\n  - type: trainer_unavailable\n    trainer: T4\n"
                    "    start: 2027-03-01\n    end: 2027-03-12\n", encoding="utf-8")
    return path


def test_the_scenario_and_frontier_commands_say_their_progress(tmp_path: Path) -> None:
    scenario = _tiny_scenario(tmp_path)
    r = runner.invoke(app, ["scenario", "run", str(scenario), "--time-limit", "5", "--workers", "1"])
    assert r.exit_code == 0 and "1/1 scenarios solved (the base first)" in r.output, r.output
    r = runner.invoke(app, ["frontier", str(tmp_path / "tiny.json"), "--budgets", "2000,100000", "--time-limit", "5",
                            "--workers", "4"])
    assert r.exit_code == 0 and "2/2 budgets solved" in r.output, r.output


def test_an_unknown_backend_is_refused() -> None:
    for command in (["robustness", "x.json"], ["frontier"], ["scenario", "run", "x.yaml"]):
        r = runner.invoke(app, [*command, "--backend", "dask"])
        assert r.exit_code == 2 and "dask" in r.output, r.output
