"""The budget frontier: the problem solved at each budget, in parallel processes (``rtcm frontier``, through
:mod:`scenarios.sweep`: this machine's cores or a Ray cluster) or one budget after another in the caller's
process (the API's job runner, one solver process a run)."""

from __future__ import annotations

from collections.abc import Callable

from model.formats.files import problem_from_data
from model.frontier import Frontier, frontier
from model.problem import Problem
from model.schedule import Schedule
from scenarios.run import solve_all
from scenarios.sweep import Backend, SweepProgress, check_backend
from scheduler.solve import Progress, SolveOptions, solve
from scheduler.variables import StopFlag


def at_budget(problem: Problem, budget: int) -> Problem:
    """The problem with its yearly budget set to ``budget`` USD (validated again as a whole)."""
    data = problem.model_dump(mode="json")
    data["budget_usd"] = budget
    return problem_from_data(data, f"budget {budget}")


def run_frontier(problem: Problem, budgets: list[int], options: SolveOptions | None = None, *,
                 backend: Backend = "local", address: str | None = None,
                 on_progress: Callable[[SweepProgress], None] | None = None, stop: StopFlag | None = None,
                 ) -> tuple[Frontier, dict[int, Schedule]]:
    """Solve ``problem`` at each budget (as many at once as the workers allow, on ``backend``) and read
    the frontier.

    ``on_progress`` follows the budgets solved (:func:`scenarios.run.solve_all`). Once ``stop`` is
    set the budgets not finished are left out: the frontier is that of the budgets solved. Returns
    the frontier and each budget's own calendar.
    """
    options = options or SolveOptions(time_limit_s=30.0)
    check_backend(backend, options.workers, address)
    levels = list(dict.fromkeys(budgets))
    schedules = solve_all([at_budget(problem, b) for b in levels], options, backend=backend, address=address,
                          on_progress=on_progress, stop=stop)
    solved = {levels[i]: schedule for i, schedule in schedules.items()}
    return frontier(problem.name, options.time_limit_s, solved), solved


def frontier_in_turn(problem: Problem, budgets: list[int], options: SolveOptions | None = None, *,
                     stop: StopFlag | None = None, on_progress: Callable[[Progress], None] | None = None,
                     on_step: Callable[[int | None, Frontier], None] | None = None,
                     ) -> tuple[Frontier, dict[int, Schedule]]:
    """Solve ``problem`` at each budget in turn, the smallest first, in this process.

    A budget's point depends only on the budgets at or below it, so each point is final once
    its budget is solved. ``on_step(budget, frontier)`` is called before each budget with the
    frontier of those solved so far, and once more at the end with ``None``; ``on_progress``
    follows each solve. Once ``stop`` is set the solve under way ends with the best calendar it
    has (a budget stopped before it found a calendar or proved there is none is left out) and
    the budgets after it are not solved. Returns the frontier of the budgets solved and each
    one's own calendar.
    """
    options = options or SolveOptions(time_limit_s=30.0)
    solved: dict[int, Schedule] = {}

    def so_far() -> Frontier:
        return frontier(problem.name, options.time_limit_s, solved)

    for budget in sorted(set(budgets)):
        if stop is not None and stop.is_set():
            break
        if on_step is not None:
            on_step(budget, so_far())
        schedule = solve(at_budget(problem, budget), options, on_progress=on_progress, stop=stop).schedule
        stopped = stop is not None and stop.is_set()
        if schedule.editions or not stopped or (schedule.solver and schedule.solver.status == "INFEASIBLE"):
            solved[budget] = schedule
    result = so_far()
    if on_step is not None:
        on_step(None, result)
    return result, solved
