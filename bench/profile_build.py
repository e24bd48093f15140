"""Where the time goes before the search: a pyinstrument profile of the setup at a scale.

    .venv/bin/python -m bench.profile_build [--scale 3] [--seed 2027] [--out bench/results/profile_x3.txt]

Profiles what ``solve()`` does before CP-SAT searches, on a ``bench/generate.py``
instance: the options (``Instance``), the start calendars (``start_calendars``) and the
model (``build``), and prints the model's size. The text profile is written to ``--out``
and its top lines printed; ``bench/RESULTS.md`` quotes what it found.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from pyinstrument import Profiler

from bench.generate import DEFAULT_SEED, scaled_problem
from scheduler.greedy import start_calendars
from scheduler.instance import Instance
from scheduler.solve import build

BENCH = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile_build", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=None, help="default: bench/results/profile_x<scale>.txt")
    args = ap.parse_args(argv)
    problem = scaled_problem(args.scale, args.seed)
    profiler = Profiler()
    t0 = time.perf_counter()
    with profiler:
        inst = Instance(problem)
        t_inst = time.perf_counter()
        starts = list(start_calendars(problem, inst))
        t_starts = time.perf_counter()
        built = build(problem, inst=inst)
    t_end = time.perf_counter()
    proto = built.model.proto
    print(f"x{args.scale}: options {t_inst - t0:.1f} s, {len(starts)} start calendars {t_starts - t_inst:.1f} s, "
          f"model {t_end - t_starts:.1f} s (profiled, so slower than unprofiled); "
          f"{len(proto.variables):,} variables, {len(proto.constraints):,} constraints; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    out = args.out or BENCH / "results" / f"profile_x{args.scale}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    # Paths relative to the project: the profile says where in the code, not where it was checked out.
    text = profiler.output_text(unicode=True, color=False, show_all=False).replace(f"{BENCH.parent}/", "")
    out.write_text(text)
    print("\n".join(text.splitlines()[:40]))
    print(f"... whole profile in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
