"""The rollout: the programme over one to three years, checked without the solver.

The problem's horizon is the first year, planned in full detail (the calendar, its rooms, teams
and seats). The later years are planned by quarter (``scheduler/rollout.py``): which topics run
in which quarter, so that every topic runs at least once unless the planner drops it, each
theme's topics run by the year it is due, a prerequisite runs in an earlier quarter than the
first edition that needs it, a quarter holds no more course days than the centre's pace allows,
and a year's estimated costs stay within the budget.

The estimates a plan is made with (each topic's days and cost, each quarter's most course
days) are this module's, and the plan carries them: the checker holds the plan against them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict

from model.calendar import CalendarSpec, Period, WorkCalendar
from model.problem import Problem
from model.rules.reading import Breach, Reading, quarter_of
from model.schedule import Schedule


class Quarter(BaseModel):
    """A quarter of the rollout: its label, its rollout year (1 is the problem's horizon) and its
    working days; ``offset`` counts the working days of the rollout before it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    year: int
    working_days: int
    offset: int


class RolloutEdition(BaseModel):
    """An edition of the rollout: on the first year's calendar (``edition`` names it) or planned
    for a later quarter."""

    model_config = ConfigDict(extra="forbid")

    topic: str
    quarter: str
    year: int
    days: int
    cost_usd: int
    edition: str | None = None


class ThemeCoverage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str
    name: str
    by_year: int
    covered_in_year: int | None
    missing: list[str]


class RolloutPlan(BaseModel):
    """The programme over the rollout's years, with the estimates it was made with."""

    model_config = ConfigDict(extra="forbid")

    format: str = "rtcm-rollout/1"
    problem: str
    years: int
    quarters: list[Quarter]
    editions: list[RolloutEdition]
    topic_days: dict[str, int]
    topic_cost_usd: dict[str, int]
    most_days: dict[str, int]
    carried_requests: dict[str, int]
    themes: list[ThemeCoverage] = []
    status: str = ""
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    diagnosis: list[str] = []

    def days_by_quarter(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for e in self.editions:
            out[e.quarter] += e.days
        return out

    def cost_by_year(self) -> Counter[int]:
        out: Counter[int] = Counter()
        for e in self.editions:
            out[e.year] += e.cost_usd
        return out

    def first_run(self) -> dict[str, Quarter]:
        """Each topic's first quarter in the rollout."""
        index = {q.label: q for q in self.quarters}
        out: dict[str, Quarter] = {}
        for e in sorted(self.editions, key=lambda e: index[e.quarter].offset):
            out.setdefault(e.topic, index[e.quarter])
        return out


# ------------------------------------------------------------------------------ the years


def _shifted(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def year_calendar(spec: CalendarSpec, year: int) -> CalendarSpec:
    """Rollout year ``year``'s calendar: the horizon and its closures moved on by whole years (the
    holidays are the country's of that year; one-off extra holidays stay in the first)."""
    k = year - 1
    if k == 0:
        return spec
    return spec.model_copy(update={
        "start": _shifted(spec.start, k), "end": _shifted(spec.end, k), "extra_holidays": [],
        "closures": [Period(start=_shifted(c.start, k), end=_shifted(c.end, k), reason=c.reason)
                     for c in spec.closures]})


def rollout_quarters(problem: Problem) -> list[Quarter]:
    """Every quarter of the rollout with working days, in order."""
    out: list[Quarter] = []
    offset = 0
    for year in range(1, problem.rollout.years + 1):
        days = Counter(quarter_of(d) for d in WorkCalendar(year_calendar(problem.calendar, year)).days)
        for label in sorted(days):
            out.append(Quarter(label=label, year=year, working_days=days[label], offset=offset))
            offset += days[label]
    return out


# ---------------------------------------------------------------------------- estimates


def topic_days(problem: Problem) -> dict[str, int]:
    """A later year's edition of each programme topic runs its planned length, or its full length."""
    return {item.topic: item.duration_days or problem.topic_by_id[item.topic].duration_max
            for item in problem.programme}


def topic_costs(first_year: Schedule, least: Mapping[str, int | None]) -> dict[str, int]:
    """A later year's edition of each topic costs what its first-year editions cost on average,
    participants' fares and allowances included; a topic that did not run in the first year costs
    the least its edition can (``least``, the doctor's) plus the first year's mean participants'
    cost per edition. Topics no team can give are left out."""
    reading = Reading(first_year)
    spent: dict[str, list[int]] = {}
    travel: list[int] = []
    for se in first_year.editions:
        costs = reading.edition_costs(se)
        spent.setdefault(se.topic, []).append(sum(costs.values()))
        travel.append(costs["participant_fares_usd"] + costs["participant_allowances_usd"])
    mean_travel = round(sum(travel) / len(travel)) if travel else 0
    out: dict[str, int] = {}
    for item in first_year.problem.programme:
        if item.topic in spent:
            out[item.topic] = round(sum(spent[item.topic]) / len(spent[item.topic]))
        elif (cost := least.get(item.topic)) is not None:
            out[item.topic] = cost + mean_travel
    return out


def most_days(problem: Problem, first_year: Schedule, quarters: list[Quarter]) -> dict[str, int]:
    """The most course days each later quarter holds: ``rollout.course_days_per_quarter``, or the
    first year's pace (its busiest quarter's course days per working day) times the quarter's
    working days."""
    later = [q for q in quarters if q.year > 1]
    fixed = problem.rollout.course_days_per_quarter
    if fixed is not None:
        return {q.label: fixed for q in later}
    held = Counter(quarter_of(d) for se in first_year.editions for d in se.days)
    pace = max((held[q.label] / q.working_days for q in quarters if q.year == 1 and q.working_days), default=0.0)
    return {q.label: math.floor(pace * q.working_days) for q in later}


def carried_requests(first_year: Schedule) -> dict[str, int]:
    """Each topic's first-year requests left without a seat that an edition of it could seat
    (``requests_for``: not those barred by language, mode or a missing prerequisite): they wait
    for a later year."""
    could = {topic: {q.nomination.id for q in requests} for topic, requests in Reading(first_year).requests.items()}
    waiting = Counter(u.topic for u in first_year.unplaced if u.nominee in could.get(u.topic, ()))
    return dict(sorted(waiting.items()))


def first_year_editions(first_year: Schedule, costs: dict[str, int]) -> list[RolloutEdition]:
    """The first year's calendar as rollout editions, each with what it cost."""
    reading = Reading(first_year)
    return [RolloutEdition(topic=se.topic, quarter=quarter_of(se.start), year=1, days=len(se.days),
                           cost_usd=sum(reading.edition_costs(se).values()), edition=se.edition)
            for se in sorted(first_year.editions, key=lambda s: (s.start, s.edition))]


# ------------------------------------------------------------------------------ the rules


def due_topics(problem: Problem) -> list[str]:
    """The topics the rollout must run at least once: the programme's, less the dropped."""
    dropped = set(problem.rollout.dropped)
    return [item.topic for item in problem.programme if item.topic not in dropped]


def topic_covered(p: Problem, plan: RolloutPlan) -> Iterator[Breach]:
    ran = {e.topic for e in plan.editions}
    for topic in due_topics(p):
        if topic not in ran:
            yield Breach([topic], f"{topic} never runs in the {plan.years}-year rollout and is not dropped")


def theme_by_year(p: Problem, plan: RolloutPlan) -> Iterator[Breach]:
    first = plan.first_run()
    for theme in p.rollout.themes:
        late = [t for t in theme.topics if t not in first or first[t].year > theme.by_year]
        if late:
            yield Breach([theme.id, *late], f"theme '{theme.name or theme.id}' is due by year {theme.by_year}; "
                                            f"{', '.join(late)} run(s) later or never")


def prerequisite_first(p: Problem, plan: RolloutPlan) -> Iterator[Breach]:
    """A topic first run in a later year needs each prerequisite run in an earlier quarter (in the
    first year, the calendar's own rule orders them by day)."""
    first = plan.first_run()
    dropped = set(p.rollout.dropped)
    planned = {item.topic for item in p.programme}
    for pr in p.prerequisites:
        after = first.get(pr.after)
        if after is None or after.year == 1 or pr.before in dropped or pr.before not in planned:
            continue
        before = first.get(pr.before)
        if before is None or before.offset >= after.offset:
            when = "never runs" if before is None else f"first runs only in {before.label}"
            yield Breach([pr.before, pr.after], f"{pr.after} first runs in {after.label}; its prerequisite "
                                                f"{pr.before} {when}")


def quarter_capacity(p: Problem, plan: RolloutPlan) -> Iterator[Breach]:
    days = plan.days_by_quarter()
    for label, most in plan.most_days.items():
        if days[label] > most:
            yield Breach([label], f"{label} holds {days[label]} course days; at most {most} at the centre's pace")


def year_budget(p: Problem, plan: RolloutPlan) -> Iterator[Breach]:
    if p.budget_usd is None:
        return
    for year, spent in sorted(plan.cost_by_year().items()):
        if year > 1 and spent > p.budget_usd:
            yield Breach([f"year {year}"], f"year {year} costs an estimated {spent:,} USD; the budget is "
                                           f"{p.budget_usd:,} USD")


def editions_per_year(p: Problem, plan: RolloutPlan) -> Iterator[Breach]:
    most = {item.topic: item.editions for item in p.programme}
    runs = Counter((e.topic, e.year) for e in plan.editions if e.year > 1)
    for (topic, year), n in sorted(runs.items()):
        if n > most.get(topic, 0):
            yield Breach([topic], f"{topic} runs {n} times in year {year}; the programme allows "
                                  f"{most.get(topic, 0)}")


@dataclass(frozen=True)
class RolloutRule:
    id: str
    name: str
    check: Callable[[Problem, RolloutPlan], Iterator[Breach]]


ROLLOUT_RULES: tuple[RolloutRule, ...] = (
    RolloutRule("rollout_topic_covered", "Every topic runs at least once in the rollout unless dropped",
                topic_covered),
    RolloutRule("rollout_theme_by_year", "Every topic of a theme runs by the year it is due", theme_by_year),
    RolloutRule("rollout_prerequisite_first", "A prerequisite runs in an earlier quarter than the topic "
                "needing it", prerequisite_first),
    RolloutRule("rollout_quarter_capacity", "A later quarter holds no more course days than the centre's pace",
                quarter_capacity),
    RolloutRule("rollout_year_budget", "A later year's estimated costs stay within the budget", year_budget),
    RolloutRule("rollout_editions_per_year", "A topic runs no more often in a later year than the programme "
                "allows", editions_per_year),
)


@dataclass(frozen=True)
class RolloutBreach:
    rule: str
    records: list[str]
    message: str


def check_rollout(problem: Problem, plan: RolloutPlan) -> list[RolloutBreach]:
    """Every breach of a hard rollout rule, recomputed from the plan and the problem."""
    return [RolloutBreach(rule.id, b.records, b.message)
            for rule in ROLLOUT_RULES for b in rule.check(problem, plan)]
