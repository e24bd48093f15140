"""The start calendars' bench (bench/starts.py), on the RTCM year: every method measured, the best named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import family_problem
from bench.starts import main
from model.check import kpis
from scheduler.greedy import best_start, start_methods
from scheduler.instance import Instance


def test_every_start_is_measured_and_the_best_is_the_one_the_solve_gets(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "starts.json"
    monkeypatch.setattr("sys.argv", ["bench.starts", "--scales", "1", "--out", str(out)])
    main()
    default, year = json.loads(out.read_text())["instances"]
    assert default["instance"] == "default" and year["instance"] == "network1x"
    problem = family_problem("network", 1)
    inst = Instance(problem)
    assert [row["method"] for row in year["starts"]] == [m.label for m in start_methods(inst)]
    assert year["starts"][-1]["method"].endswith("around the priority courses")
    for row in year["starts"]:
        assert row["sound"] and row["editions"] == year["editions"] == len(inst.plans)
        assert round(sum(row["rules"].values()), 1) == pytest.approx(row["objective"], abs=0.5)
        assert row["busiest_months_days"] == sorted(row["busiest_months_days"], reverse=True)
    chosen, _ = best_start(problem, inst)
    best = next(row for row in year["starts"] if row["method"] == year["best"])
    assert best["objective"] == min(r["objective"] for r in year["starts"])
    assert chosen is not None and round(kpis(chosen).objective, 1) == best["objective"]
