"""The runner's figures and its RESULTS.md section, on a made-up run (no solver involved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.report import SECTION, _kept, outputs, targets, write_markdown
from bench.run import at_time, instance_facts, keep_others, keepable, spawn, summary


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


def test_at_ten_times_the_objective_is_set_against_the_first_calendar_reported() -> None:
    # CP-SAT reports the plain greedy calendar first (1,300), then a better start (1,150), then
    # the search's: 1,000 at 300 s is 23.1 % below the first.
    runs = [{**_run("cpsat", [[9.0, 1300.0, None], [13.0, 1150.0, None], [62.0, 1100.0, 400.0],
                              [300.0, 1000.0, 400.0]], 1000.0), "scale": 10}]
    data = {**_data(), "summary": summary(runs, (10,)), "runs": runs}
    data["meta"] = {**data["meta"], "scales": [10], "time_points": {"10": [10, 60, 300]}}
    assert data["summary"][0]["start_objective"]["median"] == 1300.0
    row = next(t for t in targets(data) if t[0].startswith("10x: the objective at 300 s"))
    assert row[1:] == ("23.1 % below its first calendar (1,300)", "met")


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


def test_cp_sat_is_held_against_timefold_at_every_point() -> None:
    # Timefold's calendar at 60 s (950) beats CP-SAT's (1,000); at 10 s it had none: CP-SAT's counts.
    runs = [*RUNS, _run("timefold", [[40.0, 1500.0, None], [55.0, 950.0, None]], 950.0)]
    data = {**_data(), "summary": summary(runs, (1,)), "runs": runs}
    rows = {target: (text, verdict) for target, text, verdict in targets(data)}
    text, verdict = rows["CP-SAT no worse than Timefold Solver at every time point"]
    assert text.startswith("1x at 60 s: 1,000 vs 950") and verdict == "**missed**"
    assert rows["CP-SAT no worse than the MIP at every time point"] == ("no worse at all 2 points", "met")
    without = {t for t, _, _ in targets(_data())}
    assert "CP-SAT no worse than Timefold Solver at every time point" not in without


def test_the_network_family_has_its_own_section_json_and_plot(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    write_markdown(_data(), path)
    network = _data()
    network["meta"] = {**network["meta"], "family": "network"}
    write_markdown(network, path)
    text = path.read_text()
    json_name, plot_name, heading = outputs("network")
    assert text.count(SECTION + "\n") == 1 and text.count(heading + "\n") == 1
    assert f"`bench/results/{json_name}`" in text and f"results/{plot_name}" in text
    assert "bench/results/bench.json" in text  # the copies' section kept


def test_the_runs_of_the_start_are_measured_below_it() -> None:
    figs = summary(RUNS, (1,))
    cpsat = next(r for r in figs if r["solver"] == "cpsat")
    # The first calendar reported, 1,200, then 1,000 by 60 s.
    assert cpsat["below_start_at_60"]["median"] == pytest.approx(200 / 1200)


def test_a_second_run_keeps_the_other_solvers_runs() -> None:
    # A real measured run of the greedy method on the smallest network, then the same solver run
    # again keeps the earlier runs of every other solver, and nothing of its own.
    greedy = spawn("greedy", 1, 2027, 5.0, 60.0, "network")
    assert greedy["family"] == "network" and greedy["valid"]
    one = instance_facts(1, 2027, "network")
    earlier = {"meta": {"scales": [1], "seed": 2027, "family": "network", "started": "2027-01-01T00:00:00+00:00"},
               "instances": [one], "runs": [{**greedy, "solver": "mip"}, greedy]}
    keepable(earlier, (1,), 2027, "network", [one])
    runs, since = keep_others(earlier, [greedy], ["greedy"], (1,))
    assert [r["solver"] for r in runs] == ["mip", "greedy"] and since == "2027-01-01T00:00:00+00:00"
    with pytest.raises(SystemExit):
        keepable(earlier, (1,), 7, "network", [one])
    with pytest.raises(SystemExit):  # a scale the earlier benchmark did not measure
        keepable(earlier, (1, 3), 2027, "network", [one])
    with pytest.raises(SystemExit, match="1x have changed"):  # the instance is no longer the one measured
        keepable(earlier, (1,), 2027, "network", [{**one, "editions": 68}])
    # One solver measured again at one scale keeps its own runs at the others.
    wider = {"meta": {**earlier["meta"], "scales": [1, 3]}, "runs": [greedy, {**greedy, "scale": 3}]}
    runs, _ = keep_others(wider, [greedy], ["greedy"], (1,))
    assert [(r["solver"], r["scale"]) for r in runs] == [("greedy", 3), ("greedy", 1)]


def test_the_section_says_which_runs_were_kept() -> None:
    # CP-SAT measured again at 1x only: its 3x runs and all of the greedy method's are kept.
    run = {"solver": "cpsat", "scale": 1, "started": "2027-02-01T00:00:00+00:00"}
    old = "2027-01-01T00:00:00+00:00"
    data = {"meta": {"started": run["started"], "kept_from": old},
            "runs": [run, {**run, "scale": 3, "started": old}, {**run, "solver": "greedy", "started": old},
                     {**run, "solver": "greedy", "scale": 3, "started": old}]}
    assert _kept(data) == (f" The runs of Greedy earliest-fit, RTCM Planner (CP-SAT) at 3x are kept from earlier "
                           f"runs of the benchmark, the first started {old}; the duration above is this run's.")
    assert _kept({**data, "meta": {**data["meta"], "kept_from": None}}) == ""
