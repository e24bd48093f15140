"""Solving a base and its what-if scenarios, in parallel processes, and comparing them."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from model.compare import CalendarDiff, KpiRow, diff, kpi_row
from model.formats.files import problem_from_data
from model.problem import Problem
from model.schedule import Schedule
from scenarios.replan import with_baseline
from scenarios.scenario import Scenario, load
from scheduler.solve import SolveOptions, solve


class ScenarioOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    file: str
    description: str = ""
    changes: list[str]
    kpis: KpiRow
    diff: CalendarDiff
    diagnosis: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    """The base and each scenario: KPIs side by side, and each calendar's difference from the base."""

    model_config = ConfigDict(extra="forbid")

    base: KpiRow
    scenarios: list[ScenarioOutcome]


def solve_json(problem_json: str, options: dict, start_from_json: str | None) -> str:
    """Worker-process entry: JSON in, schedule JSON out (no pickled models cross processes)."""
    import json

    problem = problem_from_data(json.loads(problem_json), "scenario")
    start = Schedule.model_validate_json(start_from_json) if start_from_json else None
    result = solve(problem, SolveOptions(**options), start_from=start)
    return result.schedule.model_dump_json()


def pool_size(workers: int, jobs: int) -> int:
    """Solves at once: each keeps two solver threads, within the worker budget."""
    return max(1, min(jobs, workers // 2, os.cpu_count() or 1))


def run_scenarios(paths: list[str | Path], options: SolveOptions | None = None,
                  ) -> tuple[Comparison, Schedule, dict[str, Schedule]]:
    """Solve the base once and every scenario (in parallel), then compare them.

    Deterministic by default: differences come from the scenarios, not from solver noise.
    Returns the comparison, the base schedule and each scenario's schedule by name.
    """
    options = options or SolveOptions(deterministic=True)
    loaded: list[tuple[Path, Scenario, Problem, Problem]] = []
    for p in paths:
        scenario, scenario_base, changed = load(p)
        loaded.append((Path(p), scenario, scenario_base, changed))
    bases = {b.model_dump_json(): b for _, _, b, _ in loaded}
    if len(bases) > 1:
        raise ValueError("scenarios compared together must share one base problem")
    base_problem = next(iter(bases.values()))
    jobs = len(loaded)
    per_solve = options if pool_size(options.workers, jobs) == 1 else SolveOptions(
        **{**asdict(options), "workers": 2})
    base = solve(base_problem, per_solve).schedule
    problems = [
        with_baseline(changed, base) if scenario.stay_close and base.editions else changed
        for _, scenario, _, changed in loaded
    ]
    opts = asdict(per_solve)
    start = base.model_dump_json() if base.editions else None
    with ProcessPoolExecutor(max_workers=pool_size(options.workers, jobs)) as pool:
        futures = [pool.submit(solve_json, p.model_dump_json(), opts, start) for p in problems]
        schedules = [Schedule.model_validate_json(f.result()) for f in futures]
    outcomes = []
    by_name = {}
    for (path, scenario, _, _), schedule in zip(loaded, schedules, strict=True):
        by_name[scenario.name] = schedule
        outcomes.append(ScenarioOutcome(
            name=scenario.name, file=str(path), description=scenario.description,
            changes=[c.describe() for c in scenario.changes],
            kpis=kpi_row(scenario.name, schedule),
            diff=diff(base, schedule) if schedule.editions else CalendarDiff(),
            diagnosis=schedule.solver.diagnosis if schedule.solver else [],
        ))
    return Comparison(base=kpi_row("base", base), scenarios=outcomes), base, by_name
