"""The bound of a model's whole linear relaxation (``scheduler/relaxation.py``): its size, its time
and what it proves, on the instances of the engine's benchmarks.

For each instance: the product's CP-SAT model built as the search builds it, its linear program read
off the model, and HiGHS's solve of it on one core (nothing else running in the process), each
timed; the bound the duals prove, in points. The runs are one at a time, the median of ``--runs``.

    .venv/bin/python -m bench.relaxation [--instances network1x network3x network10x rollout3y] [--runs 3]

Appends a run to ``bench/results/relaxation.json``, the earlier kept.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from bench.generate import family_problem
from bench.report import append_run, run_header
from scheduler.relaxation import linear_relaxation, solve_relaxation
from scheduler.solve import build

OUT = Path(__file__).parent / "results" / "relaxation.json"
INSTANCES = {"network1x": ("network", 1), "network3x": ("network", 3), "network10x": ("network", 10),
             "rollout3y": ("rollout", 3)}


def measure(instance: str, time_limit_s: float) -> dict[str, Any]:
    family, scale = INSTANCES[instance]
    problem = family_problem(family, scale)
    t0 = time.perf_counter()
    built = build(problem)
    t1 = time.perf_counter()
    lp = linear_relaxation(built.model.proto)
    t2 = time.perf_counter()
    bound = solve_relaxation(lp, time_limit_s)
    t3 = time.perf_counter()
    return {"build_s": round(t1 - t0, 2), "read_s": round(t2 - t1, 2), "solve_s": round(t3 - t2, 2),
            "columns": len(lp.cost), "rows": lp.rows, "nonzeros": len(lp.index),
            "bound": None if bound is None else round(bound / built.scale, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", nargs="*", choices=sorted(INSTANCES), default=list(INSTANCES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=300.0, help="the most one solve of a program may take")
    ap.add_argument("--note", default="")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    run = run_header(args.note)
    run["rows"] = []
    for instance in args.instances:
        runs = []
        for _ in range(args.runs):
            runs.append(measure(instance, args.time_limit))
            print(instance, runs[-1], flush=True)
        row: dict[str, Any] = {"instance": instance, "runs": runs}
        for key in ("build_s", "read_s", "solve_s"):
            row[f"{key}_median"] = statistics.median(r[key] for r in runs)
        row["bound"] = runs[0]["bound"] if len({r["bound"] for r in runs}) == 1 else [r["bound"] for r in runs]
        run["rows"].append(row)
    append_run(args.out, run, what="The bound of each instance's whole linear relaxation: its size, the seconds to "
                              "build the model, read its program and solve it, and the bound in points.")


if __name__ == "__main__":
    main()
