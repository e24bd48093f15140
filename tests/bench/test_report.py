"""The runner's figures and its RESULTS.md section, on a made-up run (no solver involved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.report import SECTION, write_markdown
from bench.run import at_time, summary


def _run(solver: str, progress: list[list[Any]], objective: float | None, **extra: Any) -> dict[str, Any]:
    return {"solver": solver, "scale": 1, "run": 1, "progress": progress, "objective": objective,
            "valid": objective is not None, "first_solution_s": next((t for t, o, _ in progress if o), None),
            "peak_rss_mb": 100.0, "build_s": 0.5, "wall_s": 61.0, "cpu_s": 100.0, "status": "FEASIBLE",
            "load_average_at_start": 1.0, "bound": 900.0, "gap": 0.1, "editions_scheduled": 68, **extra}


RUNS = [
    _run("cpsat", [[2.0, None, 500.0], [3.0, 1200.0, 500.0], [30.0, 1000.0, 900.0], [61.0, 990.0, 900.0]],
         990.0),
    _run("greedy", [[0.2, 1300.0, None]], 1300.0),
    _run("mip", [[40.0, 1100.0, 100.0]], 1100.0),
]


def _data() -> dict[str, Any]:
    return {
        "meta": {"set": "quick", "scales": [1], "runs": 1, "seed": 2027, "time_points": {"1": [10, 60]},
                 "started": "2027-01-01T00:00:00+00:00", "duration_s": 200.0, "cores": 2,
                 "versions": {"python": "3.11", "ortools": "9", "highspy": "1"}},
        "instances": [{"scale": 1, "editions": 68, "trainers": 47, "rooms": 4, "streams": 2,
                       "horizon": "2027-01-01..2027-12-31", "working_days": 193, "options": 7324,
                       "team_candidates": 579, "editions_per_trainer": 1.447,
                       "editions_per_room_day": 0.088}],
        "summary": summary(RUNS, (1,)),
        "runs": RUNS,
    }


def test_the_objective_at_a_time_is_the_last_one_reported_by_then() -> None:
    cpsat = RUNS[0]
    assert at_time(cpsat, 2.5) == (None, 500.0)
    assert at_time(cpsat, 10) == (1200.0, 500.0)
    assert at_time(cpsat, 60) == (1000.0, 900.0)  # the one at 61 s came after the time point


def test_targets_say_where_cp_sat_stands() -> None:
    text = "\n".join(write_markdown_text())
    assert "| 1x: first feasible calendar under 5 s | 3.00 s | met |" in text
    # 1000 vs greedy 1300 at 60 s: 23.1 % below, short of 25 %; the bound 900 allows 30.8 %.
    assert "23.1 % below (1,000 vs 1,300); the proven bound 900 allows at most 30.8 % | **missed** |" in text
    assert "no worse at all 2 points | met |" in text


def write_markdown_text() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "RESULTS.md"
        write_markdown(_data(), path)
        return path.read_text().splitlines()


def test_the_section_is_replaced_and_the_others_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmarks\n\n## API load\n\nkept 1\n\n" + SECTION + "\n\nold figures\n\n"
                    "### a subsection of ours\n\nold\n\n## Export time\n\nkept 2\n")
    write_markdown(_data(), path)
    text = path.read_text()
    assert "kept 1" in text and "kept 2" in text and "old figures" not in text
    assert text.count(SECTION) == 1
    assert text.index("## API load") < text.index(SECTION) < text.index("## Export time")
    write_markdown(_data(), path)
    assert path.read_text() == text
