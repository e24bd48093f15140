"""``rtcm rollout``: the programme over one to three years, the first in full detail."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import EXIT_NO_CALENDAR, console, fail_input, load_problem, summary_table, write_report
from model.errors import InputError
from model.formats.files import read_schedule
from model.problem import MAX_ROLLOUT_YEARS, Problem
from model.rollout import RolloutPlan, check_rollout
from model.schedule import Schedule


def rollout_table(plan: RolloutPlan) -> Table:
    """A row per rollout year, a column per quarter: editions (course days)."""
    t = Table("year", "Q1", "Q2", "Q3", "Q4", "cost (USD)", title=f"{plan.problem}: the rollout over {plan.years} "
              "year(s), editions (course days) by quarter", title_justify="left")
    days = plan.days_by_quarter()
    count: dict[str, int] = {}
    for e in plan.editions:
        count[e.quarter] = count.get(e.quarter, 0) + 1
    costs = plan.cost_by_year()
    for year in range(1, plan.years + 1):
        cells = {q.label[-2:]: f"{count.get(q.label, 0)} ({days[q.label]})" for q in plan.quarters if q.year == year}
        t.add_row(str(year) + (" (calendar)" if year == 1 else ""), *[cells.get(f"Q{k}", "-") for k in range(1, 5)],
                  f"{costs.get(year, 0):,}")
    return t


def themes_table(plan: RolloutPlan) -> Table:
    t = Table("theme", "due by year", "covered in year", "not run", title="Themes", title_justify="left")
    for th in plan.themes:
        t.add_row(th.name or th.theme, str(th.by_year), str(th.covered_in_year or "-"), ", ".join(th.missing) or "-")
    return t


def _with_years(problem: Problem, years: int | None) -> Problem:
    if years is None:
        return problem
    data = problem.model_dump(mode="json")
    data["rollout"]["years"] = years
    return Problem.model_validate(data)


def rollout_cmd(
    problem: Annotated[Path | None, typer.Argument(help="problem file (YAML, JSON or XLSX); omit for the "
                                                        "embedded 2027 default")] = None,
    schedule: Annotated[Path | None, typer.Option(help="the first year's calendar (schedule JSON, as written "
                                                       "by solve); omitted: solved first")] = None,
    years: Annotated[int | None, typer.Option(min=1, max=MAX_ROLLOUT_YEARS,
                                              help="rollout years (default: the problem's)")] = None,
    out: Annotated[Path | None, typer.Option(help="workbook: the first year's sheets and the Rollout sheet")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="rollout JSON")] = None,
    time_limit: Annotated[float, typer.Option(help="seconds for the first year's calendar")] = 60.0,
    workers: Annotated[int, typer.Option(help="solver threads")] = min(8, os.cpu_count() or 2),
) -> None:
    """Plan every topic over one to three years: the first year's calendar in full, the later
    years by quarter, the Road Map's themes by the year each is due."""
    from model.formats.excel_rollout import write_rollout_workbook
    from scheduler.rollout import plan_rollout
    from scheduler.solve import SolveOptions, solve

    try:
        if schedule is not None:
            first: Schedule = read_schedule(schedule)
            if problem is not None:
                fail_input(InputError(["give a problem or --schedule (it carries its problem), not both"]))
            first = first.model_copy(update={"problem": _with_years(first.problem, years)})
        else:
            prob = _with_years(load_problem(problem), years)
            with console.status(f"solving the first year ({time_limit:g} s)..."):
                result = solve(prob, SolveOptions(time_limit_s=time_limit, workers=workers))
            console.print(summary_table(result))
            if not result.found:
                raise typer.Exit(EXIT_NO_CALENDAR)
            first = result.schedule
    except InputError as e:
        fail_input(e)
    plan = plan_rollout(first, workers=workers)
    if plan.diagnosis:
        for d in plan.diagnosis:
            console.print(f"[red]why[/] {d}")
    else:
        console.print(rollout_table(plan))
        if plan.themes:
            console.print(themes_table(plan))
        waiting = sum(plan.carried_requests.values())
        if waiting:
            console.print(f"{waiting} requests of the first year without a seat are carried to the second.")
        breaches = check_rollout(first.problem, plan)
        console.print("[green]No rollout rule broken.[/]" if not breaches else
                      "[red]" + "; ".join(f"{b.rule}: {b.message}" for b in breaches) + "[/]")
    write_report(plan, json_out, out, lambda p, path: write_rollout_workbook(first, p, path))
    if plan.diagnosis:
        raise typer.Exit(EXIT_NO_CALENDAR)
