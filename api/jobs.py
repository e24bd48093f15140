"""The job runner: solves run off the request path, each in a process of its own.

A job is queued in memory and in the database; ``max_concurrent`` worker threads take
jobs in order. Beyond ``queue_size`` waiting jobs a submission is refused (the API
answers 429 with Retry-After).

A job is of one of four kinds, sharing the queue, the slots and everything below: a
``solve`` of a stored problem (``POST /problems/{id}/solve``), which keeps the calendar
found; a ``scenario`` run (``POST /scenarios/run``): a what-if scenario's problem
solved from a finished job's calendar, which keeps the :class:`Comparison` of the two; a
``frontier`` run (``POST /problems/{id}/frontier``): the problem solved at each of its budgets
one after another in its one solver process, the smallest first, which keeps the points of the
budgets solved (:class:`FrontierProgress`) as its progress, each final once its budget is solved;
and a ``robustness`` run (``POST /jobs/{id}/robustness``, ``POST /published/{n}/robustness``): a
calendar re-planned in sampled absence futures (:func:`scenarios.robustness.robustness`), its
futures done as its progress (:class:`RobustnessProgress`), which keeps the report of the futures
it finished. A robustness run's process starts the sweep's own processes, one per future re-planned
at once (:attr:`JobRunner.cores_per_run` of them): its memory, and its end when it is killed, are
those of all its processes together.

A worker thread runs its job in a child process (multiprocessing, "spawn"):
:func:`solve_in_child` gets the job's :class:`Work` (the problem as JSON; for a scenario
run, the base calendar too) and calls :func:`scheduler.solve.solve`, sending each progress
snapshot through a pipe, then what the job keeps of the result (:class:`Outcome`: the
summary, the final progress, the calendar or the comparison as JSON), built in the child so
that the server only copies it. Progress lives in memory for the API to read at once, and a
flusher thread copies it to the database at most every ``PROGRESS_WRITE_INTERVAL_S``.

Why processes: the Python parts of a solve (building the model, the greedy calendar, the
callbacks) do not hold the server's GIL against the requests, and an OR-Tools abort ends
one job, not the service: a child that dies without an outcome fails its job with its exit
code. Starting a child costs about a second on an idle machine (it imports OR-Tools and
the models).

A solve's best calendar so far is kept in the database while it runs (:class:`CalendarFeed`):
the first at once, then at most every ``CALENDAR_WRITE_INTERVAL_S``, each written in one
transaction with its progress, so a server killed outright (``kill -9``, the out-of-memory
killer) loses at most those seconds: on restart the job is interrupted and keeps that
calendar, as does a job whose solver process dies. An objective is shown only once its
calendar is stored.

Cancelling (and stopping the service) sets the job's ``stop`` event, shared with the
child and passed to the solve: the search ends within a fraction of a second and the best
calendar found so far is kept. Model building does not look at ``stop``; a child still
running ``GRACE_S`` after being asked is killed. The child ignores Ctrl+C (the
terminal sends it to the whole process group; the server stops its solves itself), and
stops its search if the server dies.

A job's time limit covers the whole job, not only the search (:class:`Watchdog`): the solve
itself gives its search what its setup and model left of the limit, and the runner sets
``stop`` once the limit has passed since the solve began, then kills a child still running
``GRACE_S`` after the limit (counted from when the job started running, its process's start
included). So a job ends by its limit plus ``GRACE_S``, keeping the best calendar stored so
far, however long its model takes to build. A repeatable solve counts its limit in CP-SAT's
deterministic time, which a busy machine stretches: its deadline on the clock is
``DETERMINISTIC_WALL_FACTOR`` times its limit.

A solver process's memory is bounded (``RTCM_SOLVE_MEMORY_MB``, by default half of the
machine's memory shared among the solves that run at once): a child whose resident memory
passes it is killed at once, and its job fails saying so, keeping the best calendar it had
stored. The runner watches the memory (every ``MEMORY_CHECK_S``) rather than limit the
address space: CP-SAT's threads reserve address space far beyond what they use (a solve of
the default programme reserves twice the memory it touches, more with more workers), and
glibc aborts a thread that cannot reserve its share, which would end the solve without
saying why.

A job's end is written in one transaction. If the database cannot take it (read-only,
full, locked), the runner tries again every ``RECORD_RETRY_S`` until it can, so the job
ends recorded as soon as the database takes writes again.

The child lowers its own CPU priority (``RTCM_SOLVER_NICENESS``; the CP-SAT threads it
starts inherit it): a solve takes every idle core, yet requests are still answered at once
on a machine the solves keep busy.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from typing import Any, Literal

import psutil
from pydantic import Field

from api.store import JobRow, Store, StoreUnavailable, interrupted_message
from api.wire import JobSummary, ProgressOut, SolveRequest, Wire, dump, machine_cores
from model.check import kpis, penalty_breakdown
from model.compare import CalendarDiff, KpiRow, diff, kpi_row
from model.errors import InputError
from model.frontier import Frontier, FrontierPoint
from model.problem import Problem
from model.robustness import AbsenceRates, FutureOutcome, RobustnessReport, summarise
from model.schedule import Schedule, ScheduledEdition, SolverReport, UnscheduledEdition
from scenarios.frontier import frontier_in_turn
from scenarios.robustness import robustness
from scenarios.sweep import Backend, SweepProgress
from scheduler.solve import Progress, Result, SolveOptions, solve

log = logging.getLogger("api.jobs")

PROGRESS_WRITE_INTERVAL_S = 0.5
CALENDAR_WRITE_INTERVAL_S = 3.0  # a running solve's best calendar is stored at most this often
GRACE_S = 10.0  # a solver asked to stop, or past its time limit, that still runs this long after is killed
CANCEL_WAIT_S = 12.0  # how long DELETE /jobs/{id} waits for the solve to wind down: past GRACE_S
SHUTDOWN_WAIT_S = 25.0  # longer than GRACE_S: even a killed solve's job is recorded
DETERMINISTIC_WALL_FACTOR = 4.0  # a repeatable solve's deadline on the clock, in multiples of its limit
MEMORY_CHECK_S = 0.2  # how often a solver process's memory is read
RECORD_RETRY_S = 2.0  # how often a job's end is offered again to a database that refused it
RETRY_AFTER_DEFAULT_S = 30
SOLVER_NICENESS = 10  # CPU weight about a tenth of a request thread's when both want a core
STOP_CHECK_S = 0.2  # how often a worker looks whether its job was asked to stop
# A frontier run's deadline on the clock, per budget: a solve's limit covers its model and search,
# and what follows (the reasons for editions left out, the seating) may take as long again.
FRONTIER_LIMIT_FACTOR = 2.0
FRONTIER_SETUP_S = 5.0  # per budget, besides: the problem set to the budget and validated again
# A robustness run's deadline on the clock: each future re-plans twice (without backups, with them),
# each re-plan up to three tries of its time limit, each try's model built first; and the sweep's
# processes started and the calendar's backups chosen before the first future.
ROBUSTNESS_TRIES = 6
ROBUSTNESS_TRY_SETUP_S = 2.0
ROBUSTNESS_SETUP_S = 60.0

# A fresh interpreter per solve: forking a server full of threads and locks is not safe.
SPAWN = multiprocessing.get_context("spawn")

JobKind = Literal["solve", "scenario", "frontier", "robustness"]


def solver_niceness_from_env() -> int:
    """``RTCM_SOLVER_NICENESS`` (0-19; 0 keeps solves at the request threads' priority), else 10."""
    text = os.environ.get("RTCM_SOLVER_NICENESS", "").strip()
    try:
        return min(19, max(0, int(text))) if text else SOLVER_NICENESS
    except ValueError:
        raise ValueError(f"RTCM_SOLVER_NICENESS must be a whole number 0-19, not '{text}'") from None


def yield_cpu_to_requests(niceness: int = SOLVER_NICENESS) -> None:
    """Lower the calling thread's CPU priority (threads it starts inherit it); no-op where unsupported."""
    if niceness <= 0:
        return
    try:
        # On Linux, PRIO_PROCESS with a thread id sets that thread alone.
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, niceness))
    except (AttributeError, OSError):
        log.debug("could not lower the solver thread's priority", exc_info=True)


def default_concurrency() -> int:
    """One solve per two cores: CP-SAT runs its own workers inside each solve."""
    return max(1, machine_cores() // 2)


def machine_memory_mb() -> int:
    """The memory this service may use, in MB: the machine's, or its control group's limit if lower."""
    total = psutil.virtual_memory().total
    try:  # a container's limit (cgroup v2), when one is set ("max" when none)
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if text.isdigit():
            total = min(total, int(text))
    except OSError:
        pass
    return max(1, total // 2**20)


def solve_memory_mb(max_concurrent: int) -> int:
    """``RTCM_SOLVE_MEMORY_MB`` (0: no limit), else half the machine's memory shared among the solves
    that run at once."""
    text = os.environ.get("RTCM_SOLVE_MEMORY_MB", "").strip()
    if not text:
        return max(256, machine_memory_mb() // 2 // max(1, max_concurrent))
    try:
        mb = int(text)
    except ValueError:
        raise ValueError(f"RTCM_SOLVE_MEMORY_MB must be a whole number of MB (0: no limit), not '{text}'") from None
    if mb < 0:
        raise ValueError(f"RTCM_SOLVE_MEMORY_MB must be 0 (no limit) or more, not {mb}")
    return mb


def resident_mb(pid: int) -> float | None:
    """A process's resident memory in MB, with that of the processes it started (a robustness run's
    sweep); None once it has gone."""
    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue  # ended meanwhile
        return float(total) / 2**20
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def kill_tree(child: BaseProcess) -> None:
    """Kill a solver process and the processes it started: a robustness run's sweep processes would
    otherwise outlive it, waiting for work that never comes."""
    if child.pid is not None:
        try:
            descendants = psutil.Process(child.pid).children(recursive=True)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            descendants = []
        for process in descendants:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                process.kill()
    child.kill()


def wall_limit_s(options: SolveOptions) -> float:
    """A job's time limit on the clock: its own, or for a repeatable solve (whose limit is
    deterministic time) ``DETERMINISTIC_WALL_FACTOR`` times it."""
    return options.time_limit_s * (DETERMINISTIC_WALL_FACTOR if options.deterministic else 1.0)


class QueueFull(Exception):
    def __init__(self, retry_after_s: int, queue_size: int) -> None:
        super().__init__(f"the solve queue is full ({queue_size} waiting)")
        self.retry_after_s = retry_after_s
        self.queue_size = queue_size


class ShuttingDown(Exception):
    pass


class SolveFailed(Exception):
    """The solve raised, or its process ended without an outcome; the message says which."""


# ------------------------------------------------------------------------ the solver process


class Comparison(Wire):
    """What a scenario run keeps: the base calendar's figures and the scenario calendar's, what changed."""

    base: KpiRow
    scenario: KpiRow
    diff: CalendarDiff = Field(description="every edition moved, re-roomed, re-staffed, added or dropped, and why")
    editions: list[ScheduledEdition] = Field(description="the scenario calendar")
    unscheduled: list[UnscheduledEdition]
    diagnosis: list[str]

    @classmethod
    def of(cls, name: str, base: Schedule, new: Schedule) -> Comparison:
        return cls(
            base=kpi_row("base", base), scenario=kpi_row(name, new),
            diff=diff(base, new) if new.editions else CalendarDiff(),
            editions=new.editions, unscheduled=new.unscheduled,
            diagnosis=new.solver.diagnosis if new.solver else [],
        )


class FrontierProgress(Wire):
    """A frontier run so far: how many budgets are solved, the one being solved and its search, the points."""

    budgets_done: int = 0
    budget_usd: int | None = Field(default=None, description="the budget being solved; null once the run has ended")
    solve: ProgressOut | None = Field(default=None, description="the search at that budget")
    points: list[FrontierPoint] = Field(
        default_factory=list, description="the frontier of the budgets solved, the smallest first; a point is "
        "final once its budget is solved (it depends on the budgets at or below it only)")

    @classmethod
    def of(cls, budget: int | None, f: Frontier) -> FrontierProgress:
        return cls(budgets_done=len(f.points), budget_usd=budget, points=f.points)


class RobustnessProgress(Wire):
    """A robustness run so far: futures re-planned of all, seconds since they started, and an estimate of
    the seconds left (:class:`scenarios.sweep.SweepProgress`)."""

    done: int = Field(description="futures re-planned")
    total: int = Field(description="futures asked for")
    elapsed_s: float = Field(description="seconds since the futures started; once the run has ended, its whole "
                                         "time (the backups chosen first included)")
    estimate_s: float | None = Field(default=None, description="an estimate of the seconds left; null until a "
                                                                 "future has ended, and once the run has ended")

    @classmethod
    def of(cls, p: SweepProgress) -> RobustnessProgress:
        return cls(done=p.done, total=p.total, elapsed_s=round(p.elapsed_s, 1),
                   estimate_s=None if p.estimate_s is None else round(p.estimate_s, 1))


@dataclass(frozen=True)
class RobustnessSettings:
    """A robustness run's settings: the futures, their rates and seed, each re-plan's time limit, and where
    the futures run (``processes`` at once on ``backend``)."""

    samples: int
    rates: AbsenceRates
    seed: int
    time_limit_s: float
    processes: int
    backend: Backend = "local"

    @property
    def limit_s(self) -> float:
        """The run's deadline on the clock: every future's re-plans taking every try's whole time limit."""
        rounds = math.ceil(self.samples / self.processes)
        return ROBUSTNESS_SETUP_S + rounds * ROBUSTNESS_TRIES * (self.time_limit_s + ROBUSTNESS_TRY_SETUP_S)


@dataclass(frozen=True)
class Outcome:
    """What a job keeps of a solve's result, built in the solver process."""

    status: str
    found: bool
    runtime_s: float
    summary: dict[str, Any] | None  # a JobSummary, as stored; a frontier run has none
    progress: ProgressOut | FrontierProgress | RobustnessProgress
    schedule_json: str | None
    comparison_json: str | None = None
    note: str | None = None  # how a frontier or robustness run ended short of its budgets or futures
    report_json: str | None = None  # a robustness run's RobustnessReport

    @classmethod
    def of_robustness(cls, report: RobustnessReport, runtime_s: float) -> Outcome:
        """A robustness run keeps its report: of the futures it finished, when it was stopped."""
        asked = report.requested if report.requested is not None else report.samples
        done = f"{report.samples} of {asked} futures re-planned"
        return cls(
            status=done, runtime_s=runtime_s, summary=None, found=report.samples > 0,
            progress=RobustnessProgress(done=report.samples, total=asked, elapsed_s=round(runtime_s, 1)),
            schedule_json=None, report_json=report.model_dump_json(),
            note=None if report.samples == asked else f"{done}; the report covers those",
        )

    @classmethod
    def of_frontier(cls, f: Frontier, budgets: int, runtime_s: float) -> Outcome:
        """A frontier run keeps its points, as its progress."""
        done = len(f.points)
        return cls(
            status=f"{done} of {budgets} budgets solved", runtime_s=runtime_s, summary=None,
            found=any(p.solved_at_usd is not None for p in f.points),
            progress=FrontierProgress.of(None, f), schedule_json=None,
            note=None if done == budgets else f"{done} of {budgets} budgets solved, their points kept",
        )

    @classmethod
    def of(cls, result: Result, comparison: Comparison | None = None) -> Outcome:
        """A solve keeps its calendar; a scenario run its calendar too (to be published) and its comparison."""
        return cls(
            status=result.status, found=result.found, runtime_s=result.runtime_s,
            summary=dump(JobSummary.of(result)), progress=ProgressOut.final(result),
            schedule_json=result.schedule.model_dump_json() if result.found else None,
            comparison_json=None if comparison is None else comparison.model_dump_json(),
        )


@dataclass(frozen=True)
class Work:
    """What a solver process is given (plain strings: it validates them itself).

    A solve: the problem. A scenario run: the scenario's problem (its changes applied,
    asked to stay close to the base where the scenario says so), the base calendar it
    starts from and is compared with, and the scenario's name. A frontier run: the problem
    and its budgets; ``options`` are each budget's solve's. A robustness run: the calendar
    (``base_json``, which holds its problem: ``problem_json`` is empty) and its settings;
    ``options`` hold each re-plan's time limit.
    """

    kind: JobKind
    problem_json: str
    options: SolveOptions
    base_json: str | None = None
    name: str = ""
    budgets: tuple[int, ...] = ()
    robustness: RobustnessSettings | None = None

    @property
    def job_options(self) -> SolveOptions:
        """The options the runner reads for the job's deadline (a frontier run's limit is all its budgets'),
        and a solve's own: it chooses its calendar's backups too (a few seconds past its limit, well within
        the grace a solve has to end in)."""
        if self.kind == "solve":
            return replace(self.options, backups=True)
        if self.robustness is not None:
            return replace(self.options, time_limit_s=self.robustness.limit_s)
        if self.kind != "frontier":
            return self.options
        per_budget = FRONTIER_LIMIT_FACTOR * self.options.time_limit_s + FRONTIER_SETUP_S
        return replace(self.options, time_limit_s=len(self.budgets) * per_budget)

    def run(self, on_progress: Callable[[Progress], None], stop: ProcessEvent,
            on_calendar: Callable[[Schedule, float], None] | None = None,
            on_step: Callable[[FrontierProgress | RobustnessProgress], None] | None = None,
            on_future: Callable[[str], None] | None = None) -> Outcome:
        if self.robustness is not None:
            return self._robustness(self.robustness, stop, on_step, on_future)
        problem = Problem.model_validate_json(self.problem_json)
        if self.kind == "frontier":
            t0 = time.perf_counter()
            points, _ = frontier_in_turn(
                problem, list(self.budgets), self.options, stop=stop, on_progress=on_progress,
                on_step=None if on_step is None else (lambda b, f: on_step(FrontierProgress.of(b, f))))
            return Outcome.of_frontier(points, len(self.budgets), time.perf_counter() - t0)
        if self.base_json is None:
            return Outcome.of(solve(problem, self.job_options, on_progress=on_progress, stop=stop,
                                    on_calendar=on_calendar))
        base = Schedule.model_validate_json(self.base_json)
        result = solve(problem, self.options, on_progress=on_progress, stop=stop,
                       start_from=base if base.editions else None)
        return Outcome.of(result, Comparison.of(self.name, base, result.schedule))

    def _robustness(self, settings: RobustnessSettings, stop: ProcessEvent,
                    on_step: Callable[[FrontierProgress | RobustnessProgress], None] | None,
                    on_future: Callable[[str], None] | None = None) -> Outcome:
        assert self.base_json is not None
        published = Schedule.model_validate_json(self.base_json)
        t0 = time.perf_counter()
        report = robustness(
            published, settings.samples, settings.rates, settings.seed, processes=settings.processes,
            time_limit_s=settings.time_limit_s, stop=stop, backend=settings.backend,
            on_progress=None if on_step is None else (lambda p: on_step(RobustnessProgress.of(p))),
            on_future=None if on_future is None else (lambda f: on_future(f.model_dump_json())))
        return Outcome.of_robustness(report, time.perf_counter() - t0)


class CalendarFeed:
    """In the solver process: the solve's best calendar so far, sent to the server as it improves.

    The first calendar is sent at once, later ones at most every ``interval_s`` (the latest
    waits for its turn), each as ``("calendar", Progress, schedule JSON)``. A progress showing
    an objective before any calendar is sent is held back until one is: the server never shows
    an objective it could not serve after a crash.
    """

    def __init__(self, send: Callable[..., None], options: SolveOptions,
                 interval_s: float = CALENDAR_WRITE_INTERVAL_S) -> None:
        self.send = send
        self.options = options
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._best: float | None = None  # the objective of the latest calendar taken
        self._pending: Schedule | None = None
        self._progress: Progress | None = None  # the latest progress
        self._held = False  # a progress with an objective waits for its calendar
        self._sent_at: float | None = None
        self._done = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._send_when_due, name="rtcm-calendar-feed", daemon=True).start()

    def close(self) -> None:
        self._done.set()

    def on_progress(self, p: Progress) -> None:
        with self._lock:
            self._progress = p
            self._held = p.objective is not None and self._sent_at is None
            if not self._held:
                self.send("progress", p)

    def on_calendar(self, schedule: Schedule, objective: float) -> None:
        """A calendar found (the greedy start, or one of the search's): kept if it is the best."""
        with self._lock:
            if self._best is not None and objective >= self._best:
                return
            self._best, self._pending = objective, schedule
            if self._sent_at is None:
                self._send_pending()

    def _send_when_due(self) -> None:
        while not self._done.wait(min(0.5, self.interval_s)):
            with self._lock:
                if self._pending is not None and self._sent_at is not None \
                        and time.monotonic() - self._sent_at >= self.interval_s:
                    self._send_pending()

    def _send_pending(self) -> None:
        # Under self._lock.
        schedule, self._pending = self._pending, None
        assert schedule is not None and self._best is not None
        progress = self._progress or Progress(self._best, None, 0.0, 0)
        if progress.objective != self._best:
            progress = Progress(self._best, progress.bound, progress.elapsed_s, progress.solutions, progress.source)
        schedule = schedule.model_copy(update={"solver": self._report(schedule, progress)})
        self.send("calendar", progress, schedule.model_dump_json())
        self._sent_at = time.monotonic()
        if self._held and self._progress is not None:
            self._held = False
            self.send("progress", self._progress)

    def _report(self, schedule: Schedule, p: Progress) -> SolverReport:
        # Served only if the solve never ends normally (its final report replaces it).
        return SolverReport(
            status="FEASIBLE", objective=p.objective, objective_source="search" if p.source == "search" else "checker",
            bound=p.bound, gap=p.gap, runtime_s=round(p.elapsed_s, 3), solutions=p.solutions,
            workers=self.options.workers, time_limit_s=self.options.time_limit_s,
            deterministic=self.options.deterministic, penalties=kpis(schedule).penalties,
            breakdown=penalty_breakdown(schedule),
            warnings=[f"the solve was interrupted: this is the best calendar it had found after "
                      f"{p.elapsed_s:.1f} s, saved while it ran"],
        )


def solve_in_child(work: Work, niceness: int, stop: ProcessEvent, out: Connection) -> None:
    """The solver process: do ``work``, sending ``("progress", Progress)`` messages through ``out``
    (and, for a solve, ``("calendar", Progress, schedule JSON)`` as it improves; for a frontier
    run, ``("step", FrontierProgress)`` before each budget and at its end; for a robustness run,
    ``("future", FutureOutcome JSON)`` and ``("step", RobustnessProgress)`` as each future ends), then
    ``("outcome", Outcome)`` or ``("failed", message, traceback)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which sets ``stop``
    yield_cpu_to_requests(niceness)  # before any thread starts: they all inherit it
    threading.Thread(target=_stop_when_the_server_ends, args=(stop,), daemon=True).start()
    lock = threading.Lock()  # progress comes from the solver's threads

    def send(*message: object) -> None:
        with lock:
            out.send(message)

    def on_progress(p: Progress) -> None:
        send("progress", p)

    def on_step(p: FrontierProgress | RobustnessProgress) -> None:
        send("step", p)

    def on_future(f: str) -> None:
        send("future", f)

    feed = None
    # A scenario run keeps a comparison, made at its end; a frontier run its points; a robustness run its report.
    if work.kind == "solve":
        feed = CalendarFeed(send, work.options)
        feed.start()
    send("started")  # the solve's clock starts: the runner's deadline counts from here
    try:
        # solve() asks ``stop`` only is_set(), which a process event answers like a thread's.
        outcome = (work.run(on_progress, stop, on_step=on_step, on_future=on_future) if feed is None
                   else work.run(feed.on_progress, stop, on_calendar=feed.on_calendar))
        if feed is not None:
            feed.close()
        send("outcome", outcome)
    except Exception as err:
        what = "solve" if work.kind == "solve" else "run"
        # An input error (a Ray cluster that cannot be reached, say) says each of its issues.
        why = "; ".join(i.message for i in err.issues) if isinstance(err, InputError) else err or type(err).__name__
        send("failed", f"the {what} failed: {why}", traceback.format_exc())


def _stop_when_the_server_ends(stop: ProcessEvent) -> None:
    # An orphaned solve would search on to its time limit, on every core, for no one.
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        stop.set()


def _points_kept(live: LiveJob) -> FrontierProgress | RobustnessProgress | None:
    """A run ended without an outcome: a frontier run's points of the budgets it had solved, a robustness
    run's count of the futures it had re-planned."""
    _, progress, _ = live.snapshot()
    if isinstance(progress, FrontierProgress):
        return progress.model_copy(update={"budget_usd": None, "solve": None})
    if isinstance(progress, RobustnessProgress):
        return progress.model_copy(update={"estimate_s": None})
    return None


def _futures_kept(live: LiveJob) -> tuple[str | None, str | None]:
    """A robustness run ended without its outcome: the report of the futures it had re-planned (JSON), and
    what the job's message says of it ("the report of ... is kept"); both None when no future had ended."""
    work = live.work
    if work is None or work.robustness is None or work.base_json is None or not live.futures:
        return None, None
    settings = work.robustness
    futures = [FutureOutcome.model_validate_json(f) for f in live.futures]
    editions = len(json.loads(work.base_json)["editions"])
    runtime = None if live.started is None else round(time.monotonic() - live.started, 1)
    report = summarise(futures, rates=settings.rates, seed=settings.seed, editions=editions,
                       requested=settings.samples, runtime_s=runtime)
    return (report.model_dump_json(),
            f"the report of the {len(futures)} of {settings.samples} futures re-planned before is kept")


def ended_how(exitcode: int) -> str:
    """``exit code 3``, or ``signal SIGABRT`` for a process a signal ended."""
    if exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        return f"signal {signal.Signals(-exitcode).name}"
    except ValueError:
        return f"signal {-exitcode}"


# ---------------------------------------------------------------------------------- jobs


@dataclass(eq=False)
class LiveJob:
    """A queued or running job as the runner sees it."""

    id: str
    problem_id: str
    options: SolveOptions
    kind: JobKind = "solve"
    work: Work | None = None  # a run's, given when queued; a solve's is read when it starts
    state: str = "queued"
    # A frontier run's: FrontierProgress; a robustness run's: RobustnessProgress.
    progress: ProgressOut | FrontierProgress | RobustnessProgress | None = None
    futures: list[str] = field(default_factory=list)  # a robustness run's futures re-planned so far (JSON)
    version: int = 0  # bumps on every change of state or progress
    dirty: bool = False  # progress not yet written to the database
    started: float | None = None
    stop_reason: str | None = None  # "cancel", "shutdown" or "deadline"
    stop: ProcessEvent = field(default_factory=SPAWN.Event)  # shared with the solver process
    ended: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set_state(self, state: str, progress: ProgressOut | FrontierProgress | RobustnessProgress | None = None
                  ) -> None:
        with self.lock:
            self.state = state
            if progress is not None:
                self.progress = progress
                self.dirty = False
            self.version += 1

    def snapshot(self) -> tuple[str, ProgressOut | FrontierProgress | RobustnessProgress | None, int]:
        with self.lock:
            return self.state, self.progress, self.version


@dataclass
class Watchdog:
    """What the runner watches of a job's solver process: its deadline, a stop asked for, its memory.

    :meth:`check`, called every ``STOP_CHECK_S`` or so, sets the job's ``stop`` once its
    limit has passed since the solve began (``solving_since``; the job's start until the
    process says it has begun), and kills the process ``grace_s`` after the limit counted from
    the job's start, or ``grace_s`` after a stop was asked for, whichever comes first; and at
    once when its resident memory passes ``memory_mb``.
    """

    live: LiveJob
    limit_s: float  # on the clock (wall_limit_s)
    grace_s: float = GRACE_S
    memory_mb: int = 0  # 0: no limit
    solving_since: float | None = None
    asked_at: float | None = None
    killed: Literal["stop", "memory"] | None = None
    _memory_read_at: float = 0.0

    @property
    def started(self) -> float:
        assert self.live.started is not None
        return self.live.started

    def check(self, child: BaseProcess) -> None:
        if self.killed is not None:
            return
        now = time.monotonic()
        live = self.live
        if not live.stop.is_set() and now >= (self.solving_since or self.started) + self.limit_s:
            live.stop_reason = live.stop_reason or "deadline"
            live.stop.set()
        if self.asked_at is None and live.stop.is_set():
            self.asked_at = now
        deadline = now >= self.started + self.limit_s + self.grace_s
        if deadline or (self.asked_at is not None and now >= self.asked_at + self.grace_s):
            if deadline:  # the job's own end, whether or not a stop was asked for before
                live.stop_reason = live.stop_reason or "deadline"
                live.stop.set()
            log.warning("job %s: the solver still runs %g s after %s; killing it", live.id, self.grace_s,
                        "its time limit" if live.stop_reason == "deadline" else "being asked to stop")
            kill_tree(child)
            self.killed = "stop"
            return
        if self.memory_mb and child.pid is not None and now - self._memory_read_at >= MEMORY_CHECK_S:
            self._memory_read_at = now
            used = resident_mb(child.pid)
            if used is not None and used > self.memory_mb:
                log.warning("job %s: the solver uses %.0f MB, over its %d MB; killing it", live.id, used,
                            self.memory_mb)
                kill_tree(child)
                self.killed = "memory"

    def failure(self) -> str:
        """Why a process killed for its memory has no outcome."""
        return (f"the solve needed more than {self.memory_mb} MB of memory (RTCM_SOLVE_MEMORY_MB) and was "
                "ended")


class JobRunner:
    """Worker threads, each running a solve in a process; a bounded queue and cancellation, over a :class:`Store`.

    ``grace_s`` is how long a solver asked to stop, or past its time limit, may run on before
    it is killed; ``memory_mb`` the most memory a solver process may hold (0: no limit;
    default ``RTCM_SOLVE_MEMORY_MB``, else half the machine's shared among ``max_concurrent``).
    """

    def __init__(self, store: Store, max_concurrent: int | None = None, queue_size: int = 8,
                 solver_niceness: int | None = None, grace_s: float = GRACE_S,
                 memory_mb: int | None = None) -> None:
        self.store = store
        self.solver_niceness = solver_niceness_from_env() if solver_niceness is None else solver_niceness
        self.max_concurrent = max(1, max_concurrent or default_concurrency())
        self.queue_size = max(0, queue_size)
        self.grace_s = grace_s
        self.memory_mb = solve_memory_mb(self.max_concurrent) if memory_mb is None else max(0, memory_mb)
        self._cond = threading.Condition()
        self._pending: deque[LiveJob] = deque()
        self._live: dict[str, LiveJob] = {}
        self._busy = 0
        self._closing = False
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()  # the flusher ends, a job's end is no longer offered again

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        for i in range(self.max_concurrent):
            t = threading.Thread(target=self._work, name=f"rtcm-solve-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        flusher = threading.Thread(target=self._flush_loop, name="rtcm-progress", daemon=True)
        flusher.start()
        self._threads.append(flusher)

    def shutdown(self, wait_s: float = SHUTDOWN_WAIT_S) -> None:
        """Stop accepting jobs, stop running solves (kept as interrupted), and wait for them."""
        with self._cond:
            self._closing = True
            pending = list(self._pending)
            self._pending.clear()
            for live in pending:
                self._end_queued(live, "interrupted", interrupted_message(live.kind, "queued"))
            for live in self._live.values():
                live.stop_reason = live.stop_reason or "shutdown"
                live.stop.set()
            self._cond.notify_all()
        self._stopping.set()
        deadline = time.monotonic() + wait_s
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in self._threads if t.is_alive()]
        if stuck:
            log.warning("job threads still running at shutdown: %s", ", ".join(stuck))

    # -- requests -----------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        return self._closing

    @property
    def cores_per_run(self) -> int:
        """The cores one slot may use: the machine's shared among the jobs that run at once (the processes
        a robustness run re-plans its futures in)."""
        return max(1, machine_cores() // self.max_concurrent)

    def submit(self, problem_id: str, request: SolveRequest, resubmitted_from: str | None = None) -> JobRow:
        """Queue a solve; raise :class:`QueueFull` when no slot or queue place is free."""
        return self._queue(problem_id, dump(request), request.options(), resubmitted_from=resubmitted_from)

    def submit_run(self, problem_id: str, stored: dict[str, Any], work: Work) -> JobRow:
        """Queue a scenario, frontier or robustness run (``work``, of its kind), in the solves' queue and slots.

        ``problem_id`` is the problem it comes from (a scenario's base job's); ``stored`` what the
        run shows of itself. Raises :class:`QueueFull` like :meth:`submit`.
        """
        return self._queue(problem_id, stored, work.job_options, work=work)

    def _queue(self, problem_id: str, stored: dict[str, Any], options: SolveOptions, *,
               resubmitted_from: str | None = None, work: Work | None = None) -> JobRow:
        kind: JobKind = "solve" if work is None else work.kind
        with self._cond:
            if self._closing:
                raise ShuttingDown("the service is shutting down")
            idle = self.max_concurrent - self._busy
            if len(self._pending) >= self.queue_size + idle:
                raise QueueFull(self._retry_after(), self.queue_size)
            row = self.store.add_job(problem_id, stored, resubmitted_from, kind=kind)
            live = LiveJob(row.id, problem_id, options, kind=kind, work=work)
            self._live[row.id] = live
            self._pending.append(live)
            self._cond.notify()
        log.info("%s %s queued for problem %s", kind, row.id, problem_id)
        return row

    def cancel(self, job_id: str, wait_s: float = CANCEL_WAIT_S) -> bool | None:
        """Stop a job. None if it is not live; else whether it ended within ``wait_s``."""
        with self._cond:
            live = self._live.get(job_id)
            if live is None:
                return None
            if live.state == "queued":
                # Recorded first: a database that refuses it (StoreUnavailable) leaves the job queued.
                self.store.finish(live.id, "cancelled", message="cancelled before it started")
                self._pending.remove(live)
                self._live.pop(live.id, None)
                live.set_state("cancelled")
                live.ended.set()
                return True
            live.stop_reason = live.stop_reason or "cancel"
            live.stop.set()
        return live.ended.wait(wait_s)

    def live(self, job_id: str) -> LiveJob | None:
        with self._cond:
            return self._live.get(job_id)

    def live_view(self, job_id: str) -> tuple[str, ProgressOut | None] | None:
        """A live solve's or scenario run's state and progress."""
        live = self.live(job_id)
        if live is None:
            return None
        state, progress, _ = live.snapshot()
        return state, progress if isinstance(progress, ProgressOut) else None

    def live_frontier(self, job_id: str) -> tuple[str, FrontierProgress | None] | None:
        """A live frontier run's state and progress."""
        live = self.live(job_id)
        if live is None:
            return None
        state, progress, _ = live.snapshot()
        return state, progress if isinstance(progress, FrontierProgress) else None

    def live_robustness(self, job_id: str) -> tuple[str, RobustnessProgress | None] | None:
        """A live robustness run's state and progress."""
        live = self.live(job_id)
        if live is None:
            return None
        state, progress, _ = live.snapshot()
        return state, progress if isinstance(progress, RobustnessProgress) else None

    def counts(self) -> tuple[int, int]:
        """(running, queued)"""
        with self._cond:
            return self._busy, len(self._pending)

    def retry_after(self) -> int:
        with self._cond:
            return self._retry_after()

    def _retry_after(self) -> int:
        # The soonest a running solve reaches its time limit: a slot frees then at the latest.
        t = time.monotonic()
        left = [
            live.options.time_limit_s - (t - live.started)
            for live in self._live.values()
            if live.started is not None
        ]
        return max(1, math.ceil(min(left))) if left else RETRY_AFTER_DEFAULT_S

    def _end_queued(self, live: LiveJob, state: str, message: str) -> None:
        # Under self._cond: the database says the job ended before the runner forgets it.
        try:
            self.store.finish(live.id, state, message=message)
        except Exception:
            log.exception("job %s: could not record its end", live.id)
        self._live.pop(live.id, None)
        live.set_state(state)
        live.ended.set()

    # -- workers ------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                live = self._pending.popleft()
                self._busy += 1
                live.started = time.monotonic()
                live.set_state("running")
            try:
                self._run(live)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._live.pop(live.id, None)
                live.ended.set()

    def _run(self, live: LiveJob) -> None:
        log.info("%s %s running", live.kind, live.id)
        try:
            self.store.mark_running(live.id)
            work = live.work or Work("solve", self.store.problem(live.problem_id).model_dump_json(), live.options)
            outcome = self._solve(live, work)
        except SolveFailed as err:
            report, saved = _futures_kept(live)
            self._finish(live, "failed", message=f"{err}; {saved}" if saved else str(err), progress=_points_kept(live),
                         report_json=report, kept_message=f"{err}; the best calendar it had found before is kept")
            return
        except Exception as err:
            log.exception("job %s failed", live.id)
            self._finish(live, "failed", message=f"the solve failed: {err or type(err).__name__}",
                         progress=_points_kept(live))
            return
        if outcome is None:  # killed once asked to stop: only the calendar saved while it ran is left
            if live.stop_reason == "deadline":
                state = "failed"
                ended = (f"the solve was still running {self.grace_s:g} s past its time limit "
                         f"({wall_limit_s(live.options):g} s on the clock) and was ended")
            else:
                state = "cancelled" if live.stop_reason == "cancel" else "interrupted"
                ended = f"the solver did not stop within {self.grace_s:g} s of being asked to and was ended"
            kept = _points_kept(live)
            report, futures = _futures_kept(live)
            lost = {"frontier": "the points of the budgets solved before are kept",
                    "robustness": futures or "no report is kept"}.get(live.kind, "no calendar is kept")
            self._finish(live, state, progress=kept, message=f"{ended}; {lost}", report_json=report,
                         kept_message=f"{ended}; the best calendar it had found before is kept")
            return
        found = outcome.found
        if live.kind in ("frontier", "robustness"):
            state, message = self._partial_end(live, outcome)
        elif live.stop_reason == "cancel":
            state = "cancelled"
            message = ("cancelled; the best calendar found so far is kept" if found
                       else "cancelled before a calendar was found")
        elif live.stop_reason == "shutdown":
            state = "interrupted"
            message = ("the service stopped during the solve; the best calendar found so far is kept"
                       if found else interrupted_message(live.kind, "running"))
        elif live.stop_reason == "deadline" and live.options.deterministic:
            state, message = "done", (f"stopped by the clock {wall_limit_s(live.options):g} s after it began "
                                      "(the limit of a repeatable solve is deterministic time, which this busy "
                                      "machine stretched): solved again, it may give another calendar")
        else:
            state, message = "done", None  # a solve stopped at its deadline ends as at its time limit
        self._finish(
            live, state, message=message, summary=outcome.summary, progress=outcome.progress,
            schedule_json=outcome.schedule_json, comparison_json=outcome.comparison_json,
            report_json=outcome.report_json,
        )
        log.info("%s %s %s: %s in %.1f s", live.kind, live.id, state, outcome.status, outcome.runtime_s)

    def _partial_end(self, live: LiveJob, outcome: Outcome) -> tuple[str, str | None]:
        """A frontier or robustness run's end state and message: its note says how many budgets it solved,
        or how many futures it re-planned."""
        note = outcome.note
        whole = "every future was re-planned" if live.kind == "robustness" else "every budget was solved"
        if live.stop_reason == "cancel":
            return "cancelled", f"cancelled; {note or whole}"
        if live.stop_reason == "shutdown":
            return "interrupted", f"the service stopped during the run; {note or whole}"
        if live.stop_reason == "deadline" and note:
            return "done", f"stopped at the run's limit ({wall_limit_s(live.options):g} s on the clock); {note}"
        return "done", note

    def _solve(self, live: LiveJob, work: Work) -> Outcome | None:
        """Solve in a child process, relaying its progress: its outcome, or None if it was killed.

        Raises :class:`SolveFailed` when the solve raised or the process ended without an outcome.
        """
        receiver, sender = SPAWN.Pipe(duplex=False)
        # A robustness run starts the processes of its sweep, which a daemon process may not; it ends
        # with the service all the same (it stops once the service has gone: _stop_when_the_server_ends).
        child = SPAWN.Process(target=solve_in_child, name=f"rtcm-solve-{live.id[:8]}",
                              daemon=work.kind != "robustness", args=(work, self.solver_niceness, live.stop, sender))
        child.start()
        sender.close()  # the child holds the only writer now: reading gives EOFError once it ends
        watch = Watchdog(live, wall_limit_s(live.options), self.grace_s, self.memory_mb)
        try:
            while True:
                watch.check(child)
                if not receiver.poll(STOP_CHECK_S):
                    continue
                try:
                    kind, *payload = receiver.recv()
                except EOFError:
                    break
                if kind == "started":
                    watch.solving_since = time.monotonic()
                elif kind == "progress":
                    self._progress(live, payload[0])
                elif kind == "calendar":
                    self._calendar(live, *payload)
                elif kind == "step":
                    self._step(live, payload[0])
                elif kind == "future":
                    live.futures.append(payload[0])
                elif kind == "outcome":
                    return payload[0]
                else:
                    message, trace = payload
                    log.error("job %s: %s\n%s", live.id, message, trace)
                    raise SolveFailed(message)
        finally:
            receiver.close()
            child.join(self.grace_s)  # at once, unless the server itself failed mid-solve
            if child.exitcode is None:
                kill_tree(child)
                child.join()
        if watch.killed == "memory":
            log.error("job %s: %s", live.id, watch.failure())
            raise SolveFailed(watch.failure())
        if watch.killed == "stop":
            return None
        assert child.exitcode is not None
        message = f"the solver process ended unexpectedly ({ended_how(child.exitcode)})"
        log.error("job %s: %s", live.id, message)
        raise SolveFailed(message)

    def _finish(self, live: LiveJob, state: str, *, message: str | None = None,
                summary: dict | None = None,
                progress: ProgressOut | FrontierProgress | RobustnessProgress | None = None,
                schedule_json: str | None = None, comparison_json: str | None = None,
                report_json: str | None = None, kept_message: str | None = None) -> None:
        # One transaction; a database that refuses it for now is offered it again until it takes
        # it (the job shows as running meanwhile), or until the service stops (the next start
        # then marks the job interrupted, with the best calendar it had stored).
        while True:
            try:
                self.store.finish(live.id, state, summary=summary, message=message,
                                  progress=dump(progress) if progress else None, schedule_json=schedule_json,
                                  comparison_json=comparison_json, report_json=report_json,
                                  kept_message=kept_message)
                break
            except StoreUnavailable as err:
                log.warning("job %s: could not record its end (%s); trying again in %g s", live.id, err.cause,
                            RECORD_RETRY_S)
                if self._stopping.wait(RECORD_RETRY_S):
                    log.error("job %s: the service stopped before its end could be recorded", live.id)
                    break
            except Exception:
                log.exception("job %s: could not record its end", live.id)
                break
        live.set_state(state, progress)

    def _calendar(self, live: LiveJob, p: Progress, schedule_json: str) -> None:
        # Stored with its progress before the progress is shown: what is shown can be served.
        snap = ProgressOut.of(p)
        try:
            self.store.save_best(live.id, dump(snap), schedule_json)
        except Exception:
            log.warning("job %s: could not save its best calendar", live.id, exc_info=True)
        self._progress(live, p)

    def _progress(self, live: LiveJob, p: Progress) -> None:
        # Memory only, the flusher writes: reading the solver's pipe never waits on I/O.
        snap = ProgressOut.of(p)
        with live.lock:
            if live.kind == "frontier":  # the search at the budget being solved
                run = live.progress if isinstance(live.progress, FrontierProgress) else FrontierProgress()
                live.progress = run.model_copy(update={"solve": snap})
            else:
                live.progress = snap
            live.dirty = True
            live.version += 1

    def _step(self, live: LiveJob, p: FrontierProgress | RobustnessProgress) -> None:
        # A frontier run's next budget, with the points of those solved so far; a robustness run's futures done.
        with live.lock:
            live.progress = p
            live.dirty = True
            live.version += 1

    def _flush_loop(self) -> None:
        while not self._stopping.wait(PROGRESS_WRITE_INTERVAL_S):
            with self._cond:
                running = [live for live in self._live.values() if live.state == "running"]
            for live in running:
                with live.lock:
                    snap = live.progress if live.dirty else None
                    live.dirty = False
                if snap is not None:
                    try:
                        self.store.save_progress(live.id, dump(snap))
                    except Exception:
                        log.warning("job %s: could not save progress", live.id, exc_info=True)
