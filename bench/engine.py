"""The calendar engine measured: long runs for the optimum, and CP-SAT settings side by side.

Each run solves one instance's calendar through ``scheduler.solve.solve`` (the product's path:
greedy start, hint, model, search; no seating, no backups) with the engine's defaults, the
time limit, and the variant's CP-SAT parameters set over them. Its objective and bound over
time go to ``bench/results/engine.json`` (runs appended, one object per run), the calendar
through the checker.

    .venv/bin/python -m bench.engine --instance bench1x --variant default maxlp --runs 3 --time-limit 60
    .venv/bin/python -m bench.engine --instance default --variant w8 --runs 1 --time-limit 1200

Instances: ``bench1x`` is ``bench/run.py``'s 1x (the default programme without nominations);
``default`` is the embedded default whole (its demand rules act on the calendar); ``bench3x``;
``network3x``, ``network10x``: the network family of ``bench/generate.py``; ``rollout3y``: its
rollout family, the whole curriculum over three years.
Runs go one at a time, each in a process of its own (its peak memory is its own).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results") / "engine.json"
POINTS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0)  # seconds at which the tables read each run

# Each variant's CP-SAT parameters, over the engine's own (scheduler.solve._solver).
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "default_lp": {"subsolvers": ["default_lp"]},  # two workers' full subsolver before max_lp became the default
    "w8": {"num_workers": 8},
    "w1": {"num_workers": 1},  # one worker: no neighbourhoods beside the full search (parts_trials.json)
    "maxlp": {"subsolvers": ["max_lp"]},  # the engine's own on two workers, up to MAX_LP_EDITIONS editions
    "w4": {"num_workers": 4},
    "w3_maxlp": {"num_workers": 3, "extra_subsolvers": ["max_lp"]},
    "lin2": {"linearization_level": 2},
    "presolve1": {"max_presolve_iterations": 1},
    "whole": {},  # the whole model searched at once, as before the search by parts (SOLVE_OPTIONS)
    "parts": {},  # the search by parts whatever the size of the programme (SOLVE_OPTIONS)
}
# Each variant's other solve options (scheduler.solve.SolveOptions).
SOLVE_OPTIONS: dict[str, dict[str, Any]] = {"whole": {"by_parts": False}, "parts": {"by_parts": True}}


def instance(name: str):
    from bench.generate import family_problem, scaled_problem
    from data import default_problem

    if name == "default":
        return default_problem()
    if name.startswith("bench") and name.endswith("x"):
        return scaled_problem(int(name[5:-1]))
    if name.startswith("network") and name.endswith("x"):
        return family_problem("network", int(name[7:-1]))
    if name.startswith("rollout") and name.endswith("y"):
        return family_problem("rollout", int(name[7:-1]))
    raise SystemExit(f"unknown instance {name!r}: default, bench1x, bench3x, network10x, rollout3y, ...")


def _one(name: str, variant: str, time_limit: float, seed: int, queue: Any) -> None:
    from model.check import check
    from scheduler.solve import SolveOptions, solve

    problem = instance(name)
    params = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in VARIANTS[variant].items())
    timeline: list[dict[str, Any]] = []

    def progress(p: Any) -> None:
        timeline.append({"t": round(p.elapsed_s, 2), "objective": p.objective, "bound": p.bound,
                         "source": p.source})

    cpu0 = time.process_time()
    options = SolveOptions(time_limit_s=time_limit, seat=False, seed=seed, parameters=params,
                           **SOLVE_OPTIONS.get(variant, {}))
    result = solve(problem, options, on_progress=progress)
    broken = check(result.schedule) if result.found else None
    queue.put({
        "status": result.status, "objective": result.objective, "bound": result.bound, "gap": result.gap,
        "runtime_s": result.runtime_s, "build_s": round(result.build_s, 2),
        "editions": len(result.schedule.editions), "valid": broken == [],
        "cpu_s": round(time.process_time() - cpu0, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "timeline": timeline,
    })


def run(name: str, variant: str, time_limit: float, seed: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    load = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    proc = ctx.Process(target=_one, args=(name, variant, time_limit, seed, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return {"instance": name, "variant": variant, "parameters": VARIANTS[variant], "time_limit_s": time_limit,
            "seed": seed, "started": started, "load_at_start": round(load, 2), **out}


def at(record: dict[str, Any], t: float) -> tuple[float | None, float | None]:
    """The best objective and bound reported by ``t`` seconds."""
    objective = bound = None
    for p in record["timeline"]:
        if p["t"] > t:
            break
        objective = p["objective"] if p["objective"] is not None else objective
        bound = p["bound"] if p["bound"] is not None else bound
    return objective, bound


def start(record: dict[str, Any]) -> float | None:
    """The objective of the calendar the search started from (the best greedy one)."""
    greedy = [p["objective"] for p in record["timeline"] if p["source"] == "greedy" and p["objective"] is not None]
    return min(greedy) if greedy else None


def _cell(xs: list[float], fmt: str) -> str:
    if not xs:
        return "—"
    med = fmt.format(statistics.median(xs))
    return med if min(xs) == max(xs) else f"{med} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def table(records: list[dict[str, Any]], points: tuple[float, ...]) -> str:
    """A markdown table of ``records`` by variant: medians (min–max) of the objective at each of ``points``
    seconds, and of the bound and gap at the last."""
    by: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by.setdefault(rec["variant"], []).append(rec)
    last = points[-1]
    head = ["variant", "parameters", "runs", "load at start", "start", *(f"objective @ {t:g} s" for t in points),
            f"below the start @ {last:g} s", f"bound @ {last:g} s", f"gap @ {last:g} s", "peak memory (MB)",
            "CPU (s)"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for variant, recs in by.items():
        at_t = {t: [at(r, t) for r in recs] for t in points}
        objectives = [[o for o, _ in at_t[t] if o is not None] for t in points]
        bounds = [b for _, b in at_t[last] if b is not None]
        gaps = [100 * (o - b) / o for o, b in at_t[last] if o and b is not None]
        starts = [start(r) for r in recs]
        below = [100 * (s - o) / s for s, (o, _) in zip(starts, at_t[last], strict=True) if s and o is not None]
        params = ", ".join(f"{k}={v}" for k, v in recs[0]["parameters"].items()) or "the engine's own"
        rows.append("| " + " | ".join([
            variant, params, str(len(recs)), _cell([r["load_at_start"] for r in recs], "{:.1f}"),
            _cell([s for s in starts if s is not None], "{:,.1f}"),
            *(_cell(xs, "{:,.1f}") for xs in objectives), _cell(below, "{:.1f} %"), _cell(bounds, "{:,.1f}"),
            _cell(gaps, "{:.2f} %"), _cell([r["peak_mb"] for r in recs], "{:,.0f}"),
            _cell([r["cpu_s"] for r in recs], "{:.0f}")]) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instance", default="bench1x")
    ap.add_argument("--variant", nargs="+", default=["default"], choices=sorted(VARIANTS))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--report", nargs="*", metavar="STARTED",
                    help="only print the table of the runs in --out (those started at or after STARTED)")
    args = ap.parse_args(argv)
    records = json.loads(args.out.read_text()) if args.out.exists() else []
    if args.report is not None:
        since = args.report[0] if args.report else ""
        chosen = [r for r in records if r["instance"] == args.instance and r["variant"] in args.variant
                  and r["time_limit_s"] == args.time_limit and r["started"] >= since]
        print(table(chosen, tuple(t for t in POINTS if t <= args.time_limit)))
        return 0
    batch: dict[str, list[dict[str, Any]]] = {}
    # Round-robin over the variants, so that the machine's load falls on each alike.
    for seed in range(args.runs):
        for variant in args.variant:
            rec = run(args.instance, variant, args.time_limit, seed)
            records.append(rec)
            batch.setdefault(variant, []).append(rec)
            args.out.write_text(json.dumps(records, indent=1) + "\n")
            print(f"{variant:<12} seed {seed}: objective {rec['objective']} bound {rec['bound']} "
                  f"gap {rec['gap']} valid {rec['valid']} load {rec['load_at_start']} cpu {rec['cpu_s']}s",
                  flush=True)
    print(table([r for recs in batch.values() for r in recs], tuple(t for t in POINTS if t <= args.time_limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
