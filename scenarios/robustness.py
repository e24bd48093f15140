"""Absence risk measured: re-plan a published calendar in N sampled futures, without backups and with them.

For each future (:func:`model.robustness.draw_future`) the absences are added to the problem and the
calendar is re-planned as ``rtcm replan`` would, frozen as far as it can stay: every edition the
absences do not break is pinned exactly as published, and the broken ones are placed again staying
close to where they were (moving, re-staffing or dropping each costs what the re-plan weights say).
When no calendar keeps everything else frozen, the re-plan runs again with the editions within two
weeks of a broken one free too, and then with nothing frozen, the published calendar as its
baseline. With backups, the broken editions their backups save
(:func:`model.robustness.saved_by_backups`) are pinned with the backups on their teams, and only
the rest is re-planned: the difference is what the backups would have saved.

The futures are independent: they run in parallel processes (:mod:`scenarios.sweep`: this machine's
cores, or a Ray cluster), each re-plan on one CP-SAT worker within a time limit, the nominees not
seated. A re-plan proven optimal is the same in any process, so the same calendar, rates and seed
give the same report whatever the number of processes and the backend, as long as no re-plan stops
at its time limit (its status then says FEASIBLE). A run can be stopped: the report then covers the
futures finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from model.backups import BackupReport, verify_backups
from model.compare import diff
from model.formats.files import problem_from_data
from model.problem import Problem
from model.robustness import (
    AbsenceRates,
    FutureOutcome,
    Replanned,
    RobustnessReport,
    at_fault,
    check_settings,
    draw_future,
    saved_by_backups,
    summarise,
    with_absences,
    with_teams,
)
from model.schedule import Schedule
from scenarios.replan import with_baseline
from scenarios.sweep import Backend, SweepProgress, run_sweep, session
from scheduler.backups import backups as choose_backups
from scheduler.solve import Result, SolveOptions, solve
from scheduler.variables import StopFlag

TIME_LIMIT_S = 8.0  # seconds per re-plan (each try); a frozen re-plan of the default proves its optimum in 2 to 4


def replan_frozen(published: Schedule, problem: Problem, free: set[str], teams: dict[str, list[str]],
                  options: SolveOptions) -> Replanned:
    """Re-plan ``published`` under ``problem`` (its absences added): the editions not in ``free`` pinned as
    published (with the team of ``teams`` where given), the ``free`` ones placed again staying close."""
    result, unfrozen = frozen_calendar(published, problem, free, teams, options)
    if not result.found:
        return Replanned(status="NO_CALENDAR", dropped=sorted(free), unfrozen=unfrozen)
    changes = diff(published, result.schedule).changes
    new = result.schedule.by_edition
    backed = {e for e, team in teams.items() if e in new and new[e].trainers == team
              and new[e].days == published.by_edition[e].days}
    return Replanned(
        status=result.schedule.solver.status if result.schedule.solver else "FEASIBLE",
        moved=[c.edition for c in changes if "moved" in c.kinds],
        changed=[c.edition for c in changes if "dropped" not in c.kinds and "added" not in c.kinds
                 and not (c.edition in backed and c.kinds == ["trainers"])],
        dropped=[c.edition for c in changes if "dropped" in c.kinds],
        unfrozen=unfrozen)


WINDOW = timedelta(days=14)  # the second try frees the editions this close to a broken one


def frozen_calendar(published: Schedule, problem: Problem, free: set[str], teams: dict[str, list[str]],
                    options: SolveOptions) -> tuple[Result, bool]:
    """The re-planned calendar of :func:`replan_frozen`, and whether more than ``free`` had to move.

    Three tries, each frozen less: the editions not in ``free`` pinned; then only those more than
    two weeks from a free one; then none (the published calendar as the baseline alone).
    """
    staying = with_baseline(problem, published)
    start = with_teams(published, teams)
    spans = [(se.start - WINDOW, se.end + WINDOW) for se in published.editions if se.edition in free]
    near = {se.edition for se in published.editions
            if any(first <= se.end and se.start <= last for first, last in spans)}
    result = solve(_pinned(staying, start, free), options, start_from=start)
    if result.found:
        return result, False
    if near - free:
        result = solve(_pinned(staying, start, free | near), options, start_from=start)
        if result.found:
            return result, True
    return solve(staying, options, start_from=start), True


def _pinned(problem: Problem, calendar: Schedule, free: set[str]) -> Problem:
    """``problem`` with every edition of ``calendar`` but the ``free`` ones pinned where it is."""
    data = problem.model_dump(mode="json")
    pinned = {p["edition"] for p in data.get("pins", [])}
    data["pins"] = data.get("pins", []) + [
        {"edition": se.edition, "start": se.start.isoformat(), "room": se.room, "mode": se.mode,
         "trainers": se.trainers, "guests": [g.model_dump(mode="json") for g in se.guests],
         "reason": "stays as published, or with its backups"}
        for se in calendar.editions if se.edition not in free and se.edition not in pinned]
    return problem_from_data(data, "frozen future")


def replan_future(published: Schedule, sample: int, rates: AbsenceRates, seed: int, backups: BackupReport,
                  options: SolveOptions) -> FutureOutcome:
    """Draw future ``sample`` and re-plan the calendar in it, without backups and with them."""
    future = draw_future(published, rates, seed, sample)
    broken = at_fault(published, future)
    if not broken:
        same = Replanned(status="UNCHANGED")
        return FutureOutcome(sample=sample, days_away=future.days_away(), broken={}, without_backups=same,
                             with_backups=same)
    problem = with_absences(published.problem, future)
    without = replan_frozen(published, problem, set(broken), {}, options)
    under = published.model_copy(update={"problem": problem})
    saved = saved_by_backups(under, future, broken, backups)
    with_backups = without if not saved else replan_frozen(published, problem, set(broken) - set(saved), saved,
                                                           options)
    return FutureOutcome(sample=sample, days_away=future.days_away(), broken=broken, without_backups=without,
                         saved=sorted(saved), with_backups=with_backups)


# One calendar per process, read once: the futures only send their number.
_WORK: dict[str, object] = {}


def _start_process(published_json: str, backups_json: str, rates_json: str, seed: int, time_limit_s: float) -> None:
    _WORK.update(published=Schedule.model_validate_json(published_json),
                 backups=BackupReport.model_validate_json(backups_json),
                 rates=AbsenceRates.model_validate_json(rates_json), seed=seed,
                 options=SolveOptions(time_limit_s=time_limit_s, workers=1, seat=False, explain=False))


def _choose_backups(published_json: str) -> str:
    """The calendar's backups, as ``rtcm backups`` chooses them: in a worker process like the futures."""
    return choose_backups(Schedule.model_validate_json(published_json)).model_dump_json()


def _run(sample: str) -> str:
    outcome = replan_future(_WORK["published"], int(sample), _WORK["rates"], _WORK["seed"],  # type: ignore[arg-type]
                            _WORK["backups"], _WORK["options"])  # type: ignore[arg-type]
    return outcome.model_dump_json()


def robustness(published: Schedule, samples: int, rates: AbsenceRates, seed: int = 0, *, processes: int = 2,
               time_limit_s: float = TIME_LIMIT_S, backups: BackupReport | None = None,
               on_progress: Callable[[SweepProgress], None] | None = None,
               on_future: Callable[[FutureOutcome], None] | None = None, stop: StopFlag | None = None,
               backend: Backend = "local", address: str | None = None) -> RobustnessReport:
    """Re-plan ``published`` in ``samples`` sampled futures, ``processes`` at once, on ``backend``.

    Parameters
    ----------
    published
        The calendar, with its problem.
    samples
        How many futures (1 to :data:`model.robustness.MAX_SAMPLES`).
    rates
        The absence rates.
    seed
        The same seed draws the same futures.
    processes
        Futures re-planned at once, one CP-SAT worker each: the local backend's processes, or a
        local Ray instance's CPUs (an existing cluster runs as many as its CPUs allow).
    time_limit_s
        Seconds per re-plan (each of its tries).
    backups
        The calendar's backups; when not given, those the calendar carries (``Schedule.backups``)
        if each can still step in (:func:`model.backups.verify_backups`), else chosen first (as
        ``rtcm backups`` does, in a worker process on ``backend``).
    on_progress
        Called in this process with a :class:`scenarios.sweep.SweepProgress` (futures done, in
        all, seconds elapsed, an estimate of the seconds left) as each future ends.
    on_future
        Called in this process with each future's outcome as it ends (in the order they end), e.g. to
        keep it safe while the run goes on.
    stop
        A ``threading.Event`` (or a multiprocessing one): once set, the futures not started are
        dropped and those under way abandoned, and the report covers the futures finished (none
        when the backups were still being chosen); its ``requested`` then says how many were
        asked for (``samples`` says how many it covers).
    backend
        ``local`` (this machine's cores) or ``ray`` (:func:`scenarios.sweep.run_sweep`).
    address
        The Ray cluster for the ``ray`` backend; by default ``RTCM_RAY_ADDRESS``, else a local
        Ray instance.

    Returns
    -------
    RobustnessReport
        The same calendar, rates and seed give the same report on either backend and in any
        number of processes, as long as no re-plan stops at its time limit.

    Raises
    ------
    model.errors.InputError
        For a number of samples or a rate out of range, a bad backend, or a Ray address that cannot
        be reached: before anything is solved.
    RuntimeError
        When the solver processes died more than :data:`scenarios.sweep.CRASHES` times.
    """
    check_settings(samples, rates)
    t0 = time.perf_counter()
    outcomes: list[FutureOutcome] = []
    if backups is None and published.backups is not None and not verify_backups(published):
        backups = published.backups  # the backups the calendar names, while each can still step in
    with session(backend, address, processes):
        if backups is None:
            chosen = run_sweep(_choose_backups, [published.model_dump_json()], workers=1, backend=backend,
                               address=address, stop=stop)
            backups = BackupReport.model_validate_json(chosen.finished[0]) if chosen.results else None
        if backups is not None:
            args = (published.model_dump_json(), backups.model_dump_json(), rates.model_dump_json(), seed,
                    time_limit_s)
            swept = run_sweep(_run, [str(sample) for sample in range(samples)], setup=_start_process,
                              setup_args=args, workers=processes, backend=backend, address=address,
                              on_progress=on_progress, stop=stop,
                              on_result=None if on_future is None else
                              (lambda _, r: on_future(FutureOutcome.model_validate_json(r))))
            outcomes = [FutureOutcome.model_validate_json(r) for r in swept.finished]
    return summarise(outcomes, rates=rates, seed=seed, editions=len(published.editions), requested=samples,
                     runtime_s=round(time.perf_counter() - t0, 1))
