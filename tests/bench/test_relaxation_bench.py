"""The relaxation's bench (bench/relaxation.py): a run's row is the program's size, its times and the
bound its duals prove, never above a calendar of the instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.relaxation import main
from tests.bench.runs import run_appended


def test_a_run_records_the_size_the_times_and_a_bound_below_the_best_calendar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (row,) = run_appended(main, tmp_path / "relaxation.json", monkeypatch,
                          ["bench.relaxation", "--instances", "network1x", "--runs", "2"])["rows"]
    assert row["instance"] == "network1x" and len(row["runs"]) == 2
    first = row["runs"][0]
    assert first["columns"] > 1_000 and first["rows"] > 1_000 and first["nonzeros"] > first["columns"]
    # The RTCM year: no calendar known scores below 5,193.2 (bench/RESULTS.md), CP-SAT proves 5,160.1.
    assert isinstance(row["bound"], float) and 5_000 < row["bound"] <= 5_193.2
    assert row["solve_s_median"] >= 0 and row["build_s_median"] > 0
