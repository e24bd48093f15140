"""What the command groups share: the consoles, the exit codes, problem loading, the summary, outputs,
and a sweep's settings and progress."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from model.check import check, kpis
from model.errors import InputError
from model.formats.files import read_problem, schedule_json, write_atomic
from model.problem import Problem
from scheduler.solve import Result

if TYPE_CHECKING:
    from scenarios.sweep import SweepProgress

console = Console()
err = Console(stderr=True)

EXIT_NO_CALENDAR = 1
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 130  # a sweep stopped by Ctrl-C (128 + SIGINT), what it finished written all the same
TOP_PENALTIES = 5  # penalty records shown in the summary


def load_problem(path: Path | None) -> Problem:
    """The problem in a file (YAML, JSON or XLSX), or the embedded 2027 default when there is none."""
    if path is None:
        from data import default_problem

        return default_problem()
    return read_problem(path)


def fail_input(e: InputError) -> NoReturn:
    """List every input error on stderr and exit 2."""
    err.print(f"[bold red]Invalid input[/] {e.source or ''}")
    for m in e.messages:
        err.print(f"  - {m}", markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def summary_table(result: Result) -> Table:
    """Status, editions, objective, bound, gap, time, the checker's verdict, KPIs, penalties, warnings."""
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
        figures = (("fees", k.fees_usd), ("travel", k.travel_usd), ("rooms", k.room_cost_usd),
                   ("interpretation", k.interpretation_usd), ("participants' fares", k.participant_fares_usd),
                   ("allowances", k.participant_allowances_usd))
        parts = [f"{what} {usd:,}" for what, usd in figures if usd or what in ("fees", "rooms")]
        budget = s.problem.budget_usd
        t.add_row("cost", f"{k.cost_usd:,} USD ({', '.join(parts)})"
                  + (f"; budget {budget:,} USD" if budget is not None else ""))
        if k.participant_days:
            t.add_row("seats", f"{k.seats_by_mode.get('in_person', 0):,} in person, "
                      f"{k.seats_by_mode.get('online', 0):,} online; "
                      f"{k.cost_per_participant_day_usd:,.0f} USD per participant-day")
        if k.requests_by_priority:
            seated = k.seated_by_priority
            t.add_row("requests seated by priority", ", ".join(
                f"{level}: {seated[level]:,}/{asked:,}" for level, asked in k.requests_by_priority.items()))
        sessions = sum(len(se.guests) for se in s.editions)
        if sessions:
            t.add_row("guest sessions", f"{sessions}; by country: " + ", ".join(
                f"{c} {n}" for c, n in k.country_sessions.items()))
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


def write_report(report: BaseModel, json_out: Path | None, out: Path | None,
                 workbook: Callable[[Any, Path], None]) -> None:
    """Write a report (a scenario comparison, a frontier) as JSON and/or a workbook when asked."""
    if json_out:
        write_atomic(json_out, report.model_dump_json(indent=1) + "\n")
        console.print(f"wrote {json_out}")
    if out:
        workbook(report, out)
        console.print(f"wrote {out}")


class SweepBackend(StrEnum):
    local = "local"
    ray = "ray"


BackendOption = Annotated[SweepBackend, typer.Option(
    help="where the solves run: this machine's cores, or a Ray cluster (RTCM_RAY_ADDRESS or --ray-address; "
         "a local Ray instance when neither is given)")]
RayAddressOption = Annotated[str | None, typer.Option(
    help="the Ray cluster (host:port of its head) for --backend ray; RTCM_RAY_ADDRESS when not given")]


@contextmanager
def sweep_progress(what: str, total: int) -> Iterator[tuple[Callable[[SweepProgress], None], threading.Event]]:
    """Follow a sweep of ``total`` items: yields its ``on_progress`` and its ``stop``.

    On a terminal a bar (done/total, time elapsed, the estimate of the time left); otherwise a line
    ("12/200 futures re-planned, 34 s, about 510 s left") every tenth of the way. Ctrl-C sets
    ``stop`` instead of ending the command, so the sweep returns what it finished; a second Ctrl-C
    ends the command at once.
    """
    stop = threading.Event()
    arm = _ctrl_c_stops(stop)
    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[left]}"))
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(what, total=total, left="")

        def progress(p: SweepProgress) -> None:
            # CP-SAT leaves Ctrl-C at the system's default after a solve in this process: set ours again.
            arm()
            left = f"about {p.estimate_s:.0f} s left" if p.estimate_s is not None and p.done < p.total else ""
            bar.update(task, completed=p.done, left=left)
            if not console.is_terminal and p.done and (p.done == p.total or p.done % max(1, p.total // 10) == 0):
                console.print(f"{p.done}/{p.total} {what}, {p.elapsed_s:.0f} s" + (f", {left}" if left else ""),
                              highlight=False)

        before = signal.getsignal(signal.SIGINT)
        arm()
        try:
            yield progress, stop
        finally:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, before)


def _ctrl_c_stops(stop: threading.Event) -> Callable[[], None]:
    """A function that makes Ctrl-C set ``stop`` (until it has: the next Ctrl-C interrupts as usual).
    Signals reach the main thread only: elsewhere it does nothing."""

    def first(signum: int, frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def arm() -> None:
        if not stop.is_set() and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, first)

    return arm
