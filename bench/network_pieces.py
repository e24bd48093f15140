"""The ten-centre network against its pieces: what the centres gain by sharing.

The network of ten centres (``bench/generate.py``'s ``network10x``, two years) shares the
platform's streams (two a centre) and one copy of the agencies' experts for every two centres.
Its pieces, each a network of the same generator over the same two years with its share of all
that (streams, budget and organisations' quotas in proportion):

- one centre alone: its two streams and a copy of the experts of its own;
- two centres: four streams and one copy of the experts between them (a fifth of the network).

Each piece is solved by the product (``scheduler.solve.solve``, as ``bench/engine.py`` does: no
seating, no backups) within the time limit, and its calendar put through the checker. Every soft
rule's points are reported, and the additive ones (those that sum over editions: the priority
lateness, the cost, linked topics run together) scaled up to ten centres: five pairs, ten centres
alone. The busiest month and the busiest trainer are one maximum over the whole network, so they
do not scale by addition. Ten centres each planned on its own, or five pairs, make a calendar of the
network; its additive points are those, and what it does better is what the sharing gains.

    .venv/bin/python -m bench.network_pieces [--time-limit 300] [--runs 1] [--pieces 1 2 10] [--note "..."]

Appends a run to ``bench/results/network_pieces.json`` (``runs``), the earlier kept.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from bench.generate import agency_pools, network_data
from bench.places import floor_of_the_whole
from bench.report import append_run, run_header
from model.check import check, kpis, penalties
from model.formats.files import problem_from_data
from model.problem import Problem
from scheduler.solve import SolveOptions, solve

OUT = Path(__file__).parent / "results" / "network_pieces.json"
NETWORK_CENTRES = 10
YEARS = 2  # the ten-centre network's horizon
# The rules whose points sum over editions (a network's are its pieces' sum); the others are one
# maximum over the network.
ADDITIVE = ("priority_topic_late", "cost", "linked_topics_overlap")
PIECES = (1, 2)  # centres in a piece (10: the network itself, for its own points)


def piece(centres: int) -> Problem:
    """``centres`` centres of the network over its two years, with their share of what it shares."""
    name = f"{centres} of the network's centres over {YEARS} years"
    return problem_from_data(network_data(centres, years=YEARS), name)


def measure_piece(centres: int, time_limit_s: float, seed: int) -> dict[str, Any]:
    problem = piece(centres)
    result = solve(problem, SolveOptions(time_limit_s=time_limit_s, seat=False, explain=False, seed=seed))
    schedule = result.schedule
    points = {p.rule: p.points for p in penalties(schedule) if p.points}
    additive = sum(points.get(rule, 0.0) for rule in ADDITIVE)
    times = NETWORK_CENTRES // centres
    return {"centres": centres, "editions": len(problem.editions),
            "streams": problem.platform.max_concurrent_streams, "expert_copies": agency_pools(centres),
            "seed": seed, "objective": round(kpis(schedule).objective, 1),
            "bound": result.bound,
            "floor_of_the_rules_left_out": floor_of_the_whole(problem),  # in a bound by places
            "hard_rules_broken": len(check(schedule)),
            "points": {rule: round(x, 1) for rule, x in sorted(points.items())},
            "additive": round(additive, 1), "times_to_the_network": times,
            "additive_for_the_network": round(times * additive, 1)}


def measure(time_limit_s: float, runs: int, pieces: tuple[int, ...] = PIECES) -> dict[str, Any]:
    rows = []
    for centres in pieces:
        for seed in range(runs):
            row = measure_piece(centres, time_limit_s, seed)
            rows.append(row)
            print(f"{centres} centre(s), seed {seed}: {row['objective']:,.1f} (bound {row['bound']}), "
                  f"additive {row['additive']:,.1f}, x{row['times_to_the_network']} "
                  f"{row['additive_for_the_network']:,.1f}, {row['points']}", flush=True)
    medians = {str(c): statistics.median(r["additive_for_the_network"] for r in rows if r["centres"] == c)
               for c in pieces}
    return {"time_limit_s": time_limit_s, "years": YEARS, "rows": rows,
            "median_additive_for_the_network": medians}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--runs", type=int, default=1, help="runs of each piece (seeds 0, 1, ...)")
    ap.add_argument("--pieces", type=int, nargs="+", default=list(PIECES),
                    help="centres in each piece (dividing ten; 10 is the network itself)")
    ap.add_argument("--note", default="", help="what the run measures, kept with it")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if any(c < 1 or NETWORK_CENTRES % c for c in args.pieces):
        ap.error(f"each piece's centres must divide {NETWORK_CENTRES}, not {args.pieces}")
    run = {**run_header(args.note), **measure(args.time_limit, args.runs, tuple(args.pieces))}
    append_run(args.out, run, what="the ten-centre network's pieces (one centre with its share, two centres "
                                   "sharing a copy of the experts) solved on their own, their additive points "
                                   "scaled to ten centres (bench/network_pieces.py)")


if __name__ == "__main__":
    main()
