"""The budget frontier: the problem solved at each budget, in parallel processes."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

from model.formats.files import problem_from_data
from model.frontier import Frontier, frontier
from model.problem import Problem
from model.schedule import Schedule
from scenarios.run import pool_size, solve_json
from scheduler.solve import SolveOptions


def at_budget(problem: Problem, budget: int) -> Problem:
    """The problem with its yearly budget set to ``budget`` USD (validated again as a whole)."""
    data = problem.model_dump(mode="json")
    data["budget_usd"] = budget
    return problem_from_data(data, f"budget {budget}")


def run_frontier(problem: Problem, budgets: list[int], options: SolveOptions | None = None
                 ) -> tuple[Frontier, dict[int, Schedule]]:
    """Solve ``problem`` at each budget (as many at once as the workers allow) and read the frontier.

    Returns the frontier and each budget's own calendar.
    """
    options = options or SolveOptions(time_limit_s=30.0)
    jobs = len(budgets)
    per_solve = options if pool_size(options.workers, jobs) == 1 else SolveOptions(
        **{**asdict(options), "workers": 2})
    opts = asdict(per_solve)
    with ProcessPoolExecutor(max_workers=pool_size(options.workers, jobs)) as pool:
        futures = {b: pool.submit(solve_json, at_budget(problem, b).model_dump_json(), opts, None) for b in budgets}
        solved = {b: Schedule.model_validate_json(f.result()) for b, f in futures.items()}
    return frontier(problem.name, options.time_limit_s, solved), solved
