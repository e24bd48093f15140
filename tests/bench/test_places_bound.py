"""The places' long bound (bench/places_bound.py) on two centres: each place's bound, read over time,
never falls and never passes the start calendar's points of the same rules on that place (the start
cut to a place is one of its calendars); the sum is the places' bounds added up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.places_bound import main


def test_each_place_is_bounded_below_its_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "places_bound.json"
    out.write_text(json.dumps({"what": "kept", "trials": [1]}))
    lateness_alone = ["--only", "priority_topic_late", "--places", "1"]
    for note, seconds, more in (("first", "4", []), ("second", "0.5", lateness_alone)):
        monkeypatch.setattr("sys.argv", ["bench.places_bound", "--scale", "2", "--seconds", seconds,
                                         "--out", str(out), "--note", note, *more])
        main()
    data = json.loads(out.read_text())
    assert data["what"] == "kept" and data["trials"] == [1]  # the file's other records are left alone
    runs = data["long_runs"]
    assert [run["note"] for run in runs] == ["first", "second"]  # the earlier run is kept
    lateness = runs[1]
    assert lateness["rules"] == "priority_topic_late" and lateness["places"] == 1
    assert 0 <= lateness["sum_of_bounds"] <= lateness["start_split"] < runs[0]["rows"][0]["start_split"]
    run = runs[0]
    assert run["instance"] == "network2x" and run["places"] == 2 == len(run["rows"])
    assert run["rules"] == "every rule that splits"
    for row in run["rows"]:
        assert 0 < row["bound"] <= row["start_split"]
        readings = list(row["bound_at"].values())
        assert list(row["bound_at"]) == ["3"] and readings == sorted(readings) and readings[-1] <= row["bound"]
        assert row["at_most_below_start"] == pytest.approx(1 - row["bound"] / row["start_split"], abs=1e-3)
    assert run["sum_of_bounds"] == pytest.approx(sum(r["bound"] for r in run["rows"]), abs=0.2)
    assert run["start_split"] == pytest.approx(sum(r["start_split"] for r in run["rows"]), abs=0.2)
