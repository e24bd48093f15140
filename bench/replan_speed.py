"""Re-planning after one trainer's absence versus solving the changed problem from scratch.

Both runs solve the same changed problem (the busiest trainer away for the two weeks of
their first edition). Re-planning starts from the published calendar and stays close to
it; from scratch starts from the greedy calendar. The figure is the time until each
reaches its final answer: the re-plan's total solve time (it proves its optimum), and the
time of the last improving calendar found from scratch within the limit.

    .venv/bin/python -m bench.replan_speed [--runs 5] [--scratch-limit 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import timedelta
from pathlib import Path

from model.check import check
from scenarios.replan import replan
from scenarios.scenario import Scenario, apply_changes
from scheduler.solve import SolveOptions, solve

RESULTS = Path(__file__).with_name("results") / "replan_speed.json"


def main() -> None:
    from data import default_problem

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scratch-limit", type=float, default=60.0)
    args = ap.parse_args()
    base = default_problem()
    published = solve(base, SolveOptions(time_limit_s=60, workers=2)).schedule
    trainer = max({t for e in published.editions for t in e.trainers},
                  key=lambda t: sum(len(e.days) for e in published.editions if t in e.trainers))
    first = min((e for e in published.editions if trainer in e.trainers), key=lambda e: e.start)
    start = first.start - timedelta(days=first.start.weekday())
    scenario = Scenario.model_validate({"name": "away", "changes": [{
        "type": "trainer_unavailable", "trainer": trainer, "start": start.isoformat(),
        "end": (start + timedelta(days=13)).isoformat()}]})
    changed = apply_changes(base, scenario)
    replans, scratches, moved = [], [], []
    for run in range(args.runs):
        t0 = time.perf_counter()
        result, changes = replan(changed, published, None, SolveOptions(time_limit_s=args.scratch_limit,
                                                                         workers=2, seed=run))
        replans.append(time.perf_counter() - t0)
        assert result.found and not check(result.schedule)
        moved.append(len(changes.changes))
        fresh = solve(changed, SolveOptions(time_limit_s=args.scratch_limit, workers=2, seed=run))
        assert fresh.found and not check(fresh.schedule)
        final = fresh.progress[-1].objective if fresh.progress else None
        final_at = min((p.elapsed_s for p in fresh.progress if p.objective == final),
                       default=fresh.runtime_s)
        scratches.append(final_at)
        print(f"run {run + 1}: re-plan {replans[-1]:.1f} s ({result.status}, {moved[-1]} editions changed); "
              f"from scratch final calendar at {final_at:.1f} s ({fresh.status}, gap {fresh.gap:.1%})",
              flush=True)
    out = {
        "trainer": trainer, "away_from": start.isoformat(), "runs": args.runs,
        "replan_s": {"median": statistics.median(replans), "min": min(replans), "max": max(replans)},
        "scratch_final_s": {"median": statistics.median(scratches), "min": min(scratches),
                            "max": max(scratches)},
        "ratio_of_medians": statistics.median(scratches) / statistics.median(replans),
        "editions_changed": moved,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
