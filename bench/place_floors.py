"""How far each soft rule of one place can move from the start calendar, with the place to itself.

A network's search by parts moves the start by about a tenth in 300 s, and its priority lateness
hardly at all. This asks whether that is the search or the rule: one place (one centre) of the
network, with every person, the platform and the budget to itself (``bench/places.py``: a
relaxation of its part of the problem), is searched from the start calendar cut to it, once for
each rule that splits over places and has points there (that rule alone, the editions that must
run still required and an optional one left out still charged), then once for all of them
together. Each search reports the start's value, the best found, CP-SAT's bound and status.

    .venv/bin/python -m bench.place_floors [--scale 10] [--place 0] [--seconds 120]

Writes ``bench/results/place_floors.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from bench.generate import family_problem
from bench.places import WHOLE_RULES, cut, place_problem, places
from bench.report import run_header
from model.check import penalties
from model.problem import Problem
from model.rules import RULES
from scheduler.instance import Instance
from scheduler.solve import SolveOptions, _solver, add_hint, build, complete_hint, extract, find_start

OUT = Path(__file__).parent / "results" / "place_floors.json"
ALL = "every rule that splits"
WHAT = ("One place of the network (its first centre), with every person, the platform and the budget to itself, "
        "searched by CP-SAT (the engine's settings, 2 workers) from the solve's start calendar cut to it: once for "
        "each rule that splits over places and has points at the start (that rule alone, optional editions left "
        "out still charged), then for all of them. Points as the objective counts them; start is CP-SAT's exact "
        "value of the start calendar under the same weights. One entry per run, the earlier kept.")
# Kept in every search: leaving an optional edition out is no way to lower another rule.
KEPT = "optional_edition_left_out"


def only(problem: Problem, rule: str) -> Problem:
    """``problem`` with every soft rule's weight 0 but ``rule``'s (and :data:`KEPT`'s)."""
    w = problem.weights
    keep = {RULES[rule].weight_field, RULES[KEPT].weight_field}
    zero = {f: 0 for f in type(w).model_fields if f not in keep and isinstance(getattr(w, f), (int, float))}
    return problem.model_copy(update={"weights": w.model_copy(update=zero)})


def split_points(schedule: Any) -> dict[str, float]:
    """The points of the rules that split, on a place's calendar."""
    return {p.rule: round(p.points, 1) for p in penalties(schedule) if p.points and p.rule not in WHOLE_RULES}


def search(place: Problem, start: Any, seconds: float) -> dict[str, Any]:
    """``place``'s model (the rules that split) searched for ``seconds`` from ``start``."""
    t0 = time.perf_counter()
    built = build(place, WHOLE_RULES)
    add_hint(built, start)
    completion = complete_hint(built, 30.0)
    solver = _solver(SolveOptions(time_limit_s=seconds), seconds, editions=len(built.inst.plans))
    code = solver.solve(built.model)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    calendar = extract(built, solver) if found else None
    return {
        "start": completion.objective,
        "found": round(solver.objective_value / built.scale, 1) if found else None,
        "bound": round(solver.best_objective_bound / built.scale, 1),
        "status": solver.status_name(code),
        "found_rules": split_points(calendar) if calendar is not None else None,
        "left_out": len(calendar.unscheduled) if calendar is not None else None,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def measure(scale: int, which: int, seconds: float) -> dict[str, Any]:
    problem = family_problem("network", scale)
    t0 = time.perf_counter()
    start = find_start(problem, Instance(problem)).greedy
    assert start is not None, "the network has a start calendar"
    start_s = time.perf_counter() - t0
    items = places(problem)[which]
    place = place_problem(problem, items)
    at_start = split_points(cut(start, place))
    rows = []
    for rule in [*(r for r in at_start if r != KEPT), ALL]:
        counted = at_start if rule == ALL else {r: x for r, x in at_start.items() if r in (rule, KEPT)}
        row = {"rule": rule, "start_rules": counted,
               **search(place if rule == ALL else only(place, rule), start, seconds)}
        rows.append(row)
        print(f"{rule:30s} start {row['start']}  found {row['found']}  bound {row['bound']}  {row['status']}",
              flush=True)
    return {"instance": f"network{scale}x", "place": which, "places": len(places(problem)),
            "editions": len(place.editions), "start_seconds": round(start_s, 1), "start_rules": at_start,
            "searches": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--place", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--note", default="", help="what the run measures, kept with it (e.g. the model's state)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    run = {**run_header(args.note), "seconds_per_search": args.seconds, **measure(args.scale, args.place, args.seconds)}
    # Earlier runs are kept: the file is the record of each model's floors, not only the last.
    runs = json.loads(args.out.read_text())["runs"] if args.out.exists() else []
    out = {"what": WHAT, "runs": [*runs, run]}
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
