"""The start calendars side by side: each of ``scheduler.greedy.start_methods`` on the default and the network family.

The solve starts from the best of them by the objective (``best_start``); this shows what each
scores, rule by rule, and how it spreads the training days over the months, so that a method is
kept for what it gives somewhere. No solver runs: each calendar is the greedy method's, checked.

    .venv/bin/python -m bench.starts [--scales 1 3 10]

Writes ``bench/results/starts.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import family_problem
from data import default_problem
from model.check import kpis, penalties
from model.problem import Problem
from model.schedule import Schedule
from scheduler.greedy import sound, start_methods
from scheduler.instance import Instance

OUT = Path(__file__).parent / "results" / "starts.json"


def months(schedule: Schedule) -> Counter[tuple[int, int]]:
    return Counter((d.year, d.month) for e in schedule.editions for d in e.days)


def measure(name: str, problem: Problem) -> dict[str, Any]:
    inst = Instance(problem)
    rows: list[dict[str, Any]] = []
    for method in start_methods(inst):
        t0 = time.perf_counter()
        schedule = method.calendar(problem, inst)
        seconds = time.perf_counter() - t0
        by_month = months(schedule)
        rows.append({
            "method": method.label,
            "objective": round(kpis(schedule).objective, 1),
            "sound": sound(schedule),
            "editions": len(schedule.editions),
            "left_out": len(schedule.unscheduled),
            "rules": {p.rule: round(p.points, 1) for p in penalties(schedule) if p.points},
            "busiest_months_days": sorted(by_month.values(), reverse=True)[:4],
            "months_with_training": len(by_month),
            "seconds": round(seconds, 2),
        })
        print(f"{name:10s}  {method.label:48s} {rows[-1]['objective']:>10,.1f}  {seconds:5.1f} s", flush=True)
    best = min((r for r in rows if r["sound"]), key=lambda r: r["objective"], default=None)
    return {"instance": name, "editions": len(inst.plans), "starts": rows,
            "best": None if best is None else best["method"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", type=int, nargs="*", default=[1, 3, 10])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    out = {
        "what": "Each start calendar of scheduler.greedy.start_methods on the default problem (make run's, with "
                "its nominations) and the network family: its objective "
                "(model.check.kpis), whether it breaks no hard rule and leaves out no edition that must run, "
                "its soft rules' points, the training days of its busiest months and the seconds it took. "
                "The solve starts from the best sound one.",
        "started": started, "machine": platform.machine(), "python": platform.python_version(),
        "instances": [measure("default", default_problem()),
                      *(measure(f"network{scale}x", family_problem("network", scale)) for scale in args.scales)],
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
