"""The job runner: solves run off the request path, a bounded number at a time.

A job is queued in memory and in the database; ``max_concurrent`` worker threads take
jobs in order and call :func:`scheduler.solve.solve`. Beyond ``queue_size`` waiting jobs
a submission is refused (the API answers 429 with Retry-After). Progress lives in
memory for the API to read at once, and a flusher thread copies it to the database at
most every ``PROGRESS_WRITE_INTERVAL_S`` (the solver's callbacks never wait on I/O).
Cancelling sets the solve's ``stop`` event: the search ends within a fraction of a
second and the best calendar found so far is kept.

Solver threads run at a lower CPU priority (Linux: a per-thread nice value, which the
CP-SAT workers they start inherit): a solve takes every idle core, yet requests are
still answered at once on a machine the solves keep busy.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from api.store import INTERRUPTED_MESSAGE, JobRow, Store
from api.wire import JobSummary, ProgressOut, SolveRequest, dump, machine_cores
from scheduler.solve import Progress, SolveOptions, solve

log = logging.getLogger("api.jobs")

PROGRESS_WRITE_INTERVAL_S = 0.5
CANCEL_WAIT_S = 10.0  # how long DELETE /jobs/{id} waits for the solve to wind down
SHUTDOWN_WAIT_S = 15.0
RETRY_AFTER_DEFAULT_S = 30
SOLVER_NICENESS = 10  # CPU weight about a tenth of a request thread's when both want a core


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


class QueueFull(Exception):
    def __init__(self, retry_after_s: int, queue_size: int) -> None:
        super().__init__(f"the solve queue is full ({queue_size} waiting)")
        self.retry_after_s = retry_after_s
        self.queue_size = queue_size


class ShuttingDown(Exception):
    pass


@dataclass(eq=False)
class LiveJob:
    """A queued or running job as the runner sees it."""

    id: str
    problem_id: str
    options: SolveOptions
    state: str = "queued"
    progress: ProgressOut | None = None
    version: int = 0  # bumps on every change of state or progress
    dirty: bool = False  # progress not yet written to the database
    started: float | None = None
    stop_reason: str | None = None  # "cancel" or "shutdown"
    stop: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set_state(self, state: str, progress: ProgressOut | None = None) -> None:
        with self.lock:
            self.state = state
            if progress is not None:
                self.progress = progress
                self.dirty = False
            self.version += 1

    def snapshot(self) -> tuple[str, ProgressOut | None, int]:
        with self.lock:
            return self.state, self.progress, self.version


class JobRunner:
    """Worker threads, a bounded queue and cancellation, over a :class:`Store`."""

    def __init__(self, store: Store, max_concurrent: int | None = None, queue_size: int = 8,
                 solver_niceness: int | None = None) -> None:
        self.store = store
        self.solver_niceness = solver_niceness_from_env() if solver_niceness is None else solver_niceness
        self.max_concurrent = max(1, max_concurrent or default_concurrency())
        self.queue_size = max(0, queue_size)
        self._cond = threading.Condition()
        self._pending: deque[LiveJob] = deque()
        self._live: dict[str, LiveJob] = {}
        self._busy = 0
        self._closing = False
        self._threads: list[threading.Thread] = []
        self._flusher_stop = threading.Event()

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
                self._end_queued(live, "interrupted", INTERRUPTED_MESSAGE.format(state="queued"))
            for live in self._live.values():
                live.stop_reason = live.stop_reason or "shutdown"
                live.stop.set()
            self._cond.notify_all()
        self._flusher_stop.set()
        deadline = time.monotonic() + wait_s
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in self._threads if t.is_alive()]
        if stuck:
            log.warning("solver threads still running at shutdown: %s", ", ".join(stuck))

    # -- requests -----------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        return self._closing

    def submit(self, problem_id: str, request: SolveRequest, resubmitted_from: str | None = None) -> JobRow:
        """Queue a solve; raise :class:`QueueFull` when no slot or queue place is free."""
        with self._cond:
            if self._closing:
                raise ShuttingDown("the service is shutting down")
            idle = self.max_concurrent - self._busy
            if len(self._pending) >= self.queue_size + idle:
                raise QueueFull(self._retry_after(), self.queue_size)
            row = self.store.add_job(problem_id, dump(request), resubmitted_from)
            live = LiveJob(row.id, problem_id, request.options())
            self._live[row.id] = live
            self._pending.append(live)
            self._cond.notify()
        log.info("job %s queued for problem %s", row.id, problem_id)
        return row

    def cancel(self, job_id: str, wait_s: float = CANCEL_WAIT_S) -> bool | None:
        """Stop a job. None if it is not live; else whether it ended within ``wait_s``."""
        with self._cond:
            live = self._live.get(job_id)
            if live is None:
                return None
            if live.state == "queued":
                self._pending.remove(live)
                self._end_queued(live, "cancelled", "cancelled before it started")
                return True
            live.stop_reason = live.stop_reason or "cancel"
            live.stop.set()
        return live.ended.wait(wait_s)

    def live(self, job_id: str) -> LiveJob | None:
        with self._cond:
            return self._live.get(job_id)

    def live_view(self, job_id: str) -> tuple[str, ProgressOut | None] | None:
        live = self.live(job_id)
        if live is None:
            return None
        state, progress, _ = live.snapshot()
        return state, progress

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
        yield_cpu_to_requests(self.solver_niceness)
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
        log.info("job %s running", live.id)
        try:
            self.store.mark_running(live.id)
            problem = self.store.problem(live.problem_id)
            result = solve(problem, live.options, on_progress=lambda p: self._progress(live, p),
                           stop=live.stop)
        except Exception as err:
            log.exception("job %s failed", live.id)
            self._finish(live, "failed", message=f"the solve failed: {err or type(err).__name__}")
            return
        found = result.found
        if live.stop_reason == "cancel":
            state = "cancelled"
            message = ("cancelled; the best calendar found so far is kept" if found
                       else "cancelled before a calendar was found")
        elif live.stop_reason == "shutdown":
            state = "interrupted"
            message = ("the service stopped during the solve; the best calendar found so far is kept"
                       if found else INTERRUPTED_MESSAGE.format(state="running"))
        else:
            state, message = "done", None
        self._finish(
            live, state, message=message, summary=dump(JobSummary.of(result)),
            progress=ProgressOut.final(result),
            schedule_json=result.schedule.model_dump_json() if found else None,
        )
        log.info("job %s %s: %s in %.1f s", live.id, state, result.status, result.runtime_s)

    def _finish(self, live: LiveJob, state: str, *, message: str | None = None,
                summary: dict | None = None, progress: ProgressOut | None = None,
                schedule_json: str | None = None) -> None:
        try:
            self.store.finish(live.id, state, summary=summary, message=message,
                              progress=dump(progress) if progress else None, schedule_json=schedule_json)
        except Exception:
            log.exception("job %s: could not record its end", live.id)
        live.set_state(state, progress)

    def _progress(self, live: LiveJob, p: Progress) -> None:
        # Called from the solver's threads: memory only, the flusher writes.
        snap = ProgressOut.of(p)
        with live.lock:
            live.progress = snap
            live.dirty = True
            live.version += 1

    def _flush_loop(self) -> None:
        while not self._flusher_stop.wait(PROGRESS_WRITE_INTERVAL_S):
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
