"""The best bound known on a network's calendar: each of its places' bounds, given long searches.

The product spent a tenth of a large programme's time limit on the bound by places
(``bench/places.py``) until the whole linear relaxation replaced it: on ten centres at 300 s, 3 s
a place. This gives each place's model, built for its bound (only the rules that split, the rooms'
day-by-day rows, no presolve), a long search of its own, and reports each place's bound over time, the
start calendar's points of the same rules on that place, and the sum: a bound on what any
calendar of the rules that split can score, against which the search's calendars are read (how
far below its start a place's calendar can possibly go).

    .venv/bin/python -m bench.places_bound [--scale 10] [--seconds 120] [--only RULE] [--places N] [--note "..."]

``--only RULE`` bounds that soft rule alone (the optional editions left out still charged, as in
``bench/place_floors.py``), ``--places N`` the first N places only.

Appends a run to ``bench/results/places_bound.json`` (``long_runs``), the earlier kept.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench.generate import family_problem
from bench.place_floors import KEPT, only, split_points
from bench.places import WHOLE_RULES, cut, place_problem, places
from bench.report import append_run, run_header
from model.problem import Problem
from scheduler.instance import Instance
from scheduler.solve import SolveOptions, _solver, build, find_start

OUT = Path(__file__).parent / "results" / "places_bound.json"
# The moments (s) at which each place's bound is read.
READ_AT = (3.0, 12.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def place_bound(place: Problem, seconds: float) -> dict[str, Any]:
    """``place``'s model built for its bound, searched for ``seconds``: its bound over time."""
    t0 = time.perf_counter()
    built = build(place, WHOLE_RULES, for_bound=True)
    build_s = time.perf_counter() - t0
    solver = _solver(SolveOptions(time_limit_s=seconds), seconds, editions=len(built.inst.plans))
    solver.parameters.cp_model_presolve = False  # as the product's places' models
    history: list[tuple[float, float]] = []
    started = time.perf_counter()
    solver.best_bound_callback = lambda b: history.append((time.perf_counter() - started, b / built.scale))
    code = solver.solve(built.model)
    final = solver.best_objective_bound / built.scale
    return {
        "build_s": round(build_s, 1),
        "bound": round(final, 1),
        "bound_at": {f"{t:g}": round(max((b for s, b in history if s <= t), default=0.0), 1)
                     for t in READ_AT if t <= seconds},
        "last_raised_s": round(history[-1][0], 1) if history else None,
        "status": solver.status_name(code),
    }


def measure(scale: int, seconds: float, rule: str | None = None, first: int | None = None) -> dict[str, Any]:
    problem = family_problem("network", scale)
    start = find_start(problem, Instance(problem)).greedy
    assert start is not None, "the network has a start calendar"
    rows = []
    for k, items in enumerate(places(problem)[:first]):
        place = place_problem(problem, items)
        at_start = sum(x for r, x in split_points(cut(start, place)).items() if rule is None or r in (rule, KEPT))
        row = {"place": k, "editions": len(place.editions), "start_split": round(at_start, 1),
               **place_bound(place if rule is None else only(place, rule), seconds)}
        row["at_most_below_start"] = round(1 - row["bound"] / at_start, 3) if at_start else None
        rows.append(row)
        print(f"place {k}: start {at_start:,.1f}  bound {row['bound']:,.1f}  {row['bound_at']}", flush=True)
    start_split = sum(r["start_split"] for r in rows)
    total = sum(r["bound"] for r in rows)
    return {"instance": f"network{scale}x", "rules": rule or "every rule that splits", "places": len(rows),
            "start_split": round(start_split, 1),
            "sum_of_bounds": round(total, 1),
            "sum_of_bounds_at": {t: round(sum(r["bound_at"][t] for r in rows), 1) for t in rows[0]["bound_at"]},
            "split_at_most_below_start": round(1 - total / start_split, 3), "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--only", default=None, metavar="RULE", help="bound this soft rule alone")
    ap.add_argument("--places", type=int, default=None, help="the first N places only")
    ap.add_argument("--note", default="", help="what the run measures, kept with it")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    run = {**run_header(args.note), "seconds_per_place": args.seconds,
           **measure(args.scale, args.seconds, args.only, args.places)}
    append_run(args.out, run, key="long_runs")


if __name__ == "__main__":
    main()
