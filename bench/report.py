"""The benchmark's readable outputs: the "Solvers at scale" section of RESULTS.md and the plot, and
what every bench run's record starts with."""

from __future__ import annotations

import json
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECTION = "## Solvers at scale"
# Per instance family of bench/generate.py: the JSON, the plot and the section of RESULTS.md.
OUTPUTS = {"copies": ("bench.json", "objective_over_time.png", SECTION),
           "network": ("bench_network.json", "objective_over_time_network.png",
                       f"{SECTION}: the network of centres"),
           "rollout": ("bench_rollout.json", "objective_over_time_rollout.png",
                       f"{SECTION}: the rollout over years")}
LABEL = {"cpsat": "RTCM Planner (CP-SAT)", "greedy": "Greedy earliest-fit", "mip": "MIP (HiGHS)",
         "timefold": "Timefold Solver"}
COLOUR = {"cpsat": "tab:blue", "greedy": "tab:orange", "mip": "tab:green", "timefold": "tab:purple"}


def run_header(note: str) -> dict[str, Any]:
    """What a run's record starts with: when, the note, the machine and its load."""
    return {"started": datetime.now(UTC).isoformat(timespec="seconds"), "note": note,
            "machine": platform.machine(), "python": platform.python_version(),
            "load_at_start": round(os.getloadavg()[0], 2)}


def append_run(path: Path, run: dict[str, Any], *, what: str | None = None, key: str = "runs") -> None:
    """Append ``run`` to the list ``key`` of the JSON record at ``path``, the earlier runs kept (a
    new record says ``what`` it holds)."""
    data = json.loads(path.read_text()) if path.exists() else ({"what": what} if what else {})
    data[key] = [*data.get(key, []), run]
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"written: {path}")


def _num(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "—"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def _cell(stat: dict[str, Any] | None, digits: int = 1, pct: bool = False) -> str:
    """median (min–max), or the single value, or a dash."""
    if not stat:
        return "—"
    scale = 100.0 if pct else 1.0
    med, lo, hi = stat["median"] * scale, stat["min"] * scale, stat["max"] * scale
    unit = " %" if pct else ""
    if stat["n"] == 1 or _num(lo, digits) == _num(hi, digits):
        return f"{_num(med, digits)}{unit}"
    return f"{_num(med, digits)}{unit} ({_num(lo, digits)}–{_num(hi, digits)})"


def _row(summary: list[dict[str, Any]], scale: int, solver: str) -> dict[str, Any] | None:
    return next((r for r in summary if r["scale"] == scale and r["solver"] == solver), None)


def _median(row: dict[str, Any] | None, key: str) -> float | None:
    if row is None or not row.get(key):
        return None
    return float(row[key]["median"])


def targets(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, where we stand, met?) for each target of the issue, from the medians."""
    s = data["summary"]
    scales = data["meta"]["scales"]
    points = {int(k): v for k, v in data["meta"]["time_points"].items()}
    out: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "**missed**")

    def first_under(scale: int, limit_s: float) -> None:
        row = _row(s, scale, "cpsat")
        if row is None:
            return
        first = _median(row, "first_feasible_s")
        found = (row.get("first_feasible_s") or {}).get("n", 0)
        text = (f"no calendar in any of {row['runs']} runs" if first is None
                else f"{_num(first, 2)} s" + (f" ({found} of {row['runs']} runs found one)"
                                              if found < row["runs"] else ""))
        searched = _median(row, "first_search_s")
        if first is not None and searched is not None and searched > first:
            text += f" (the greedy start; the search's own first calendar at {_num(searched, 2)} s)"
        out.append((f"{scale}x: first feasible calendar under {limit_s:g} s", text,
                    verdict(first is not None and first < limit_s and found == row["runs"])))

    def gap_under(scale: int, at_s: float, limit: float, what: str) -> None:
        row = _row(s, scale, "cpsat")
        if row is None:
            return
        g = _median(row, f"gap_at_{at_s:g}")
        obj = _median(row, f"objective_at_{at_s:g}")
        text = (f"gap {100 * g:.2f} %" if g is not None
                else "no calendar by then" if obj is None else "no bound by then")
        out.append((f"{scale}x: {what} at {at_s:g} s", text, verdict(g is not None and g < limit)))

    if 1 in scales:
        first_under(1, 5)
        gap_under(1, 60, 0.01, "optimal or gap under 1 %")
    cp10 = _row(s, 10, "cpsat")
    if 10 in scales and cp10:
        first_under(10, 60)
        gap_under(10, 300, 0.05, "gap under 5 %")
        rss = cp10.get("peak_rss_mb") or {}
        top = rss.get("max")
        out.append(("10x: peak memory under 2 GB", "—" if top is None else f"{top:,.0f} MB (max of runs)",
                    verdict(None if top is None else top < 2048)))
        below = _median(cp10, "below_start_at_300")
        start = _median(cp10, "start_objective")
        text = "—" if below is None else f"{100 * below:.1f} % below"
        if below is not None and start is not None:  # the first calendar the solve reported
            text += f" its first calendar ({_num(start)})"
        out.append(("10x: the objective at 300 s at least 15 % below the start calendar", text,
                    verdict(None if below is None else below >= 0.15)))
    else:
        out.append(("10x targets (first calendar, gap at 300 s, memory)",
                    "not in this set (`make bench-full`)", "n/a"))
    for scale in scales:
        last = f"objective_at_{max(points[scale]):g}"
        cp, gr = _median(_row(s, scale, "cpsat"), last), _median(_row(s, scale, "greedy"), last)
        required = scale in (1, 10)
        if gr is None or _row(s, scale, "cpsat") is None:
            continue
        if cp is None:
            out.append((f"{scale}x: CP-SAT at least 25 % below the greedy baseline",
                        f"no CP-SAT calendar at {max(points[scale]):g} s (greedy {_num(gr)})",
                        verdict(False) if required else "—"))
            continue
        better = (gr - cp) / gr if gr else 0.0
        text = f"{100 * better:.1f} % below ({_num(cp)} vs {_num(gr)})"
        bound = _median(_row(s, scale, "cpsat"), f"bound_at_{max(points[scale]):g}")
        if bound and gr:
            # No calendar can beat the proven bound: the most any solver could be below greedy.
            text += f"; the proven bound {_num(bound, 0)} allows at most {100 * (gr - bound) / gr:.1f} %"
        out.append((f"{scale}x: CP-SAT at least 25 % below the greedy baseline"
                    + ("" if required else " (not a target at this scale)"),
                    text, verdict(better >= 0.25) if required else "—"))
    for peer in ("mip", "timefold"):
        out += no_worse_than(data, peer)
    slow = []
    shares = []
    for scale in scales:
        row = _row(s, scale, "cpsat")
        b = _median(row, "build_s")
        if b is None:
            continue
        share = b / max(points[scale])
        shares.append(f"{scale}x {b:.1f} s ({100 * share:.1f} %)")
        if share >= 0.10:
            slow.append(scale)
    if shares:
        out.append(("CP-SAT model build under 10 % of the time limit at every scale", ", ".join(shares),
                    verdict(not slow)))
    return out


def no_worse_than(data: dict[str, Any], peer: str) -> list[tuple[str, str, str]]:
    """The target "CP-SAT's objective at or below the peer's at every time point and scale", from the
    medians; none when the peer did not run. A point where the peer has no calendar and CP-SAT has one
    counts for CP-SAT."""
    s = data["summary"]
    scales = data["meta"]["scales"]
    points = {int(k): v for k, v in data["meta"]["time_points"].items()}
    worse = []
    compared = 0
    for scale in scales:
        if _row(s, scale, peer) is None:
            continue
        for t in points[scale]:
            key = f"objective_at_{t:g}"
            cp, other = _median(_row(s, scale, "cpsat"), key), _median(_row(s, scale, peer), key)
            compared += 1
            if other is not None and (cp is None or cp > other + 1e-6):
                worse.append(f"{scale}x at {t:g} s: {_num(cp)} vs {_num(other)}")
    if not compared:
        return []
    finals = []
    for scale in scales:
        cp = _median(_row(s, scale, "cpsat"), "final_objective")
        peer_row = _row(s, scale, peer)
        final = _median(peer_row, "final_objective")
        if final is not None and (cp is None or final < cp - 1e-6):
            when = _median(peer_row, "wall_s")
            finals.append(f"{scale}x: the final calendar of {LABEL[peer]} ({_num(final)}, its run ending at about "
                          f"{_num(when, 0)} s) beats CP-SAT's ({_num(cp)})")
    text = "; ".join(worse) if worse else f"no worse at all {compared} points"
    if finals:
        text += ". But " + "; ".join(finals)
    return [(f"CP-SAT no worse than {'the MIP' if peer == 'mip' else LABEL[peer]} at every time point", text,
             "met" if not worse else "**missed**")]


def _cpu_share(data: dict[str, Any]) -> str:
    """How much of its two cores CP-SAT actually got: the contention, in one figure."""
    shares = sorted(r["cpu_s"] / r["wall_s"] for r in data["runs"]
                    if r["solver"] == "cpsat" and r.get("wall_s"))
    if not shares:
        return ""
    mid = shares[len(shares) // 2]
    return (f"CP-SAT runs two workers, so alone it would use close to 2 CPU-seconds per second; its runs "
            f"got {shares[0]:.2f}–{shares[-1]:.2f} (median {mid:.2f}): read its figures as those of a "
            "machine with a fraction of its cores. CPU seconds per run are in the tables and the JSON.")


def outputs(family: str) -> tuple[str, str, str]:
    """(JSON file, plot file, RESULTS.md heading) of a family's benchmark."""
    return OUTPUTS[family]


INSTANCES = {
    "copies": "- Instances: `bench/generate.py`. Scale k is a network of k regional centres: k editions of every "
    "topic, k copies of the venues and of the trainer pool (new ids and names, absences re-drawn from "
    "the seed), k times the platform's streams and the organisation quotas; 10x plans two years "
    "(2027-2028, summer break and year-end closure in both). 1x is the default RTCM 2027 problem. "
    "Same seed, same instance.",
    "rollout": "- Instances: `bench/generate.py`'s rollout family (`family_problem(\"rollout\", k)`): the whole "
    "curriculum at the RTCM once a year for k years, every day planned (the default programme's editions times "
    "k, the same rooms and trainers, their limits a year over every year). 1x is the default RTCM 2027 problem.",
    "network": "- Instances: `bench/generate.py`'s network family (`family_problem(\"network\", k)`). Scale k is "
    "the RTCM and k - 1 regional centres, each running the 2027 programme as its own courses at its own "
    "venues, with its own regional trainers qualified for its courses only, and one shared pool of the "
    "agencies' and international partners' experts for every two centres, qualified at every centre; "
    "10x plans two years (2027-2028). 1x is the default RTCM 2027 problem. Same seed, same instance.",
}


def _kept(data: dict[str, Any]) -> str:
    """Which solvers' runs come from an earlier run of the benchmark (``--keep-others``)."""
    if not data["meta"].get("kept_from"):
        return ""
    kept: dict[str, set[int]] = {}
    every: dict[str, set[int]] = {}
    for r in data["runs"]:
        every.setdefault(r["solver"], set()).add(r["scale"])
        if r.get("started", "") < data["meta"]["started"]:
            kept.setdefault(r["solver"], set()).add(r["scale"])
    # A solver measured again at some scales only: its runs kept at the others.
    earlier = sorted(LABEL[solver] + ("" if scales == every[solver] else
                                      " at " + ", ".join(f"{x}x" for x in sorted(scales)))
                     for solver, scales in kept.items())
    return (f" The runs of {', '.join(earlier)} are kept from earlier runs of the benchmark, the first "
            f"started {data['meta']['kept_from']}; the duration above is this run's.") if earlier else ""


def section(data: dict[str, Any]) -> str:
    meta = data["meta"]
    family = meta.get("family", "copies")
    json_name, plot_name, heading = outputs(family)
    s = data["summary"]
    loads = [r["load_average_at_start"] for r in data["runs"]]
    v = meta["versions"]
    per_scale = ", ".join(
        f"{scale}x {sum(r['wall_s'] for r in data['runs'] if r['scale'] == scale) / 60:.1f} min"
        for scale in meta["scales"])
    lines = [
        heading,
        "",
        "_Written by `bench/run.py` (`make bench`, `make bench-full`"
        f"{'' if family == 'copies' else f', with --family {family}'}); the next run rewrites this section "
        f"and leaves the others alone. Every figure is in `bench/results/{json_name}`._",
        "",
        f"Run started {meta['started']} ({meta['set']} set: scales "
        f"{', '.join(f'{x}x' for x in meta['scales'])}; {meta['runs']} runs per solver and instance; "
        f"seed {meta['seed']}); it took {meta['duration_s'] / 60:.1f} min on {meta['cores']} cores "
        f"(runs per scale: {per_scale}). "
        f"Python {v['python']}, OR-Tools {v['ortools']}, highspy {v['highspy']}"
        f"{'' if v.get('timefold', 'not installed') == 'not installed' else ', timefold ' + v['timefold']}."
        f"{_kept(data)}",
        "",
        f"**The machine is shared with other engineers, so timings are noisy.** The 1-minute load "
        f"average when a run started ranged {min(loads):.1f}–{max(loads):.1f} on 2 cores (above 2, "
        f"processes wait for a core). {_cpu_share(data)}",
        "",
        "### Instances",
        "",
        "| scale | editions | trainers | rooms | platform streams | horizon | working days | options | "
        "team candidates | editions per trainer | editions per room-day |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for f in data["instances"]:
        lines.append(f"| {f['scale']}x | {f['editions']} | {f['trainers']} | {f['rooms']} | {f['streams']} | "
                     f"{f['horizon']} | {f['working_days']} | {f['options']:,} | {f['team_candidates']:,} | "
                     f"{f['editions_per_trainer']} | {f['editions_per_room_day']} |")
    lines += [
        "",
        "Options are the (start, length) pairs left after the calendar and the simplest resource facts "
        "(`scheduler/instance.py`); team candidates are the (edition, qualified trainer) pairs.",
        "",
        "### Figures",
        "",
        "Each cell is the median over the runs that produced the figure, with (min–max) when they differ; "
        "— means none. Times are wall-clock seconds since the solver was handed the problem, building "
        "its model included. Objectives are in points (lower is better), recomputed from the calendar "
        "by the checker; a calendar that breaks a hard rule counts as no result. *Objective @ t* is the "
        "best calendar the solver had reported by then; *bound* and *gap* are the proven lower bound "
        "and (objective − bound) / objective at the time limit.",
        "",
    ]
    for scale in meta["scales"]:
        pts = [float(t) for t in meta["time_points"][str(scale)]]
        last = pts[-1]
        head = ["solver", "runs with a calendar", "first calendar (s)"]
        head += [f"objective @ {t:g} s" for t in pts]
        head += [f"bound @ {last:g} s", f"gap @ {last:g} s", "editions", "peak RSS (MB)", "build (s)",
                 "CPU (s)"]
        lines += [f"#### {scale}x", "", "| " + " | ".join(head) + " |",
                  "|---|" + "---:|" * (len(head) - 1)]
        for solver in ("cpsat", "mip", "timefold", "greedy"):
            row = _row(s, scale, solver)
            if row is None:
                continue
            cells = [LABEL[solver], f"{row['valid_runs']} of {row['runs']}",
                     _cell(row.get("first_feasible_s"), 2)]
            cells += [_cell(row.get(f"objective_at_{t:g}")) for t in pts]
            if solver in ("greedy", "timefold"):  # no bound: neither proves one
                cells += ["—", "—"]
            else:
                cells += [_cell(row.get(f"bound_at_{last:g}")),
                          _cell(row.get(f"gap_at_{last:g}"), 1, pct=True)]
            built = "not built" if row["statuses"] == ["TOO_LARGE"] else _cell(row.get("build_s"), 2)
            cells += [_cell(row.get("editions_scheduled"), 0), _cell(row.get("peak_rss_mb"), 0), built,
                      _cell(row.get("cpu_s"), 0)]
            lines.append("| " + " | ".join(cells) + " |")
        notes = [f"{LABEL[r['solver']]}: {'; '.join(r['reasons'])}" for r in s
                 if r["scale"] == scale and r.get("reasons")]
        cpsat = _row(s, scale, "cpsat")
        if cpsat is not None and cpsat.get("first_search_s"):
            notes.append("RTCM Planner's first calendar is its greedy start, reported once the checker passes it; "
                         f"the search's own first calendar came at {_cell(cpsat['first_search_s'], 2)} s")
        mip_runs = [r for r in data["runs"] if r["scale"] == scale and r["solver"] == "mip" and r.get("size")]
        if mip_runs:
            size = mip_runs[0]["size"]
            if "rows" in size:
                notes.append(f"MIP size: {size['columns']:,} columns ({size['integer_columns']:,} integer), "
                             f"{size['rows']:,} rows, {size['nonzeros']:,} nonzeros")
        killed = [r for r in data["runs"] if r["scale"] == scale and r.get("status") == "KILLED"]
        for r in killed:
            notes.append(f"{LABEL[r['solver']]} run {r['run']} was still running {r['wall_s']:.0f} s after "
                         "it started and was stopped; what it had reported by then counts")
        skipped = [r for r in s if r["scale"] == scale and r["solver"] == "mip" and r["runs"] < meta["runs"]]
        for r in skipped:
            notes.append(f"{LABEL[r['solver']]}: no calendar in run 1, so its other runs were skipped "
                         "(they would measure nothing but another build)")
        if notes:
            lines += [""] + [f"- {n}" for n in notes]
        lines.append("")
    lines += ["### Targets", "", "| target | where we stand (medians) | |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(data)]
    lines += [
        "",
        "### How it was measured",
        "",
        INSTANCES[family] + " The instances carry no nominations: seating participants is a "
        "separate model `solve()` runs after the calendar, weighed apart from the calendar's objective, "
        "so without them every solver solves the same calendar problem and CP-SAT spends its whole time "
        "limit on it.",
        "- RTCM Planner: `scheduler.solve.solve` with its default settings (2 workers, the greedy calendar "
        "as a hint) and only the time limit set; its objective over time is the engine's own figure at "
        "each improving calendar (the tests check it equals the checker's), the final calendar goes "
        "through the checker. Its first calendar is the greedy one it starts from, reported as soon as the "
        "checker passes it (before the model is built) and returned if the search finds nothing better; "
        "the search's own first calendar is noted under each table. *Build* is the CP-SAT model alone "
        "(options, variables, rules, objective), timed apart after the run.",
        "- Greedy: `scheduler.greedy.greedy_schedule`, editions in prerequisite then priority order, each "
        "at the earliest start with a free suitable room and the cheapest team that breaks no hard rule.",
        "- MIP: `bench/mip.py`, a time-indexed formulation of the same hard rules and soft terms (placement "
        "binaries per option and room, team binaries, trainer-day variables per trainer, edition and day, "
        "guest-session binaries per slot, candidate and day), "
        "solved by HiGHS with its default settings (`mip_rel_gap` 0 to prove optimality, as CP-SAT is "
        "asked to), started from the same greedy calendar CP-SAT gets as a hint. Every incumbent is "
        "extracted and checked when HiGHS reports it. Its size grows with trainers x editions x days, "
        "which is why it is the slowest to build and the largest in memory.",
        "- Timefold: `bench/timefold_model.py`, the same hard rules (by the value ranges of its planning "
        "variables: each edition's options, rooms, qualified trainers and guest candidates; the rest as "
        "hard constraints) and soft terms (weighed as the checker weighs them, in hundredths of a point) "
        "in Timefold Solver's Python API, started from nothing: its default construction heuristic, then "
        "its default local search until the time limit. Its objective over time is its soft score in "
        "points; the final calendar goes through the checker. Its build is the JVM's start and the "
        "translation of the model into it (`make bench-full` installs it: `pip install .[peer]` and a "
        "Java 17 runtime).",
        "- Each run is its own process, one at a time; peak RSS is that process's `ru_maxrss` from the "
        "operating system. A run still going well past its time limit (HiGHS finishes its presolve "
        "before it looks at the clock) is stopped, and keeps what it had reported.",
        "- The quick set (`make bench`) is 1x and 3x with time points 10 s and 60 s: 3 runs of 60 s for "
        "CP-SAT and the MIP at each scale is 12 minutes of solving; with model builds and the greedy "
        "runs it fits in 15 minutes on an idle 2-core machine. `make bench-full` adds 10x with time "
        "points 10, 60 and 300 s (about 25 more minutes: a 10x CP-SAT run spends some 45 s on setup, "
        "300 s searching and 40 s more to time the model build apart).",
        "",
        f"![Objective over time](results/{plot_name})",
        "",
    ]
    return "\n".join(lines)


def write_markdown(data: dict[str, Any], path: Path) -> None:
    """Replace the "Solvers at scale" section of ``path`` (create the file if missing)."""
    replace_section(path, outputs(data["meta"].get("family", "copies"))[2], section(data))


def replace_section(path: Path, heading: str, new: str) -> None:
    """Put ``new`` in place of the ``heading`` section of ``path`` (up to the next "## "), or append it.

    Every other section is kept; a missing file is created with a "# Benchmarks" title.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\s*$.*?(?=^## (?!#)|\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: new + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def plot(data: dict[str, Any], path: Path) -> None:
    """Objective over time per solver, one panel per scale; bounds dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = data["meta"]["scales"]
    fig, axes = plt.subplots(1, len(scales), figsize=(6.2 * len(scales), 4.6), squeeze=False)
    for ax, scale in zip(axes[0], scales, strict=True):
        points = [float(t) for t in data["meta"]["time_points"][str(scale)]]
        horizon = points[-1] * 1.15
        for solver in ("cpsat", "mip", "timefold", "greedy"):
            runs = [r for r in data["runs"] if r["scale"] == scale and r["solver"] == solver]
            for i, r in enumerate(runs):
                label = LABEL[solver] if i == 0 else None
                obj = [(t, o) for t, o, _ in r["progress"] if o is not None and t <= horizon]
                if solver == "greedy":
                    if obj:
                        ax.plot([obj[0][0], horizon], [obj[0][1]] * 2, ":", color=COLOUR[solver], alpha=0.7,
                                label=label)
                        ax.plot([obj[0][0]], [obj[0][1]], "o", color=COLOUR[solver])
                    continue
                if obj:
                    xs = [t for t, _ in obj] + [min(horizon, max(obj[-1][0], r.get("wall_s") or obj[-1][0]))]
                    ys = [o for _, o in obj] + [obj[-1][1]]
                    ax.step(xs, ys, where="post", color=COLOUR[solver], alpha=0.85, lw=1.6, label=label)
                bnd = [(t, b) for t, _, b in r["progress"] if b is not None and t <= horizon]
                if bnd:
                    xs = [t for t, _ in bnd] + [horizon]
                    ys = [b for _, b in bnd] + [bnd[-1][1]]
                    ax.step(xs, ys, where="post", color=COLOUR[solver], alpha=0.5, lw=1.0, ls="--",
                            label=f"{LABEL[solver]}: bound" if i == 0 else None)
        missing = []
        for solver in ("cpsat", "mip", "timefold"):
            runs = [r for r in data["runs"] if r["scale"] == scale and r["solver"] == solver]
            if runs and not any(o is not None for r in runs for _, o, _ in r["progress"]):
                why = "too large to build" if runs[0].get("status") == "TOO_LARGE" else (
                    f"no calendar within {points[-1]:g} s ({len(runs)} run{'s' if len(runs) > 1 else ''})")
                missing.append(f"{LABEL[solver]}: {why}")
        if missing:
            ax.text(0.02, 0.04, "\n".join(missing), transform=ax.transAxes, fontsize=8, va="bottom")
        for t in points:
            ax.axvline(t, color="grey", lw=0.6, alpha=0.5)
        ax.set_xscale("log")
        ax.set_xlim(0.05, horizon)
        ax.set_title(f"{scale}x")
        ax.set_xlabel("seconds since the problem was handed over (log)")
        ax.set_ylabel("objective (points, lower is better)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, loc="best")
    fig.suptitle("Objective over time: every run, bounds dashed")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
