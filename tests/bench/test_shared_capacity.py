"""The network's shared capacity widened (bench/shared_capacity.py), on three centres: each variant
is the network it says, and its lateness by centre adds up to the start calendar's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import family_problem
from bench.shared_capacity import LATENESS, main, network
from model.check import penalties
from scheduler.instance import Instance
from scheduler.solve import find_start
from tests.bench.networks import expert_copies
from tests.bench.runs import run_appended


def test_the_variants_widen_what_the_centres_share() -> None:
    plain = family_problem("network", 3)
    assert network(3, 2, 1).model_dump() | {"name": ""} == plain.model_dump() | {"name": ""}
    wide = network(3, 1, 10)
    assert wide.platform.max_concurrent_streams == 10 * plain.platform.max_concurrent_streams
    # A copy of the agencies' experts for every centre: three (the first keeps their ids) for two.
    assert expert_copies(plain) == {"P2"} and expert_copies(wide) == {"P2", "P3"}
    assert len(wide.trainers) > len(plain.trainers)

def test_each_centre_s_lateness_adds_up_to_the_start_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = run_appended(main, tmp_path / "shared_capacity.json", monkeypatch,
                        ["bench.shared_capacity", "--scale", "3"])["rows"]
    assert [r["variant"] for r in rows] == ["as generated", "ten times the streams",
                                           "a copy of the experts for every centre", "both"]
    assert [r["expert_copies"] for r in rows] == [2, 2, 3, 3]
    assert rows[1]["streams"] == rows[3]["streams"] == 10 * rows[0]["streams"]
    for row in rows:
        assert list(row["lateness_by_centre"]) == ["RTCM", "RTCM-C2", "RTCM-C3"]
        assert row["lateness"] == pytest.approx(sum(row["lateness_by_centre"].values()), abs=0.2)
    problem = family_problem("network", 3)
    start = find_start(problem, Instance(problem)).greedy
    assert start is not None
    (late,) = [p.points for p in penalties(start) if p.rule == LATENESS]
    assert rows[0]["lateness"] == pytest.approx(late, abs=0.1)
