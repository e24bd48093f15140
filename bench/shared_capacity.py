"""What holds a network's priority lateness: the capacity its centres share.

Each centre of the network alone, with every person and the whole platform to itself, can start
its priority courses about as early as the RTCM alone (``bench/places_bound.py --only
priority_topic_late``: a bound of 1,265-1,268 points a centre on ten centres). The network's start
calendar has far more, climbing from centre to centre, and the search hardly moves it. This
builds the start calendar (the product's greedy starts, the best taken) of the network as
generated and with what its centres share widened: ten times the platform's streams, a copy of
the agencies' experts for every centre instead of one for two, and both. For each it reports the
priority lateness of every centre and in all, and the start's objective.

    .venv/bin/python -m bench.shared_capacity [--scale 10] [--note "..."]

Appends a run to ``bench/results/shared_capacity.json`` (``runs``), the earlier kept.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.generate import agency_pools, network_data
from bench.report import append_run, run_header
from model.check import kpis, penalty_breakdown
from model.formats.files import problem_from_data
from model.problem import Problem
from scheduler.instance import Instance
from scheduler.solve import find_start

OUT = Path(__file__).parent / "results" / "shared_capacity.json"
LATENESS = "priority_topic_late"
# (name, centres per copy of the agencies' experts, times the platform's streams)
VARIANTS = (
    ("as generated", 2, 1),
    ("ten times the streams", 2, 10),
    ("a copy of the experts for every centre", 1, 1),
    ("both", 1, 10),
)


def network(scale: int, centres_per_pool: int, streams_times: int) -> Problem:
    data = network_data(scale, centres_per_pool=centres_per_pool)
    data["platform"]["max_concurrent_streams"] *= streams_times
    return problem_from_data(data, f"network of {scale}, experts for every {centres_per_pool}, "
                                   f"streams x{streams_times}")


def lateness_by_centre(scale: int, centres_per_pool: int, streams_times: int) -> dict[str, Any]:
    """The start calendar's priority lateness (points) at each centre (by its first venue)."""
    problem = network(scale, centres_per_pool, streams_times)
    start = find_start(problem, Instance(problem)).greedy
    assert start is not None, "the network has a start calendar"
    centre_of = {e.id: e.item.venues[0] if e.item.venues else "any" for e in problem.editions}
    centres = dict.fromkeys(centre_of.values(), 0.0)
    for item in penalty_breakdown(start):
        if item.rule == LATENESS and item.edition is not None:
            centres[centre_of[item.edition]] += item.points
    return {"streams": problem.platform.max_concurrent_streams,
            "expert_copies": agency_pools(scale, centres_per_pool),
            "start_objective": round(kpis(start).objective, 1),
            "lateness": round(sum(centres.values()), 1),
            "lateness_by_centre": {c: round(x, 1) for c, x in centres.items()}}


def measure(scale: int) -> dict[str, Any]:
    rows = []
    for name, per_pool, streams in VARIANTS:
        row = {"variant": name, **lateness_by_centre(scale, per_pool, streams)}
        rows.append(row)
        print(f"{name}: lateness {row['lateness']:,.1f} {list(row['lateness_by_centre'].values())}, "
              f"start {row['start_objective']:,.1f}", flush=True)
    return {"instance": f"network{scale}x", "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--note", default="", help="what the run measures, kept with it")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    run = {**run_header(args.note), **measure(args.scale)}
    append_run(args.out, run, what="the start calendar's priority lateness by centre, with the network's shared "
                                   "capacity as generated and widened (bench/shared_capacity.py)")


if __name__ == "__main__":
    main()
