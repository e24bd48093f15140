"""Absence risk: sampled futures of a published calendar, what breaks in each, and what backups save.

A future is drawn from two rates: each person is away on each course day (a day some course of the
calendar runs) with probability ``day``, and away for whole weeks (Monday to Sunday) with
probability ``week`` for each week of the horizon. The same calendar, rates and seed always draw
the same futures; the ``i``-th future does not depend on how many are drawn.

In a future, an edition is **broken** when a member of its team or a person giving one of its guest
sessions is away on one of its days. A broken edition may be **saved by its backups** (the backups
of :mod:`model.backups`, chosen on the published calendar): each absent team member replaced by
their backup, who must not be away, the calendar then breaking no hard rule on that edition under
the future's absences (the checker says so). What is neither saved nor unbroken is re-planned
(``scenarios/robustness.py``); :class:`FutureOutcome` says what the re-plan moved, re-staffed or
dropped, and :class:`RobustnessReport` sums the futures up.

Everything here is pure and solver-free.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from model.backups import BackupReport
from model.check import check_calendar
from model.errors import InputError, Issue
from model.formats.files import problem_from_data
from model.problem import Problem
from model.schedule import Schedule

MAX_SAMPLES = 10_000
ABSENCE_REASON = "sampled absence"


class AbsenceRates(BaseModel):
    """How often people are away: on each course day, and for whole weeks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: float = Field(ge=0, le=1, description="the chance a person is away on a given course day")
    week: float = Field(default=0.0, ge=0, le=1, description="the chance a person is away for a given whole week")


def check_settings(samples: int, rates: AbsenceRates | None = None, *, day: float | None = None,
                   week: float | None = None) -> AbsenceRates:
    """The rates to sample with, or an :class:`InputError` naming each setting out of range."""
    issues = []
    if not 1 <= samples <= MAX_SAMPLES:
        issues.append(Issue("out_of_range", f"samples is {samples}: draw 1 to {MAX_SAMPLES:,} futures",
                            field=("samples",)))
    for name, value in (("absence_rate", day), ("week_rate", week)):
        if value is not None and not (0 <= value <= 1 and not math.isnan(value)):
            issues.append(Issue("out_of_range", f"{name} is {value}: a probability, from 0 to 1", field=(name,)))
    if issues:
        raise InputError(issues, "the robustness settings")
    return rates or AbsenceRates(day=day or 0.0, week=week or 0.0)


class Future(BaseModel):
    """One sampled future: who is away on which days."""

    model_config = ConfigDict(extra="forbid")

    sample: int = Field(ge=0)
    away: dict[str, list[date]] = Field(description="by person: the days they are away, in order")

    def days_away(self) -> int:
        return sum(len(days) for days in self.away.values())


def _rng(seed: int, sample: int) -> random.Random:
    return random.Random(seed * 1_000_003 + sample)


def draw_future(schedule: Schedule, rates: AbsenceRates, seed: int, sample: int) -> Future:
    """The ``sample``-th future of ``schedule`` for ``seed``: the same arguments, the same future."""
    rng = _rng(seed, sample)
    course_days = sorted({d for se in schedule.editions for d in se.days})
    cal = schedule.problem.calendar
    mondays = [cal.start - timedelta(days=cal.start.weekday()) + timedelta(weeks=w)
               for w in range((cal.end - cal.start).days // 7 + 2)]
    away: dict[str, list[date]] = {}
    for person in schedule.problem.trainers:
        days = {d for d in course_days if rng.random() < rates.day}
        for monday in mondays:
            if rng.random() < rates.week:
                days |= {monday + timedelta(days=i) for i in range(7)}
        days = {d for d in days if cal.start <= d <= cal.end}
        if days:
            away[person.id] = sorted(days)
    return Future(sample=sample, away=away)


def at_fault(schedule: Schedule, future: Future) -> dict[str, list[str]]:
    """The broken editions of ``schedule`` in ``future``: by edition, the people away on its days
    (team members and those giving its guest sessions)."""
    away = {p: set(days) for p, days in future.away.items()}
    out: dict[str, list[str]] = {}
    for se in schedule.sorted_editions():
        days = set(se.days)
        who = [t for t in dict.fromkeys(se.trainers) if days & away.get(t, set())]
        who += [g.person for g in se.guests if g.day in away.get(g.person, set()) and g.person not in who]
        if who:
            out[se.edition] = who
    return out


def _periods(days: Iterable[date]) -> list[dict[str, str]]:
    """Consecutive days as periods (``start``/``end``), fewer records for the same absence."""
    out: list[dict[str, str]] = []
    for d in sorted(days):
        if out and date.fromisoformat(out[-1]["end"]) + timedelta(days=1) == d:
            out[-1]["end"] = d.isoformat()
        else:
            out.append({"start": d.isoformat(), "end": d.isoformat(), "reason": ABSENCE_REASON})
    return out


def with_absences(problem: Problem, future: Future) -> Problem:
    """``problem`` with the future's absences added to each person's unavailable periods."""
    data = problem.model_dump(mode="json")
    for t in data["trainers"]:
        if t["id"] in future.away:
            t["unavailable"] = [*t.get("unavailable", []), *_periods(future.away[t["id"]])]
    return problem_from_data(data, f"future {future.sample}")


def saved_by_backups(schedule: Schedule, future: Future, broken: dict[str, list[str]],
                     backups: BackupReport) -> dict[str, list[str]]:
    """The broken editions their backups save, each with its team once the backups stepped in.

    ``schedule`` is the published calendar under the future's problem (:func:`with_absences`). An
    edition is saved when every absent person is a team member with a backup who is not away, and
    the calendar with every saved team breaks no hard rule on that edition (checked one edition at
    a time, in date order, the earlier ones saved). A guest away is not a team member: no backup.
    """
    backup_of = {(e.edition, m.trainer): m.backup for e in backups.editions for m in e.members if m.backup}
    away = {p: set(days) for p, days in future.away.items()}
    teams: dict[str, list[str]] = {}
    for se in schedule.sorted_editions():
        if se.edition not in broken:
            continue
        use = {t: backup_of.get((se.edition, t)) for t in broken[se.edition]}
        if any(b is None or t not in se.trainers or set(se.days) & away.get(b, set()) for t, b in use.items()):
            continue
        team = [use.get(t) or t for t in se.trainers]
        trial = with_teams(schedule, {**teams, se.edition: team})
        if not any(se.edition in v.records for v in check_calendar(trial)):
            teams[se.edition] = team
    return teams


def with_teams(schedule: Schedule, teams: dict[str, list[str]]) -> Schedule:
    """``schedule`` with the team of each edition in ``teams`` replaced (backups stepping in)."""
    editions = [se.model_copy(update={"trainers": teams[se.edition]}) if se.edition in teams else se
                for se in schedule.editions]
    return schedule.model_copy(update={"editions": editions})


class Replanned(BaseModel):
    """What a re-plan of one future changed: editions moved (dates), re-staffed or re-roomed, dropped."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="the re-plan's solver status; NO_CALENDAR when none was found")
    moved: list[str] = Field(default_factory=list, description="editions on other dates")
    changed: list[str] = Field(default_factory=list, description="editions moved, re-staffed, re-roomed or in "
                                                                 "another mode (backups stepping in aside)")
    dropped: list[str] = Field(default_factory=list, description="editions no longer delivered")
    unfrozen: bool = Field(default=False, description="the editions not broken had to move too (frozen, no "
                                                      "calendar was found)")


class FutureOutcome(BaseModel):
    """One future and what became of the calendar in it, without backups and with them."""

    model_config = ConfigDict(extra="forbid")

    sample: int
    days_away: int = Field(description="person-days away in this future")
    broken: dict[str, list[str]] = Field(description="the editions broken, each with the people away on its days")
    without_backups: Replanned
    saved: list[str] = Field(default_factory=list, description="broken editions the backups save as they are")
    with_backups: Replanned

    @property
    def all_delivered(self) -> bool:
        return not self.without_backups.dropped and self.without_backups.status != "NO_CALENDAR"


class Spread(BaseModel):
    """A count per future summed up."""

    model_config = ConfigDict(extra="forbid")

    mean: float
    p95: float = Field(description="95th percentile (nearest rank)")
    most: int


def spread(values: Sequence[int]) -> Spread:
    """Mean, 95th percentile (nearest rank) and largest of per-future counts."""
    if not values:
        return Spread(mean=0.0, p95=0.0, most=0)
    ordered = sorted(values)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return Spread(mean=round(sum(ordered) / len(ordered), 3), p95=float(ordered[rank - 1]), most=ordered[-1])


class Side(BaseModel):
    """The futures' figures, without backups or with them."""

    model_config = ConfigDict(extra="forbid")

    all_delivered: float = Field(description="share of futures in which every edition is still delivered")
    untouched: float = Field(description="share of futures in which the calendar stays exactly as published")
    changed: Spread = Field(description="editions moved, re-staffed or re-roomed per future")
    moved: Spread = Field(description="editions on other dates per future")
    dropped: Spread = Field(description="editions dropped per future")


class Fault(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    futures: int = Field(description="in how many futures it is at fault")


class RobustnessReport(BaseModel):
    """N sampled futures of a calendar: how often it survives them, and what backups would save."""

    model_config = ConfigDict(extra="forbid")

    samples: int = Field(description="futures re-planned: those the report covers")
    requested: int | None = Field(default=None, description="futures asked for: more than samples when the run "
                                                             "was stopped before it finished them all")
    rates: AbsenceRates
    seed: int
    editions: int = Field(description="editions in the published calendar")
    broken: Spread = Field(description="editions broken per future")
    without_backups: Side
    with_backups: Side
    saved: Spread = Field(description="editions saved by backups per future")
    editions_at_fault: list[Fault] = Field(description="the editions most often broken, most first")
    people_at_fault: list[Fault] = Field(description="the people whose absences break editions most often")
    futures: list[FutureOutcome] = Field(default_factory=list)
    runtime_s: float | None = None


def _side(futures: Sequence[FutureOutcome], pick: str) -> Side:
    plans: list[Replanned] = [getattr(f, pick) for f in futures]
    n = max(1, len(plans))
    return Side(
        all_delivered=round(sum(1 for p in plans if not p.dropped and p.status != "NO_CALENDAR") / n, 4),
        untouched=round(sum(1 for p in plans if not p.changed and not p.dropped) / n, 4),
        changed=spread([len(p.changed) for p in plans]), moved=spread([len(p.moved) for p in plans]),
        dropped=spread([len(p.dropped) for p in plans]))


def summarise(futures: Sequence[FutureOutcome], *, rates: AbsenceRates, seed: int, editions: int,
              top: int = 10, runtime_s: float | None = None, requested: int | None = None) -> RobustnessReport:
    """The report of a set of futures (in sample order), the ``top`` editions and people most at fault;
    ``requested`` futures were asked for (as many as given when None)."""
    ordered = sorted(futures, key=lambda f: f.sample)
    editions_at = Counter(e for f in ordered for e in f.broken)
    people_at = Counter(p for f in ordered for p in {w for ws in f.broken.values() for w in ws})
    return RobustnessReport(
        samples=len(ordered), requested=len(ordered) if requested is None else requested, rates=rates, seed=seed,
        editions=editions,
        broken=spread([len(f.broken) for f in ordered]),
        without_backups=_side(ordered, "without_backups"), with_backups=_side(ordered, "with_backups"),
        saved=spread([len(f.saved) for f in ordered]),
        editions_at_fault=_most(editions_at, top), people_at_fault=_most(people_at, top),
        futures=ordered, runtime_s=runtime_s)


def _most(counts: Counter[str], top: int) -> list[Fault]:
    return [Fault(id=k, futures=n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
