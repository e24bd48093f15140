"""``rtcm solve`` and ``rtcm check``: a calendar with live progress, and a schedule re-verified."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.table import Table

from cli.common import EXIT_NO_CALENDAR, console, fail_input, load_problem, summary_table, write_outputs
from model.backups import verify_backups
from model.check import check, kpis
from model.errors import InputError
from model.formats.files import read_schedule
from model.schedule import Schedule
from scheduler.solve import Progress, SolveOptions, solve


def _progress_line(p: Progress | None, limit: float) -> Table:
    t = Table.grid(padding=(0, 2))
    if p is None:
        t.add_row("[cyan]building the model and a first calendar...[/]")
        return t
    best = f"{p.objective:g}" if p.objective is not None else "-"
    if p.source == "greedy":
        t.add_row(f"[cyan]greedy start[/] {p.elapsed_s:5.1f} s", f"best {best}", "building the model...")
        return t
    gap = f"{100 * p.gap:.2f} %" if p.gap is not None else "-"
    bound = f"{p.bound:g}" if p.bound is not None else "-"
    t.add_row(f"[cyan]solving[/] {p.elapsed_s:5.1f}/{limit:g} s", f"best {best}", f"bound {bound}",
              f"gap {gap}", f"{p.solutions} calendars")
    return t


def solve_cmd(
    problem: Annotated[Path | None, typer.Argument(help="problem file (YAML, JSON or XLSX); "
                                                        "omit for the embedded 2027 default")] = None,
    out: Annotated[Path | None, typer.Option(help="Excel workbook to write")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="schedule JSON to write")] = None,
    time_limit: Annotated[float, typer.Option(help="seconds")] = 60.0,
    workers: Annotated[int, typer.Option(help="solver threads")] = min(8, os.cpu_count() or 2),
    deterministic: Annotated[bool, typer.Option(help="same input, same calendar")] = False,
    seed: int = 0,
    quiet: bool = False,
    with_backups: Annotated[bool, typer.Option("--backups/--no-backups",
                                               help="choose who could step in for whom (a few seconds more); "
                                                    "they go into the JSON and the workbook")] = True,
) -> None:
    """Solve a problem and write the calendar (Excel and/or JSON), with its backups."""
    try:
        prob = load_problem(problem)
    except InputError as e:
        fail_input(e)
    options = SolveOptions(time_limit_s=time_limit, workers=workers, deterministic=deterministic, seed=seed,
                           backups=with_backups)
    if quiet:
        result = solve(prob, options)
    else:
        console.print(str(prob), highlight=False)
        with Live(_progress_line(None, time_limit), console=console, refresh_per_second=4,
                  transient=True) as live:
            result = solve(prob, options, on_progress=lambda p: live.update(_progress_line(p, time_limit)))
    console.print(summary_table(result))
    if result.schedule.backups is not None:
        console.print(f"backups: {result.schedule.backups.summary()} (`rtcm backups` lists them)", highlight=False)
    write_outputs(result, out, json_out)


def check_cmd(schedule: Annotated[Path, typer.Argument(help="schedule JSON (as written by solve)")]) -> None:
    """Re-verify every hard rule of a schedule, perhaps edited by hand, and the backups it carries."""
    try:
        s: Schedule = read_schedule(schedule)
    except InputError as e:
        fail_input(e)
    violations = check(s)
    k = kpis(s)
    console.print(f"{len(s.editions)} editions checked against {len(s.problem.editions)} in the programme; "
                  f"objective recomputed: {k.objective:g}")
    sessions = sum(len(se.guests) for se in s.editions)
    if sessions:
        console.print(f"{sessions} guest sessions checked (by country: "
                      + ", ".join(f"{c} {n}" for c, n in k.country_sessions.items()) + ")")
    interpreted = [se for se in s.editions if se.edition in s.problem.edition_by_id
                   and s.problem.edition_by_id[se.edition].item.interpretation]
    if interpreted:
        console.print(f"{len(interpreted)} editions interpreted ({k.interpretation_usd:,} USD)")
    budget = s.problem.budget_usd
    of_budget = f" of a {budget:,} USD budget" if budget is not None else ""
    console.print(f"cost recomputed: {k.cost_usd:,} USD{of_budget}"
                  + f" (fees {k.fees_usd:,}, travel {k.travel_usd:,}, rooms {k.room_cost_usd:,}, interpretation "
                  f"{k.interpretation_usd:,}, participants' fares {k.participant_fares_usd:,}, allowances "
                  f"{k.participant_allowances_usd:,})", highlight=False)
    if not violations:
        console.print("[green]No hard rule broken.[/]")
    else:
        t = Table("rule", "records", "what is wrong", title=f"{len(violations)} hard rule(s) broken")
        for v in violations:
            t.add_row(v.name, ", ".join(v.records), v.message)
        console.print(t)
    wrong = verify_backups(s)
    if s.backups is not None and not wrong:
        console.print(f"[green]Backups checked: each could step in alone[/] ({s.backups.summary()})",
                      highlight=False)
    elif wrong:
        t = Table("records", "what is wrong", title=f"{len(wrong)} backup(s) could not step in")
        for v in wrong:
            t.add_row(", ".join(v.records), v.message)
        console.print(t)
    if violations or wrong:
        raise typer.Exit(EXIT_NO_CALENDAR)
