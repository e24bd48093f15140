"""The embedded default solved as `make run` solves it: the calendar, then the seating.

Unlike the scaled instances of ``bench/run.py`` (calendar problems without nominations), this
is the whole default, nominations and budget included: the demand rules act on the calendar,
and the seating takes 15 % of the time limit. Each run is solved afresh; the figures are the
solver's own report, re-checked by the checker.

    .venv/bin/python -m bench.default_solve [--runs 3] [--time-limit 60] [--choose-modes]

``--choose-modes`` lets every course run in any of its catalogue's modes, its own preferred
(hybrid, or in person for all but M2.T10), and the solver choose each edition's: the mode choice
measured against the default, where each course has one mode.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from model.check import check, kpis
from model.problem import Problem
from scheduler.solve import SolveOptions, solve

RESULTS = Path(__file__).with_name("results") / "default_solve.json"


def _spread(xs: list[float], fmt: str = "{:.2f}") -> str:
    med = fmt.format(statistics.median(xs))
    return med if min(xs) == max(xs) else f"{med} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


def main() -> None:
    from data import default_problem

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--choose-modes", action="store_true")
    args = ap.parse_args()
    problem = default_problem()
    if args.choose_modes:
        data = problem.model_dump(mode="json")
        offered = {t["id"]: t["modes"] for t in data["topics"]}
        for item in data["programme"]:
            item["modes"] = [item["mode"], *(m for m in offered[item["topic"]] if m != item["mode"])]
        problem = Problem.model_validate(data)
    runs = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        result = solve(problem, SolveOptions(time_limit_s=args.time_limit, workers=2))
        wall = time.perf_counter() - t0
        s, r = result.schedule, result.report
        assert check(s) == [], "a calendar that breaks a hard rule"
        search_first = next((p.elapsed_s for p in result.progress if p.source == "search"), None)
        k = kpis(s)
        runs.append({"load": load, "wall_s": wall, "first_s": result.first_solution_s, "search_first_s": search_first,
                     "objective": r.objective, "bound": r.bound, "gap": r.gap, "editions": len(s.editions),
                     "seated": len(s.allocations), "unseated": len(s.unplaced), "cost_usd": k.cost_usd,
                     "allocation_gap": r.allocation.gap if r.allocation else None})
        print(json.dumps(runs[-1]))
    RESULTS.parent.mkdir(exist_ok=True)
    results = RESULTS.with_name("default_solve_modes.json") if args.choose_modes else RESULTS
    results.write_text(json.dumps({"time_limit_s": args.time_limit, "runs": runs}, indent=1) + "\n")
    for key in ("first_s", "search_first_s", "objective", "bound", "gap", "seated", "wall_s", "load"):
        xs = [float(v) for x in runs if (v := x[key]) is not None]
        if xs:
            print(f"{key}: {_spread(xs)}")


if __name__ == "__main__":
    main()
