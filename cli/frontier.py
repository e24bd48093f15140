"""``rtcm frontier``: what each budget buys, solved at each budget in parallel processes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    EXIT_STOPPED,
    BackendOption,
    RayAddressOption,
    SweepBackend,
    console,
    fail_input,
    load_problem,
    sweep_progress,
    write_report,
)
from model.errors import InputError
from model.frontier import MAX_BUDGETS, Frontier, parse_budgets
from scheduler.solve import SolveOptions


def _share(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f} %"


def frontier_table(f: Frontier) -> Table:
    priorities = sorted({p for pt in f.points for p in pt.requests_by_priority}, reverse=True)
    t = Table("budget (USD)", "cost (USD)", "editions", "requests seated",
              *[f"priority {p}" for p in priorities], "in person", "online", "women", "from the solve at",
              title=f"{f.problem}: what each budget buys ({f.time_limit_s:g} s a solve)", title_justify="left")
    for pt in f.points:
        if pt.solved_at_usd is None:
            t.add_row(f"{pt.budget_usd:,}", "-", "-", f"no calendar ({pt.status})", *["-"] * len(priorities),
                      "-", "-", "-", "; ".join(pt.why)[:80] or "-")
            continue
        t.add_row(f"{pt.budget_usd:,}", f"{pt.cost_usd or 0:,}", str(pt.editions), f"{pt.seated}/{pt.requests}",
                  *[f"{pt.seated_by_priority.get(p, 0)}/{pt.requests_by_priority.get(p, 0)}" for p in priorities],
                  str(pt.in_person), str(pt.online), _share(pt.women_share),
                  "itself" if pt.solved_at_usd == pt.budget_usd else f"{pt.solved_at_usd:,}")
    return t


def frontier_cmd(
    problem: Annotated[Path | None, typer.Argument(help="problem file (YAML, JSON or XLSX); "
                                                        "omit for the embedded 2027 default")] = None,
    budgets: Annotated[str, typer.Option(help="first:last:step in USD (last included), or a comma-separated "
                                              "list")] = "300000:900000:50000",
    out: Annotated[Path | None, typer.Option(help="workbook with the frontier table and its chart")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="frontier JSON")] = None,
    time_limit: Annotated[float, typer.Option(help="seconds per budget")] = 30.0,
    workers: Annotated[int, typer.Option(help="threads in all; solves run in parallel within it")] = 2,
    backend: BackendOption = SweepBackend.local,
    ray_address: RayAddressOption = None,
) -> None:
    """Solve the problem at each budget and show what each buys: requests seated (by priority),
    in person and online, the women's share of participants. Ctrl-C stops the run: the frontier
    then covers the budgets solved."""
    from model.formats.excel_frontier import write_frontier_workbook
    from scenarios.frontier import run_frontier
    from scenarios.sweep import check_backend

    try:
        prob = load_problem(problem)
        levels = parse_budgets(budgets)
        check_backend(backend.value, workers, ray_address)
    except InputError as e:
        fail_input(e)
    except ValueError as e:
        fail_input(InputError([f"--budgets: {e}"]))
    if len(levels) > MAX_BUDGETS:
        fail_input(InputError([f"--budgets: {len(levels)} budgets; at most {MAX_BUDGETS} in one frontier"]))
    options = SolveOptions(time_limit_s=time_limit, workers=workers)
    with sweep_progress("budgets solved", len(levels)) as (progress, stop):
        try:
            result, solved = run_frontier(prob, levels, options, backend=backend.value, address=ray_address,
                                          on_progress=progress, stop=stop)
        except InputError as e:
            fail_input(e)
    console.print(frontier_table(result))
    stopped = len(solved) < len(levels)
    if stopped:
        console.print(f"stopped: {len(solved)} of {len(levels)} budgets solved; the frontier covers those",
                      highlight=False)
    write_report(result, json_out, out, write_frontier_workbook)
    if stopped:
        raise typer.Exit(EXIT_STOPPED)
