"""The place floors' bench (bench/place_floors.py) on two centres: each search starts from the start
calendar's value as the checker counts it, and reports what it found, never worse, above its bound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.place_floors import ALL, KEPT, main


def test_each_rule_is_searched_from_the_start_the_checker_counts(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "floors.json"
    monkeypatch.setattr("sys.argv", ["bench.place_floors", "--scale", "2", "--seconds", "12", "--out", str(out),
                                     "--note", "first"])
    main()
    monkeypatch.setattr("sys.argv", ["bench.place_floors", "--scale", "2", "--seconds", "0.5", "--out", str(out),
                                     "--note", "second"])
    main()
    runs = json.loads(out.read_text())["runs"]
    assert [run["note"] for run in runs] == ["first", "second"]  # the earlier run is kept
    result = runs[0]
    assert result["instance"] == "network2x" and result["places"] == 2
    at_start = result["start_rules"]
    rows = result["searches"]
    assert [r["rule"] for r in rows] == [*(r for r in at_start if r != KEPT), ALL]
    assert "priority_topic_late" in at_start and "cost" in at_start
    for row in rows:
        # CP-SAT's value of the start under the row's weights is the checker's sum of the rules it counts.
        assert row["start"] == pytest.approx(sum(row["start_rules"].values()), abs=0.5)
        assert set(row["start_rules"]) <= ({row["rule"], KEPT} if row["rule"] != ALL else set(at_start))
        assert row["found"] is not None and row["found"] <= row["start"] + 0.5
        assert row["bound"] <= row["found"] + 0.5
        # What was found, rule by rule as the checker counts it, adds up to the search's objective.
        assert sum(row["found_rules"].values()) == pytest.approx(row["found"], abs=0.5)
    assert rows[-1]["start"] == pytest.approx(sum(at_start.values()), abs=0.5)
