"""One runner for the sweeps: many independent solves (scenarios, budgets, sampled futures) at once.

A sweep is a module-level function that takes one item (a string, JSON as a rule) and returns a
string, run on every item of a list; optionally a setup run once in each process before its first
item (a calendar read once, not with every item). Nothing but strings crosses processes: the same
items give the same results wherever they run.

Two backends:

``local`` (the default)
    The cores of this machine: a pool of ``workers`` spawned processes (one process for one
    worker: the items never run in the caller's process, so a solve there neither blocks a stop
    nor takes the caller down when it crashes; the caller must be able to start processes, which
    a daemon process cannot). A process that dies (a native crash of the solver) costs the items
    it held, which run again in a new pool, up to :data:`CRASHES` times.
``ray``
    A Ray cluster: the one at ``address`` (by default the environment's ``RTCM_RAY_ADDRESS``), or
    a local Ray instance of ``workers`` processes started for the sweep and shut down after it
    (unless Ray is already initialised in this process, e.g. by :func:`session`: then that
    instance is used and left running). The nodes of a cluster need this package and its
    dependencies installed. A worker process that dies costs its item, which runs again, up to
    :data:`CRASHES` times.

Progress is reported as the items start and as each ends (:class:`SweepProgress`). A sweep can be
stopped: the items not started are dropped, and the items under way are abandoned (their processes
are killed, not waited for), so a stopped sweep returns the results of the items finished before
the stop.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from model.errors import InputError, Issue

if TYPE_CHECKING:
    from scheduler.variables import StopFlag

Backend = Literal["local", "ray"]
BACKENDS: tuple[str, ...] = get_args(Backend)
ADDRESS_ENV = "RTCM_RAY_ADDRESS"  # an existing Ray cluster for the ``ray`` backend
CRASHES = 3  # worker processes lost before the items left are given up
POLL_S = 0.2  # how often a stop is looked for while items run
CONNECT_TIMEOUT_S = 3.0  # a Ray address that does not answer within this is unreachable
OBJECT_STORE_BYTES = 100 * 2**20  # a local Ray instance's shared memory: the setup's arguments, the results

Work = Callable[[str], str]
Setup = Callable[..., None]


@dataclass(frozen=True)
class SweepProgress:
    """How far a sweep is: items done of all, seconds since the sweep started, and an estimate of the
    seconds left. Reported once as the items start (``done`` 0, after a local Ray instance has
    started or a cluster was joined), then as each item ends.

    ``estimate_s`` is the estimated seconds left: the wall time per item so far (items running at
    once shorten it) times the items left; None until an item has ended.
    """

    done: int
    total: int
    elapsed_s: float
    estimate_s: float | None


class Stopped(Exception):
    """Stopped before the result everything else needs was there (a scenario run's base calendar)."""


@dataclass(frozen=True)
class Swept:
    """A sweep's outcome: the result of each item finished, by its position in the list, in order.

    ``cancelled`` says the sweep was stopped; then ``results`` holds the items finished before the stop.
    """

    results: dict[int, str]
    total: int
    cancelled: bool

    @property
    def finished(self) -> list[str]:
        """The results of the items finished, in item order."""
        return list(self.results.values())


def ray_address(address: str | None = None) -> str | None:
    """The Ray cluster to use: ``address`` when given, else ``RTCM_RAY_ADDRESS``; None for a local instance."""
    return address or os.environ.get(ADDRESS_ENV) or None


def check_backend(backend: str, workers: int = 1, address: str | None = None) -> None:
    """Refuse a backend that is not one of :data:`BACKENDS`, fewer than one worker, a Ray address with
    the local backend, or a Ray address that cannot be reached (within :data:`CONNECT_TIMEOUT_S`).

    Raises
    ------
    model.errors.InputError
        Naming the setting (``backend``, ``workers``, ``ray_address``) and what to do.
    """
    issues = []
    if backend not in BACKENDS:
        issues.append(Issue("invalid_value", f"backend is {backend!r}: one of {', '.join(BACKENDS)}",
                            field=("backend",)))
    if workers < 1:
        issues.append(Issue("out_of_range", f"workers is {workers}: at least 1", field=("workers",)))
    if backend == "local" and address:
        issues.append(Issue("conflict", f"a Ray address ({address}) is given with the local backend: "
                                        "choose the ray backend, or give no address", field=("ray_address",)))
    if issues:
        raise InputError(issues, "the sweep settings")
    if backend == "ray":
        where = ray_address(address)
        if where:
            _probe(where)


def run_sweep(work: Work, items: Sequence[str], *, setup: Setup | None = None, setup_args: tuple[Any, ...] = (),
              workers: int = 2, threads: int = 1, backend: Backend = "local", address: str | None = None,
              on_progress: Callable[[SweepProgress], None] | None = None,
              on_result: Callable[[int, str], None] | None = None, stop: StopFlag | None = None) -> Swept:
    """Run ``work`` on every item, ``workers`` at once, on ``backend``.

    Parameters
    ----------
    work
        A module-level function (importable by name in the worker processes): one item in, one string out.
    items
        The items, strings (JSON as a rule).
    setup, setup_args
        A module-level function called as ``setup(*setup_args)`` once in each worker process before
        its first item; ``setup_args`` are pickled once (stored once on Ray).
    workers
        Items run at once: the local pool's processes, or the CPUs of a local Ray instance (times
        ``threads``). On an existing Ray cluster, Ray runs as many at once as its CPUs allow.
    threads
        The CPUs each item uses (its solver threads); Ray reserves that many for each item.
    backend
        ``local`` or ``ray``.
    address
        The Ray cluster (``host:port``, or ``ray://host:port`` with Ray's client installed); by
        default ``RTCM_RAY_ADDRESS``; with neither, a local Ray instance. Only for ``ray``.
    on_progress
        Called in this process with a :class:`SweepProgress` as the items start and as each ends.
    on_result
        Called in this process with an item's position and result as it ends (before ``on_progress``),
        e.g. to keep each result safe while the sweep runs.
    stop
        Once set, the items not started are dropped and those under way abandoned (their processes
        killed, their results lost); the sweep returns what finished, ``cancelled`` True.

    Returns
    -------
    Swept
        The results of the items finished, in item order, and whether the sweep was stopped.

    Raises
    ------
    model.errors.InputError
        For a bad backend, fewer than one worker, a Ray address with the local backend, an
        unreachable Ray address (before any item runs), or the Ray backend without Ray installed.
    RuntimeError
        When worker processes died more than :data:`CRASHES` times.
    """
    check_backend(backend, workers, address)
    t0 = time.perf_counter()
    results: dict[int, str] = {}

    def report() -> None:
        if on_progress is not None:
            done, elapsed = len(results), time.perf_counter() - t0
            on_progress(SweepProgress(done=done, total=len(items), elapsed_s=elapsed,
                                      estimate_s=elapsed / done * (len(items) - done) if done else None))

    def finished(index: int, result: str) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)
        report()

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    if not items or stopped():
        cancelled = bool(items)
    elif backend == "ray":
        cancelled = _on_ray(work, items, setup, setup_args, workers, threads, ray_address(address), report,
                            finished, stopped)
    else:
        report()
        cancelled = _in_processes(work, items, setup, setup_args, workers, finished, stopped)
    return Swept(results={i: results[i] for i in sorted(results)}, total=len(items), cancelled=cancelled)


Finished = Callable[[int, str], None]


def _start_worker(setup: Setup | None, setup_args: tuple[Any, ...]) -> None:
    # Ctrl-C on a terminal reaches the whole process group: the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        setup(*setup_args)


def _in_processes(work: Work, items: Sequence[str], setup: Setup | None, setup_args: tuple[Any, ...], workers: int,
                  finished: Finished, stopped: Callable[[], bool]) -> bool:
    """The items in a pool of ``workers`` processes; a pool broken by a dead process is replaced, and the
    items it lost run again, up to :data:`CRASHES` times."""
    left = list(range(len(items)))
    got: set[int] = set()
    # Spawned, not forked: this process may have run CP-SAT's threads already.
    context = multiprocessing.get_context("spawn")
    for _ in range(CRASHES + 1):
        pool = ProcessPoolExecutor(max_workers=min(workers, len(left)), mp_context=context,
                                   initializer=_start_worker, initargs=(setup, setup_args))
        clean = False
        try:
            pending: dict[Future[str], int] = {pool.submit(work, items[i]): i for i in left}
            broken = False
            while pending and not broken:
                if stopped():
                    return True
                done, _ = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
                for task in done:
                    index = pending.pop(task)
                    try:
                        result = task.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    got.add(index)
                    finished(index, result)
            clean = not broken
        finally:
            if clean:
                pool.shutdown()
            else:
                _abandon(pool)
        left = [i for i in left if i not in got]
        if not left:
            return False
    raise RuntimeError(f"the worker processes died {CRASHES + 1} times; {len(left)} of {len(items)} items were not run")


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Drop the pool's pending items and kill its processes, rather than wait for the items under way."""
    # The processes are private to the executor; Python 3.11 has no public way to end them.
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.kill()
    for p in processes:
        p.join(timeout=5)


@contextmanager
def session(backend: Backend, address: str | None = None, cpus: int = 1) -> Iterator[None]:
    """One Ray connection for the sweeps run inside it (a local instance of ``cpus`` CPUs when there is
    no address), rather than one each; nothing for the local backend.

    Raises
    ------
    model.errors.InputError
        As :func:`check_backend`, before anything runs.
    """
    check_backend(backend, cpus, address)
    if backend != "ray":
        yield
        return
    ray = _import_ray()
    owned = _connect(ray, ray_address(address), cpus)
    try:
        yield
    finally:
        if owned:
            ray.shutdown()


# In a Ray worker process: the sweep whose setup it holds, so the setup runs once per process and sweep.
_SET_UP: dict[str, str] = {}


def _on_ray_worker(work: Work, setup: Setup | None, setup_ref: list[Any], key: str, item: str) -> str:
    """One item in a Ray worker, the sweep's setup done first when this process has not done it yet."""
    if setup is not None and _SET_UP.get("sweep") != key:
        import ray

        # The reference travels inside a list so Ray does not fetch the arguments with every item.
        setup(*ray.get(setup_ref[0]))
        _SET_UP["sweep"] = key
    return work(item)


def _on_ray(work: Work, items: Sequence[str], setup: Setup | None, setup_args: tuple[Any, ...], workers: int,
            threads: int, address: str | None, started: Callable[[], None], finished: Finished,
            stopped: Callable[[], bool]) -> bool:
    """The items as Ray tasks, gathered as they finish; on a stop the tasks left are cancelled (killed)."""
    ray = _import_ray()
    owned = _connect(ray, address, workers * threads)
    try:
        started()
        # An item cannot reserve more CPUs than the largest node has: it would wait for ever.
        largest = max((n["Resources"].get("CPU", 0) for n in ray.nodes() if n.get("Alive")), default=1)
        task = ray.remote(num_cpus=max(1, min(threads, int(largest))), max_retries=CRASHES)(_on_ray_worker)
        setup_ref = [ray.put(setup_args)] if setup is not None else []
        key = uuid.uuid4().hex
        refs = {task.remote(work, setup, setup_ref, key, item): i for i, item in enumerate(items)}
        try:
            while refs:
                if stopped():
                    return True
                ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=POLL_S)
                for ref in ready:
                    index = refs.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayTaskError as e:
                        # The work's own exception, as the local backend raises it.
                        raise (e.cause if isinstance(e.cause, BaseException) else e) from None
                    except ray.exceptions.RayError as e:
                        raise RuntimeError(f"item {index} was lost {CRASHES + 1} times (its Ray worker or node "
                                           f"died): {e}") from None
                    finished(index, result)
            return False
        finally:
            for ref in refs:  # under way or waiting: stopped, or given up after an error
                ray.cancel(ref, force=True)
    finally:
        if owned:
            ray.shutdown()


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError([Issue("invalid_value", "the ray backend needs Ray: pip install 'rtcm-planner[ray]', or "
                                                 "use the local backend", field=("backend",))],
                         "the sweep settings") from None
    return ray


def _unreachable(address: str, why: str) -> InputError:
    return InputError([Issue("invalid_value", f"the Ray cluster at {address} cannot be reached ({why}): check "
                                              f"--ray-address or {ADDRESS_ENV}, or give neither for a local Ray "
                                              "instance", field=("ray_address",))], "the sweep settings")


# A client's HTTP/2 preface and an empty SETTINGS frame: a gRPC server (Ray's) answers with its own SETTINGS.
_HTTP2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
_SETTINGS = 4  # the frame type


def _probe(address: str) -> None:
    """Refuse an address that does not answer as a gRPC server (Ray's head, or its client server)
    within :data:`CONNECT_TIMEOUT_S`: Ray itself would wait most of a minute. ``auto`` and addresses
    without a port are left to Ray."""
    where = address.split("://", 1)[-1]
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S) as s:
            s.sendall(_HTTP2_HELLO)
            head = b""
            while len(head) < 9 and (chunk := s.recv(9 - len(head))):
                head += chunk
    except OSError as e:
        raise _unreachable(address, str(e) or type(e).__name__) from None
    if len(head) < 9 or head[3] != _SETTINGS:
        raise _unreachable(address, "what answers there is not a Ray cluster")


@contextmanager
def _one_try() -> Iterator[None]:
    """Ray tries to join a cluster twenty times: once is enough to know (set back once joined)."""
    key = "RAY_gcs_server_port_wait_time_s"
    before = os.environ.get(key)
    os.environ.setdefault(key, "1")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(key, None)


def _connect(ray: Any, address: str | None, cpus: int) -> bool:
    """Join the cluster at ``address`` (probed by :func:`check_backend` already), or start a local Ray
    instance of ``cpus`` CPUs. Returns whether this sweep owns the connection (and shuts it down);
    False when Ray was initialised already."""
    if ray.is_initialized():
        return False
    # A planner's machine sends nothing to Ray's makers unless asked.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    if address is None:
        # "local": a new instance, even when Ray's own RAY_ADDRESS names a cluster.
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, object_store_memory=OBJECT_STORE_BYTES,
                 **quiet)
        return True
    try:
        with _one_try():
            ray.init(address=address, **quiet)
    except (ConnectionError, ValueError, RuntimeError) as e:
        raise _unreachable(address, str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    return True
