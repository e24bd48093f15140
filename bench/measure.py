"""One measured run: one solver on one generated instance, in a process of its own.

``python -m bench.measure SOLVER SCALE SEED TIME_LIMIT OUT [FAMILY]`` writes JSON lines to ``OUT``
as the run goes: one ``progress`` line per improving calendar or better bound, then one
``final`` line. A run stopped from outside (the runner's deadline) leaves its progress
lines, so what it had found by then still counts. The runner (``bench/run.py``) reads
the process's peak memory from the operating system when it ends.

FAMILY is ``bench/generate.py``'s instance family, "copies" unless given.

Times are wall-clock seconds since the solver was handed the problem (the generated
``Problem``): building the model is part of the time to the first calendar.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from bench.generate import family_problem
from model.check import check, kpis
from model.problem import Problem

SOLVERS = ("cpsat", "greedy", "mip", "timefold")

Emit = Callable[[dict[str, Any]], None]


def _line(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()


def run_cpsat(problem: Problem, time_limit_s: float, emit: Emit) -> dict[str, Any]:
    """RTCM Planner with its default settings, only the time limit set."""
    from scheduler.instance import Instance
    from scheduler.solve import Progress, SolveOptions, build, solve

    def progress(p: Progress) -> None:
        emit({"event": "progress", "t": p.elapsed_s, "objective": p.objective, "bound": p.bound})

    result = solve(problem, SolveOptions(time_limit_s=time_limit_s), on_progress=progress)
    out: dict[str, Any] = {
        "status": result.status,
        "runtime_s": result.runtime_s,
        "first_solution_s": result.first_solution_s,  # the greedy start, reported once checked
        "first_search_s": next((p.elapsed_s for p in result.progress if p.source == "search" and p.solutions),
                               None),  # the search's own first calendar
        "setup_s": result.build_s,  # solve()'s own figure: model, greedy hint and its completion
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "diagnosis": result.report.diagnosis,
    }
    out.update(_verdict(result.schedule if result.found else None))
    del result
    gc.collect()
    # The model alone (options, variables, every rule and the objective), timed apart.
    t = time.perf_counter()
    build(problem, inst=Instance(problem))
    out["build_s"] = time.perf_counter() - t
    return out


def run_greedy(problem: Problem, time_limit_s: float, emit: Emit) -> dict[str, Any]:
    """The planner's spreadsheet method: earliest fit in priority order (scheduler/greedy.py)."""
    from scheduler.greedy import greedy_schedule

    t = time.perf_counter()
    schedule = greedy_schedule(problem)
    elapsed = time.perf_counter() - t
    out: dict[str, Any] = {"status": "FEASIBLE", "runtime_s": elapsed, "build_s": None}  # no model
    out.update(_verdict(schedule))
    if out["valid"]:
        out["first_solution_s"] = elapsed
        emit({"event": "progress", "t": elapsed, "objective": out["objective"], "bound": None})
    else:
        out["status"] = "INVALID"
        out["first_solution_s"] = None
    return out


def run_mip(problem: Problem, time_limit_s: float, emit: Emit) -> dict[str, Any]:
    """The time-indexed MIP with HiGHS, started from the greedy calendar (bench/mip.py)."""
    from bench.mip import MipOptions, MipPoint, solve_mip

    def progress(p: MipPoint) -> None:
        emit({"event": "progress", "t": p.elapsed_s, "objective": p.objective, "bound": p.bound,
              "mip_objective": p.mip_objective})

    result = solve_mip(problem, MipOptions(time_limit_s=time_limit_s), on_progress=progress)
    out: dict[str, Any] = {
        "status": result.status,
        "runtime_s": result.runtime_s,
        "first_solution_s": result.first_solution_s,
        "build_s": None if result.status == "TOO_LARGE" else result.build_s,
        "objective": result.objective,
        "mip_objective": result.mip_objective,
        "bound": result.bound,
        "gap": result.gap,
        "size": result.size,
        "reason": result.reason,
    }
    out.update(_verdict(result.schedule))
    return out


def run_timefold(problem: Problem, time_limit_s: float, emit: Emit) -> dict[str, Any]:
    """Timefold Solver's default construction heuristic and local search from nothing (bench/timefold_model.py).

    Its progress lines carry Timefold's soft score in points (the model weighs every soft rule as the
    checker does); the final objective is the checker's, of the calendar Timefold returns.
    """
    try:
        from bench.timefold_model import TimefoldPoint, solve_timefold
    except Exception as e:  # not installed, or no Java runtime to start: say so instead of crashing
        return {"status": "UNAVAILABLE", "reason": f"Timefold cannot run here: {type(e).__name__}: {e}",
                "runtime_s": None, "first_solution_s": None, "build_s": None, **_verdict(None)}

    def progress(p: TimefoldPoint) -> None:
        emit({"event": "progress", "t": p.elapsed_s, "objective": p.objective, "bound": None,
              "score": f"{p.hard}hard/{p.soft}soft"})

    result = solve_timefold(problem, time_limit_s, on_progress=progress)
    out: dict[str, Any] = {
        "status": result.status,
        "runtime_s": result.runtime_s,
        "first_solution_s": result.first_solution_s,
        "build_s": result.build_s,  # the JVM's start and the translation of the model into it
        "score": result.score,
        "score_objective": result.score_objective,
        "progress_objective": "Timefold's soft score in points",
        "reason": result.reason,
    }
    out.update(_verdict(result.schedule))
    return out


def _verdict(schedule: Any) -> dict[str, Any]:
    """The checker's word on a calendar: a calendar that breaks a hard rule is no result."""
    if schedule is None:
        return {"valid": False, "violations": [], "editions_scheduled": None, "objective": None}
    violations = [str(v) for v in check(schedule)]
    valid = not violations
    return {
        "valid": valid,
        "violations": violations[:20],
        "violation_count": len(violations),
        "editions_scheduled": len(schedule.editions),
        "editions_total": len(schedule.problem.editions),
        "objective": kpis(schedule).objective if valid else None,
    }


RUNNERS: dict[str, Callable[[Problem, float, Emit], dict[str, Any]]] = {
    "cpsat": run_cpsat,
    "greedy": run_greedy,
    "mip": run_mip,
    "timefold": run_timefold,
}


def main(argv: list[str]) -> int:
    solver, scale, seed, time_limit, path = argv[0], int(argv[1]), int(argv[2]), float(argv[3]), argv[4]
    family = argv[5] if len(argv) > 5 else "copies"
    problem = family_problem(family, scale, seed)
    with open(path, "w", encoding="utf-8") as out:
        _line(out, {"event": "start", "solver": solver, "family": family, "scale": scale, "seed": seed,
                    "time_limit_s": time_limit})
        final = RUNNERS[solver](problem, time_limit, lambda r: _line(out, r))
        final["event"] = "final"
        _line(out, final)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
