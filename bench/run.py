"""The benchmark: CP-SAT, the greedy baseline, the HiGHS MIP and Timefold on 1x, 3x (and 10x) instances.

``python -m bench.run --set quick`` (``make bench``) runs CP-SAT, greedy and the MIP on 1x and
3x; ``--set full`` (``make bench-full``) adds 10x and Timefold (``--solvers`` picks others).
``--family network`` measures ``bench/generate.py``'s network of centres instead of its copies.
A solver that cannot run here (Timefold without its package or a Java runtime) is reported
unavailable, with the reason, after its first run. Every run is a fresh process (``bench/measure.py``), so
its peak memory is its own; runs go one after another, never side by side, so that each
has the machine's two cores. Each solver runs ``--runs`` times per instance (3 by default)
and the figures are reported as median, min and max.

Outputs: ``bench/results/bench.json`` (every run, every progress point, the summary),
the section "## Solvers at scale" of ``bench/RESULTS.md`` (other sections are kept), and
``bench/results/objective_over_time.png``; for the network family ``bench_network.json``,
"## Solvers at scale: the network of centres" and ``objective_over_time_network.png``
(``bench/report.py``'s :func:`~bench.report.outputs`). ``--keep-others`` keeps the runs not
made this time (other solvers, other scales) from the existing JSON, so that one solver, or one
solver at some scales, can be measured again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED, FAMILIES, family_problem
from bench.measure import SOLVERS

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"

# Time points (seconds) at which the objective is read, per scale; the last is the time limit.
TIME_POINTS: dict[int, tuple[float, ...]] = {1: (10, 60), 3: (10, 60), 10: (10, 60, 300)}
SETS: dict[str, tuple[int, ...]] = {"quick": (1, 3), "full": (1, 3, 10)}
# The solvers each set runs unless told: Timefold (a JVM, installed by `make bench-full`) in the full set only.
SET_SOLVERS: dict[str, tuple[str, ...]] = {"quick": ("cpsat", "greedy", "mip"), "full": SOLVERS}
# A run still going this long after its time limit is stopped; what it reported by then counts.
GRACE_S = {1: 40.0, 3: 40.0, 10: 300.0}


def instance_facts(scale: int, seed: int, family: str = "copies") -> dict[str, Any]:
    """Size of a generated instance, as a planner would describe it."""
    from scheduler.instance import Instance

    p = family_problem(family, scale, seed)
    inst = Instance(p)
    return {
        "scale": scale,
        "editions": len(p.editions),
        "trainers": len(p.trainers),
        "rooms": len(p.rooms),
        "streams": p.platform.max_concurrent_streams,
        "horizon": f"{p.calendar.start}..{p.calendar.end}",
        "years": p.calendar.end.year - p.calendar.start.year + 1,
        "working_days": len(p.work_calendar),
        "options": sum(len(plan.options) for plan in inst.plans),
        "team_candidates": sum(len(plan.trainers) for plan in inst.plans),
        "editions_per_trainer": round(len(p.editions) / len(p.trainers), 3),
        "editions_per_room_day": round(len(p.editions) / (len(p.rooms) * len(p.work_calendar)), 4),
    }


def spawn(solver: str, scale: int, seed: int, time_limit: float, deadline_s: float,
          family: str = "copies") -> dict[str, Any]:
    """Run one measured process; return its record with peak RSS and CPU time from the OS."""
    with tempfile.TemporaryDirectory(prefix="rtcm-bench-") as tmp:
        out = Path(tmp) / "run.jsonl"
        err = Path(tmp) / "stderr.txt"
        cmd = [sys.executable, "-m", "bench.measure", solver, str(scale), str(seed), str(time_limit),
               str(out), family]
        load = os.getloadavg()[0]
        started = datetime.now(UTC).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        with open(err, "w") as errf:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, cwd=BENCH.parent,
                                    start_new_session=True)
            killed = False
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - t0 > deadline_s and not killed:
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
                time.sleep(0.2)
            proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()] if out.exists() else []
        stderr_tail = err.read_text()[-2000:]
    progress = [x for x in lines if x.get("event") == "progress"]
    final = next((x for x in lines if x.get("event") == "final"), None)
    record: dict[str, Any] = {
        "solver": solver, "family": family, "scale": scale, "seed": seed, "time_limit_s": time_limit,
        "started": started, "wall_s": round(wall, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "load_average_at_start": round(load, 2),
        "exit_code": proc.returncode,
        "killed_at_deadline": killed,
        "progress": [[round(x["t"], 3), x.get("objective"), x.get("bound")] for x in progress],
    }
    if final is not None:
        record.update({k: v for k, v in final.items() if k != "event"})
    else:
        record.update({"status": "KILLED" if killed else "CRASHED", "valid": False, "objective": None,
                       "stderr": stderr_tail})
        # A stopped run keeps what it had reported: its last calendar, unverified at the end.
        found = [x for x in progress if x.get("objective") is not None]
        record["first_solution_s"] = found[0]["t"] if found else None
    return record


def at_time(record: dict[str, Any], t: float) -> tuple[float | None, float | None]:
    """(objective, bound) the run had reported ``t`` seconds after it was handed the problem."""
    objective = bound = None
    for elapsed, obj, bnd in record["progress"]:
        if elapsed > t:
            break
        if obj is not None:
            objective = obj
        if bnd is not None:
            bound = bnd
    return objective, bound


def gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else None
    return max(0.0, (objective - bound) / abs(objective))


def figures(record: dict[str, Any], points: tuple[float, ...]) -> dict[str, Any]:
    """The per-run figures of the report."""
    valid = bool(record.get("valid"))
    out: dict[str, Any] = {
        "valid": valid,
        "first_feasible_s": record.get("first_solution_s"),
        "first_search_s": record.get("first_search_s"),
        "editions_scheduled": record.get("editions_scheduled") if valid else None,
        "peak_rss_mb": record.get("peak_rss_mb"),
        "build_s": record.get("build_s"),
        "cpu_s": record.get("cpu_s"),
        "wall_s": record.get("wall_s"),
        "final_objective": record.get("objective") if valid else None,
        "final_bound": record.get("bound") if valid else None,
        "final_gap": record.get("gap") if valid else None,
    }
    # The first calendar reported: CP-SAT's is its start (the greedy calendar it searches from).
    first = next((o for _, o, _ in record["progress"] if o is not None), None)
    out["start_objective"] = first
    for t in points:
        obj, bnd = at_time(record, t)
        key = f"{t:g}"
        out[f"objective_at_{key}"] = obj
        out[f"bound_at_{key}"] = bnd
        out[f"gap_at_{key}"] = gap(obj, bnd)
        out[f"below_start_at_{key}"] = (first - obj) / first if first and obj is not None else None
    return out


def summarise(values: list[Any]) -> dict[str, Any] | None:
    nums = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not nums:
        return None
    return {"median": statistics.median(nums), "min": min(nums), "max": max(nums), "n": len(nums)}


def summary(runs: list[dict[str, Any]], scales: tuple[int, ...]) -> list[dict[str, Any]]:
    rows = []
    for scale in scales:
        points = TIME_POINTS[scale]
        for solver in SOLVERS:
            mine = [r for r in runs if r["scale"] == scale and r["solver"] == solver]
            if not mine:
                continue
            figs = [figures(r, points) for r in mine]
            row: dict[str, Any] = {"scale": scale, "solver": solver, "runs": len(mine),
                                   "valid_runs": sum(1 for f in figs if f["valid"]),
                                   "statuses": sorted({str(r.get("status")) for r in mine})}
            for key in figs[0]:
                if key != "valid":
                    row[key] = summarise([f[key] for f in figs])
            reasons = sorted({str(r["reason"]) for r in mine if r.get("reason")})
            if reasons:
                row["reasons"] = reasons
            rows.append(row)
    return rows


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("ortools", "highspy", "timefold", "pydantic", "matplotlib"):
        try:
            from importlib.metadata import version

            out[name] = version(name)
        except Exception:  # not installed: say so rather than fail the benchmark
            out[name] = "not installed"
    return out


def keepable(saved: dict[str, Any], scales: tuple[int, ...], seed: int, family: str,
             facts: list[dict[str, Any]]) -> None:
    """Refuse (SystemExit) to keep the runs of an earlier benchmark ``saved`` that measured other
    instances than those of ``scales`` now: another seed or family, a scale it lacks, or an instance
    changed since (``facts``: :func:`instance_facts` of every scale of ``saved`` as it is now)."""
    meta = saved["meta"]
    if not set(scales) <= set(meta["scales"]) or meta["seed"] != seed or meta.get("family", "copies") != family:
        raise SystemExit("the saved benchmark lacks a scale run now, or has another seed or another family: "
                         "its runs cannot be kept")
    now = {f["scale"]: f for f in facts}
    changed = [f"{f['scale']}x" for f in saved["instances"] if now.get(f["scale"]) != f]
    if changed:
        raise SystemExit(f"the instances at {', '.join(changed)} have changed since the saved benchmark: "
                         "its runs cannot be kept; run every solver again")


def keep_others(saved: dict[str, Any], runs: list[dict[str, Any]], solvers: list[str],
                scales: tuple[int, ...]) -> tuple[list[dict[str, Any]], str]:
    """``runs`` after the runs of an earlier benchmark ``saved`` (:func:`keepable`) that were not run
    again (another solver, or another scale), and when that benchmark started (its own first
    start, when it kept runs itself)."""
    kept = [r for r in saved["runs"] if r["solver"] not in solvers or r["scale"] not in scales]
    return kept + runs, saved["meta"].get("kept_from") or saved["meta"]["started"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="quick")
    ap.add_argument("--family", choices=FAMILIES, default="copies",
                    help="the instance family of bench/generate.py (copies: the default)")
    ap.add_argument("--keep-others", action="store_true",
                    help="keep the existing JSON's runs of the solvers not run this time")
    ap.add_argument("--scales", type=int, nargs="*", help="override the set's scales")
    ap.add_argument("--solvers", nargs="*", choices=SOLVERS, help="override the set's solvers")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--points", type=float, nargs="*",
                    help="override the time points (s) of every scale; the last is the time limit")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=RESULTS, help="the folder of the JSON and the plot")
    ap.add_argument("--markdown", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--report-only", action="store_true",
                    help="only work out the summary again from an existing JSON's runs, and rewrite it, "
                         "RESULTS.md and the plot")
    ap.add_argument("--repeat-empty", action="store_true",
                    help="repeat the MIP when its first run found no calendar by the deadline (by default "
                         "its other runs are skipped: they would measure nothing but a second build)")
    args = ap.parse_args(argv)
    from bench.report import outputs, plot, write_markdown

    json_name, plot_name, _ = outputs(args.family)
    saved_path = args.out / json_name
    if args.report_only:
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        # The summary is worked out again from the runs, so that figures added since are in it.
        for scale, points in saved["meta"]["time_points"].items():
            TIME_POINTS[int(scale)] = tuple(points)
        saved["summary"] = summary(saved["runs"], tuple(saved["meta"]["scales"]))
        saved_path.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
        plot(saved, args.out / plot_name)
        write_markdown(saved, args.markdown)
        return 0
    scales = tuple(args.scales) if args.scales else SETS[args.set]
    solvers = list(args.solvers) if args.solvers else list(SET_SOLVERS[args.set])
    if args.points:
        for scale in scales:
            TIME_POINTS[scale] = tuple(sorted(args.points))
    saved = None
    known: dict[int, dict[str, Any]] = {}  # instance facts, each computed once
    if args.keep_others and saved_path.exists():  # checked before anything is measured
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        known = {scale: instance_facts(scale, args.seed, args.family) for scale in saved["meta"]["scales"]}
        keepable(saved, scales, args.seed, args.family, list(known.values()))
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    facts = []
    runs: list[dict[str, Any]] = []
    for scale in scales:
        facts.append(known.get(scale) or instance_facts(scale, args.seed, args.family))
        print(f"x{scale}: {facts[-1]['editions']} editions, {facts[-1]['trainers']} trainers, "
              f"{facts[-1]['rooms']} rooms, {facts[-1]['working_days']} working days", flush=True)
        limit = max(TIME_POINTS[scale])
        for solver in solvers:
            for k in range(args.runs):
                record = spawn(solver, scale, args.seed, limit, limit + GRACE_S.get(scale, limit), args.family)
                record["run"] = k + 1
                runs.append(record)
                obj = record.get("objective")
                print(f"  {solver:6s} run {k + 1}: {record.get('status')}, objective {obj}, "
                      f"first {record.get('first_solution_s')}, wall {record['wall_s']:.0f} s, "
                      f"peak {record['peak_rss_mb']:.0f} MB, load {record['load_average_at_start']}",
                      flush=True)
                if record.get("status") == "UNAVAILABLE":
                    print(f"  {solver:6s}: {record.get('reason')}; its other runs skipped", flush=True)
                    break
                nothing = not any(p[1] is not None for p in record["progress"])
                if solver == "mip" and nothing and not args.repeat_empty and k + 1 < args.runs:
                    print(f"  {solver:6s}: no calendar in run 1; its other runs skipped", flush=True)
                    break
    kept_from = None
    if saved is not None:
        runs, kept_from = keep_others(saved, runs, solvers, scales)
        facts += [f for scale, f in known.items() if scale not in scales]
        for scale in set(saved["meta"]["scales"]) - set(scales):
            TIME_POINTS[scale] = tuple(saved["meta"]["time_points"][str(scale)])
        scales = tuple(sorted(saved["meta"]["scales"]))
        facts.sort(key=lambda f: f["scale"])
        print(f"kept the runs not measured again from {saved_path}", flush=True)
    data: dict[str, Any] = {
        "meta": {
            "set": args.set, "family": args.family, "scales": list(scales), "runs": args.runs,
            "seed": args.seed,
            "time_points": {str(s): list(TIME_POINTS[s]) for s in scales},
            "started": started.isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - t0, 1),
            "kept_from": kept_from,  # other solvers' runs kept from the run started then
            "cores": os.cpu_count(), "machine": platform.machine(), "versions": versions(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "instances": facts,
        "summary": summary(runs, scales),
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    saved_path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    plot(data, args.out / plot_name)
    write_markdown(data, args.markdown)
    print(f"wrote {saved_path}, {args.out / plot_name}, {args.markdown} "
          f"in {data['meta']['duration_s']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
