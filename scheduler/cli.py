"""The ``rtcm`` command line: solve, check, schema, catalogue."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from model.check import check, kpis
from model.errors import InputError
from model.formats.files import read_problem, read_schedule, schedule_json, write_atomic
from model.problem import Problem
from model.schedule import Schedule
from scheduler.solve import Progress, Result, SolveOptions, solve

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="RTCM Planner: annual training calendars for the RTCM, optimised with CP-SAT.")
console = Console()
err = Console(stderr=True)

EXIT_NO_CALENDAR = 1
EXIT_BAD_INPUT = 2
TOP_PENALTIES = 5  # penalty records shown in the summary


def _load_problem(path: Path | None) -> Problem:
    if path is None:
        from data import default_problem

        return default_problem()
    return read_problem(path)


def _fail_input(e: InputError) -> None:
    err.print(f"[bold red]Invalid input[/] {e.source or ''}")
    for m in e.messages:
        err.print(f"  - {m}", markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


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


def summary_table(result: Result) -> Table:
    r = result.report
    s = result.schedule
    t = Table(title=f"{s.problem.name}", show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column()
    colour = {"OPTIMAL": "green", "FEASIBLE": "green"}.get(r.status, "red")
    t.add_row("status", f"[{colour}]{r.status}[/]")
    t.add_row("editions scheduled", f"{len(s.editions)} of {len(s.problem.editions)}")
    if r.objective is not None:
        gap = f"{100 * r.gap:.2f} %" if r.gap is not None else "n/a"
        t.add_row("objective", f"{r.objective:g}")
        t.add_row("bound", f"{r.bound:g}")
        t.add_row("gap", gap)
    first = result.first_solution_s
    t.add_row("solve time", f"{result.runtime_s:.1f} s" + (
        f" (first calendar at {first:.1f} s)" if first is not None else ""))
    if s.editions:
        violations = check(s)
        k = kpis(s)
        t.add_row("checker", "[green]no hard rule broken[/]" if not violations
                  else f"[red]{len(violations)} hard rule(s) broken[/]")
        share = k.women_share_of_trainer_days
        t.add_row("women's share of trainer-days", f"{100 * share:.0f} %" if share is not None else "n/a")
        t.add_row("cost", f"{k.cost_usd:,} USD")
        for pen in k.penalties:
            if pen.points:
                t.add_row(f"  {pen.name}", f"{pen.amount:g} {pen.unit} -> {pen.points:g} points")
        # The costliest records of the score analysis (all of them in the JSON and the Issues sheet).
        for item in sorted(r.breakdown, key=lambda i: -i.points)[:TOP_PENALTIES]:
            t.add_row("  [dim]costliest[/]", item.message)
    if r.allocation is not None:
        a = r.allocation
        t.add_row("participants", f"{a.placed} seats filled, {a.unplaced} nominations without a seat "
                  f"({a.status}; `rtcm parity` for the gender parity report)")
    for d in r.diagnosis:
        t.add_row("[red]why[/]", d)
    for w in r.warnings:
        t.add_row("[yellow]warning[/]", w)
    return t


@app.command("solve")
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
) -> None:
    """Solve a problem and write the calendar (Excel and/or JSON)."""
    try:
        prob = _load_problem(problem)
    except InputError as e:
        _fail_input(e)
        return
    options = SolveOptions(time_limit_s=time_limit, workers=workers, deterministic=deterministic, seed=seed)
    if quiet:
        result = solve(prob, options)
    else:
        console.print(str(prob), highlight=False)
        with Live(_progress_line(None, time_limit), console=console, refresh_per_second=4,
                  transient=True) as live:
            result = solve(prob, options, on_progress=lambda p: live.update(_progress_line(p, time_limit)))
    console.print(summary_table(result))
    write_outputs(result, out, json_out)


def write_outputs(result: Result, out: Path | None, json_out: Path | None) -> None:
    """Write the schedule's JSON and workbook when asked; exit 1 when no calendar was found."""
    if json_out:
        write_atomic(json_out, schedule_json(result.schedule))
        console.print(f"wrote {json_out}")
    if out:
        from model.formats.excel import write_schedule_workbook

        write_schedule_workbook(result.schedule, out)
        console.print(f"wrote {out}")
    if not result.found:
        raise typer.Exit(EXIT_NO_CALENDAR)


@app.command("check")
def check_cmd(schedule: Annotated[Path, typer.Argument(help="schedule JSON (as written by solve)")]) -> None:
    """Re-verify every hard rule of a schedule, perhaps edited by hand."""
    try:
        s: Schedule = read_schedule(schedule)
    except InputError as e:
        _fail_input(e)
        return
    violations = check(s)
    k = kpis(s)
    console.print(f"{len(s.editions)} editions checked against {len(s.problem.editions)} in the programme; "
                  f"objective recomputed: {k.objective:g}")
    if not violations:
        console.print("[green]No hard rule broken.[/]")
        return
    t = Table("rule", "records", "what is wrong", title=f"{len(violations)} hard rule(s) broken")
    for v in violations:
        t.add_row(v.name, ", ".join(v.records), v.message)
    console.print(t)
    raise typer.Exit(EXIT_NO_CALENDAR)


@app.command("schema")
def schema_cmd(
    output: Annotated[bool, typer.Option("--output", help="the schedule JSON's schema instead")] = False,
) -> None:
    """Print the JSON Schema of the problem file (or, with --output, of the schedule JSON)."""
    model = Schedule if output else Problem
    typer.echo(json.dumps(model.model_json_schema(), indent=1))


@app.command("catalogue")
def catalogue_cmd() -> None:
    """Show the RTCM catalogue and the irregularities found in the curriculum source."""
    from data.curriculum import load_catalogue

    cat = load_catalogue()
    t = Table("module", "topics", "days (min-max)", "title")
    for m in cat.modules:
        ts = [x for x in cat.topics if x.module == m.number]
        t.add_row(str(m.number), str(len(ts)),
                  f"{sum(x.duration_min for x in ts)}-{sum(x.duration_max for x in ts)}", m.title[:70])
    console.print(t)
    console.print(f"[yellow]{len(cat.warnings)} irregularities in the source:[/]")
    for w in cat.warnings:
        console.print(f"  - {w}", markup=False, highlight=False)


# The other commands register themselves on `app`: files (Excel template and import,
# iCalendar), explanations, gender parity, scenarios and re-planning.
from scheduler import cli_exchange, cli_explain, cli_parity, cli_scenarios  # noqa: E402, F401

if __name__ == "__main__":
    app()
