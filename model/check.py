"""The solver-independent checker: every hard rule re-tested, every KPI recomputed.

It reads a :class:`~model.schedule.Schedule` alone (the schedule embeds its problem),
so it verifies solver output and hand-edited calendars alike. It shares no code with
the engine beyond the calendar of working days.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from model.problem import Edition, Problem, ShareBand
from model.rules import RULES, SOFT_RULES
from model.schedule import RulePenalty, Schedule, ScheduledEdition

# The objective is kept in hundredths of a point so that every coefficient is an integer.
OBJECTIVE_SCALE = 100
UNIT_FACTOR = {"cost": 0.01}  # cost is counted in USD and weighted per 100 USD


class Violation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    name: str
    records: list[str]
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass
class Kpis:
    editions_total: int = 0
    editions_scheduled: int = 0
    mandatory_unscheduled: int = 0
    optional_left_out: int = 0
    training_days: int = 0
    trainer_days: dict[str, int] = field(default_factory=dict)
    trainer_days_by_gender: dict[str, int] = field(default_factory=dict)
    women_share_of_trainer_days: float | None = None
    edition_trainer_gender: dict[str, dict[str, int]] = field(default_factory=dict)
    days_by_month: dict[str, int] = field(default_factory=dict)
    room_days: dict[str, int] = field(default_factory=dict)
    room_use: dict[str, float] = field(default_factory=dict)
    fees_usd: int = 0
    room_cost_usd: int = 0
    penalties: list[RulePenalty] = field(default_factory=list)
    objective: float = 0.0

    @property
    def cost_usd(self) -> int:
        return self.fees_usd + self.room_cost_usd


class _Checker:
    def __init__(self, schedule: Schedule) -> None:
        self.s = schedule
        self.p: Problem = schedule.problem
        self.cal = self.p.work_calendar
        self.out: list[Violation] = []

    def fail(self, rule: str, records: list[str], message: str) -> None:
        self.out.append(Violation(rule=rule, name=RULES[rule].name, records=records, message=message))

    # -- per edition -----------------------------------------------------------------

    def check_known(self) -> list[tuple[Edition, ScheduledEdition]]:
        pairs = []
        seen: set[str] = set()
        for se in self.s.editions:
            ed = self.p.edition_by_id.get(se.edition)
            if ed is None:
                self.fail("mandatory_edition_scheduled", [se.edition],
                          f"{se.edition} is not an edition of the programme")
                continue
            if se.edition in seen:
                self.fail("mandatory_edition_scheduled", [se.edition], f"{se.edition} is scheduled twice")
                continue
            seen.add(se.edition)
            pairs.append((ed, se))
        for ed in self.p.editions:
            if ed.mandatory and ed.id not in seen:
                self.fail("mandatory_edition_scheduled", [ed.id], f"{ed.id} is mandatory but not scheduled")
        return pairs

    def check_days(self, ed: Edition, se: ScheduledEdition) -> None:
        days = se.days
        idx = self.cal.index
        if not days or days[0] != se.start or days[-1] != se.end:
            self.fail("course_on_consecutive_working_days", [se.edition],
                      f"{se.edition}: start/end ({se.start}..{se.end}) do not match its days")
        bad = [d for d in days if d not in idx]
        if bad:
            reasons = ", ".join(f"{d} ({self.cal.off.get(d, 'outside the horizon')})" for d in bad)
            self.fail("course_on_consecutive_working_days", [se.edition],
                      f"{se.edition} runs on non-working days: {reasons}")
            return
        pos = [idx[d] for d in days]
        if any(b != a + 1 for a, b in itertools.pairwise(pos)):
            self.fail("course_on_consecutive_working_days", [se.edition],
                      f"{se.edition}: its days are not consecutive working days")
        elif not self.p.calendar.allow_straddle and (days[-1] - days[0]).days != len(days) - 1:
            self.fail("course_on_consecutive_working_days", [se.edition],
                      f"{se.edition} straddles a weekend or holiday ({days[0]}..{days[-1]})")
        if len(days) not in ed.durations:
            self.fail("course_length_within_range", [se.edition],
                      f"{se.edition} lasts {len(days)} days; allowed: "
                      f"{', '.join(map(str, ed.durations))}")
        item = ed.item
        if item.earliest_start and days[0] < item.earliest_start:
            self.fail("edition_within_its_window", [se.edition],
                      f"{se.edition} starts {days[0]}, before its earliest start {item.earliest_start}")
        if item.latest_end and days[-1] > item.latest_end:
            self.fail("edition_within_its_window", [se.edition],
                      f"{se.edition} ends {days[-1]}, after its latest end {item.latest_end}")
        if se.mode != item.mode:
            self.fail("room_fits_the_edition", [se.edition],
                      f"{se.edition} is marked {se.mode} but the programme says {item.mode}")

    def check_room(self, ed: Edition, se: ScheduledEdition) -> None:
        if ed.mode == "online":
            if se.room is not None:
                self.fail("room_fits_the_edition", [se.edition, se.room],
                          f"{se.edition} is online but booked in room {se.room}")
            return
        if se.room is None or se.room not in self.p.room_by_id:
            self.fail("room_fits_the_edition", [se.edition],
                      f"{se.edition} needs a room; it has {se.room or 'none'}")
            return
        venue, room = self.p.room_by_id[se.room]
        if se.venue is not None and se.venue != venue.id:
            self.fail("room_fits_the_edition", [se.edition, se.room],
                      f"{se.edition}: room {room.id} is in venue {venue.id}, not {se.venue}")
        item = ed.item
        if room.seats < item.participants_in_person:
            self.fail("room_fits_the_edition", [se.edition, room.id],
                      f"{se.edition}: room {room.id} has {room.seats} seats for "
                      f"{item.participants_in_person} participants")
        if item.mode == "hybrid" and not room.hybrid:
            self.fail("room_fits_the_edition", [se.edition, room.id],
                      f"{se.edition} is hybrid but room {room.id} is not hybrid-equipped")
        elif item.mode == "hybrid" and room.online_seats < item.participants_online:
            self.fail("room_fits_the_edition", [se.edition, room.id],
                      f"{se.edition}: room {room.id} hosts {room.online_seats} online participants, "
                      f"{item.participants_online} expected")
        for c in list(room.closures) + list(venue.closures):
            shut = [d for d in se.days if c.start <= d <= c.end]
            if shut:
                self.fail("room_open", [se.edition, room.id],
                          f"{se.edition}: room {room.id} is closed {c.describe()}")

    def check_team(self, ed: Edition, se: ScheduledEdition) -> None:
        rules = self.p.team_rules
        team = se.trainers
        if len(set(team)) != len(team):
            self.fail("team_size_within_limits", [se.edition], f"{se.edition}: a trainer is listed twice")
        if not rules.min_trainers <= len(set(team)) <= rules.max_trainers:
            self.fail("team_size_within_limits", [se.edition],
                      f"{se.edition} has {len(set(team))} trainers; "
                      f"allowed {rules.min_trainers}-{rules.max_trainers}")
        known = [self.p.trainer_by_id[t] for t in team if t in self.p.trainer_by_id]
        for t in team:
            if t not in self.p.trainer_by_id:
                self.fail("trainer_qualified", [se.edition, t], f"{se.edition}: trainer {t} is unknown")
        for tr in known:
            if not tr.can_teach(ed.topic):
                self.fail("trainer_qualified", [se.edition, tr.id],
                          f"{se.edition}: trainer {tr.id} is not qualified for {ed.topic.id}")
            if ed.item.language not in tr.languages:
                self.fail("trainer_qualified", [se.edition, tr.id],
                          f"{se.edition}: trainer {tr.id} does not speak '{ed.item.language}'")
            for u in tr.unavailable:
                if any(u.start <= d <= u.end for d in se.days):
                    self.fail("trainer_available", [se.edition, tr.id],
                              f"{se.edition}: trainer {tr.id} is unavailable {u.describe()}")
        orgs = {tr.organisation for tr in known}
        for o in self.p.required_organisations(ed.item):
            if o not in orgs:
                self.fail("team_covers_required_organisations", [se.edition, o],
                          f"{se.edition}: the team has no trainer from {o}")
        if rules.mixed_gender == "hard" and not self.mixed(se):
            self.fail("team_mixed_gender", [se.edition],
                      f"{se.edition}: a team of {len(known)} without both a woman and a man")

    def mixed(self, se: ScheduledEdition) -> bool:
        genders = {self.p.trainer_by_id[t].gender for t in se.trainers if t in self.p.trainer_by_id}
        return len(se.trainers) < 2 or ("woman" in genders and "man" in genders)

    # -- across editions ------------------------------------------------------------

    def check_overlaps(self, placed: list[tuple[Edition, ScheduledEdition]]) -> None:
        by_room: dict[str, list[ScheduledEdition]] = defaultdict(list)
        by_trainer: dict[str, list[ScheduledEdition]] = defaultdict(list)
        streams: Counter[date] = Counter()
        for ed, se in placed:
            if se.room and ed.mode != "online":
                by_room[se.room].append(se)
            for t in set(se.trainers):
                by_trainer[t].append(se)
            if ed.mode in ("hybrid", "online"):
                streams.update(se.days)
        for rule, groups, what in (
            ("room_not_double_booked", by_room, "room"),
            ("trainer_not_double_booked", by_trainer, "trainer"),
        ):
            for key, eds in groups.items():
                eds = sorted(eds, key=lambda e: e.start)
                for i, a in enumerate(eds):
                    for b in eds[i + 1 :]:
                        if b.start > a.end:
                            break
                        if set(a.days) & set(b.days):
                            self.fail(rule, [key, a.edition, b.edition],
                                      f"{what} {key} is booked for {a.edition} and {b.edition} "
                                      "on the same day")
        limit = self.p.platform.max_concurrent_streams
        for d, n in sorted(streams.items()):
            if n > limit:
                self.fail("online_stream_limit", [d.isoformat()],
                          f"{d}: {n} hybrid/online courses at once; the platform carries {limit}")

    def check_loads(self, placed: list[tuple[Edition, ScheduledEdition]]) -> None:
        per_year: Counter[str] = Counter()
        per_month: Counter[tuple[str, int, int]] = Counter()
        for _, se in placed:
            for t in set(se.trainers):
                per_year[t] += len(se.days)
                for d in se.days:
                    per_month[(t, d.year, d.month)] += 1
        for tr in self.p.trainers:
            if tr.max_days_per_year is not None and per_year[tr.id] > tr.max_days_per_year:
                self.fail("trainer_year_limit", [tr.id],
                          f"trainer {tr.id} teaches {per_year[tr.id]} days; limit {tr.max_days_per_year}")
        for (t, y, m), n in sorted(per_month.items()):
            trainer = self.p.trainer_by_id.get(t)
            if trainer and trainer.max_days_per_month is not None and n > trainer.max_days_per_month:
                self.fail("trainer_month_limit", [t],
                          f"trainer {t} teaches {n} days in {y}-{m:02d}; limit {trainer.max_days_per_month}")
        by_org: Counter[str] = Counter()
        for t, n in per_year.items():
            if t in self.p.trainer_by_id:
                by_org[self.p.trainer_by_id[t].organisation] += n
        for o in self.p.organisations:
            if o.trainer_day_quota is not None and by_org[o.id] > o.trainer_day_quota:
                self.fail("organisation_quota", [o.id],
                          f"organisation {o.id} gives {by_org[o.id]} trainer-days; quota {o.trainer_day_quota}")

    def check_prerequisites(self, placed: list[tuple[Edition, ScheduledEdition]]) -> None:
        by_topic: dict[str, list[ScheduledEdition]] = defaultdict(list)
        for ed, se in placed:
            by_topic[ed.topic.id].append(se)
        planned = {i.topic for i in self.p.programme}
        for pr in self.p.prerequisites:
            if pr.before not in planned or pr.after not in planned:
                continue
            for b in by_topic.get(pr.after, []):
                ok = False
                for a in by_topic.get(pr.before, []):
                    gap = (b.start - a.end).days - 1
                    if gap >= pr.min_gap_days and (pr.max_gap_days is None or gap <= pr.max_gap_days):
                        ok = True
                        break
                if not ok:
                    window = f"at least {pr.min_gap_days} days"
                    if pr.max_gap_days is not None:
                        window += f" and at most {pr.max_gap_days} days"
                    self.fail("prerequisite_finished_first", [pr.before, b.edition],
                              f"{b.edition} starts {b.start} without an edition of {pr.before} "
                              f"ending {window} before it")

    def check_pins(self, placed: list[tuple[Edition, ScheduledEdition]]) -> None:
        by_id = {se.edition: se for _, se in placed}
        for pin in self.p.pins:
            se = by_id.get(pin.edition)
            what = f"pinned {pin.edition}" + (f" ({pin.reason})" if pin.reason else "")
            if se is None:
                self.fail("pinned_edition_kept", [pin.edition], f"{what} is not scheduled")
                continue
            if pin.start is not None and se.start != pin.start:
                self.fail("pinned_edition_kept", [pin.edition], f"{what} starts {se.start}, not {pin.start}")
            if pin.room is not None and se.room != pin.room:
                self.fail("pinned_edition_kept", [pin.edition], f"{what} is in room {se.room}, not {pin.room}")
            if pin.trainers is not None and set(se.trainers) != set(pin.trainers):
                self.fail("pinned_edition_kept", [pin.edition],
                          f"{what} has team {', '.join(se.trainers)}, not {', '.join(pin.trainers)}")

    def check_budget(self, placed: list[tuple[Edition, ScheduledEdition]]) -> None:
        budget = self.p.budget_usd
        if budget is not None:
            spent = _fees(self.p, placed) + _room_cost(self.p, placed)
            if spent > budget:
                self.fail("budget_within_cap", ["budget"], f"fees and room costs {spent:,} USD exceed the "
                          f"budget of {budget:,} USD")

    def check_trainer_shares(self) -> None:
        for scope, counts in trainer_day_counts(self.s).items():
            band: ShareBand = getattr(self.p.targets, f"trainer_days_{scope}")
            if band.mode != "hard":
                continue
            for key, by_gender in counts.items():
                women, known = by_gender["woman"], known_count(by_gender)
                short, over = share_gap(women, known, band)
                if short or over:
                    share = f" ({100 * women / known:.0f} %)" if known else ""
                    self.fail(f"trainer_days_women_share_{scope}", [str(key)],
                              f"{scope_label(scope, key)}: women give {women} of {known} trainer-days"
                              f"{share}; the target is {band.describe()}")

    def run(self) -> list[Violation]:
        placed = self.check_known()
        for ed, se in placed:
            self.check_days(ed, se)
            self.check_room(ed, se)
            self.check_team(ed, se)
        self.check_overlaps(placed)
        self.check_loads(placed)
        self.check_prerequisites(placed)
        self.check_pins(placed)
        self.check_budget(placed)
        self.check_trainer_shares()
        return self.out


def check(schedule: Schedule) -> list[Violation]:
    """Every hard rule the schedule breaks (an empty list means none), participants' seats included."""
    from model.participants import check_allocations  # it builds on this module

    return _Checker(schedule).run() + check_allocations(schedule)


# --------------------------------------------------------------------------- gender shares

KNOWN_GENDERS = ("woman", "man", "another_identity")  # undisclosed is counted apart, never guessed
TRAINER_SCOPES = ("year", "module", "month")
# A group within a scope: "year", a module number, or a (year, month); keys of one scope sort together.
ScopeKey = str | int | tuple[int, int]


def as_fraction(share: float) -> Fraction:
    """A share as an exact fraction (0.4 -> 2/5), so that rounding is the same everywhere."""
    return Fraction(share).limit_denominator(1000)


def known_count(by_gender: Mapping[Any, int]) -> int:
    """People (or person-days) whose gender is known: the denominator of every share."""
    return sum(by_gender.get(g, 0) for g in KNOWN_GENDERS)


def share_gap(women: int, known: int, band: ShareBand) -> tuple[int, int]:
    """(short, over): how many women short of the band's minimum, or over its maximum.

    With the band read as exact fractions p..q: short = max(0, ceil(p x known) - women) and
    over = max(0, women - floor(q x known)). Both are in the group's unit (trainer-days,
    participants); at most one is positive. The engine's constraints use the same definition.
    """
    short = over = 0
    if band.min_share is not None:
        p = as_fraction(band.min_share)
        short = max(0, math.ceil(p * known) - women)
    if band.max_share is not None:
        q = as_fraction(band.max_share)
        over = max(0, women - math.floor(q * known))
    return short, over


def trainer_day_counts(schedule: Schedule) -> dict[str, dict[ScopeKey, Counter[str]]]:
    """Trainer-days by gender for the year, each module and each (year, month), from the calendar."""
    p = schedule.problem
    out: dict[str, dict[ScopeKey, Counter[str]]] = {s: defaultdict(Counter) for s in TRAINER_SCOPES}
    for se in schedule.editions:
        if se.edition not in p.edition_by_id:
            continue
        module = p.edition_by_id[se.edition].topic.module
        for t in set(se.trainers):
            tr = p.trainer_by_id.get(t)
            if tr is None:
                continue
            out["year"]["year"][tr.gender] += len(se.days)
            out["module"][module][tr.gender] += len(se.days)
            for d in se.days:
                out["month"][(d.year, d.month)][tr.gender] += 1
    return out


def scope_label(scope: str, key: object) -> str:
    if scope == "module":
        return f"module {key}"
    if scope == "month" and isinstance(key, tuple):
        return f"{key[0]}-{key[1]:02d}"
    return "the year"


def trainer_share_amounts(schedule: Schedule) -> dict[str, float]:
    """Trainer-days outside each soft women's share band, summed over its scope's groups."""
    targets = schedule.problem.targets
    out: dict[str, float] = {}
    for scope, counts in trainer_day_counts(schedule).items():
        band: ShareBand = getattr(targets, f"trainer_days_{scope}")
        if band.mode == "soft":
            out[f"trainer_days_off_women_share_{scope}"] = sum(
                sum(share_gap(c["woman"], known_count(c), band)) for c in counts.values()
            )
    return out


def soft_amounts(schedule: Schedule) -> dict[str, float]:
    """The amount of each soft rule, in its own unit, recomputed from the schedule."""
    p = schedule.problem
    cal = p.work_calendar
    placed = [(p.edition_by_id[se.edition], se) for se in schedule.editions if se.edition in p.edition_by_id]
    done = {ed.id for ed, _ in placed}
    amounts: dict[str, float] = dict.fromkeys((r.id for r in SOFT_RULES), 0.0)
    amounts["optional_edition_left_out"] = sum(
        1 + ed.item.priority for ed in p.editions if not ed.mandatory and ed.id not in done
    )
    late = 0
    for ed, se in placed:
        if ed.item.priority and se.start in cal.index:
            late += ed.item.priority * (cal.index[se.start] - earliest_index(p, ed))
    amounts["priority_topic_late"] = late
    month_days: Counter[tuple[int, int]] = Counter(
        (d.year, d.month) for _, se in placed for d in se.days
    )
    amounts["busiest_month"] = max(month_days.values(), default=0)
    trainer_days: Counter[str] = Counter(t for _, se in placed for t in set(se.trainers) for _ in se.days)
    amounts["busiest_trainer"] = max(trainer_days.values(), default=0)
    amounts["cost"] = _fees(p, placed) + _room_cost(p, placed)
    linked = set(p.linked_pairs)
    overlap = 0
    for i, (ea, a) in enumerate(placed):
        for eb, b in placed[i + 1 :]:
            pair = tuple(sorted((ea.topic.id, eb.topic.id)))
            if pair in linked and a.start <= b.end and b.start <= a.end:
                overlap += 1
    amounts["linked_topics_overlap"] = overlap
    if p.team_rules.mixed_gender == "soft":
        checker = _Checker(schedule)
        amounts["team_without_mixed_gender"] = sum(1 for _, se in placed if not checker.mixed(se))
    amounts["course_shortened"] = sum(
        ed.topic.duration_max - len(se.days) for ed, se in placed if ed.item.duration_days is None
    )
    by_id = {se.edition: se for _, se in placed}
    for kept in p.baseline:
        now = by_id.get(kept.edition)
        if now is None or now.start != kept.start:
            amounts["edition_moved"] += 1
        if now is not None and kept.room is not None and now.room != kept.room:
            amounts["room_changed"] += 1
        if now is not None:
            amounts["trainer_changed"] += len(set(kept.trainers) - set(now.trainers))
    amounts.update(trainer_share_amounts(schedule))
    return amounts


def earliest_index(p: Problem, ed: Edition) -> int:
    """Working-day index of the first day an edition could start (the number of working days
    when none is left on or after its earliest start: then it has no start at all)."""
    cal = p.work_calendar
    if ed.item.earliest_start is None:
        return 0
    return cal.first_index_on_or_after(ed.item.earliest_start)


def _fees(p: Problem, placed: list[tuple[Edition, ScheduledEdition]]) -> int:
    return sum(
        p.trainer_by_id[t].day_rate * len(se.days)
        for _, se in placed
        for t in set(se.trainers)
        if t in p.trainer_by_id
    )


def _room_cost(p: Problem, placed: list[tuple[Edition, ScheduledEdition]]) -> int:
    return sum(
        p.room_by_id[se.room][1].day_cost * len(se.days)
        for _, se in placed
        if se.room in p.room_by_id
    )


def penalties(schedule: Schedule) -> list[RulePenalty]:
    """Each soft rule's amount, weight and points, recomputed from the schedule."""
    weights = schedule.problem.weights
    amounts = soft_amounts(schedule)
    out = []
    for r in SOFT_RULES:
        assert r.weight_field is not None
        w = float(getattr(weights, r.weight_field))
        factor = UNIT_FACTOR.get(r.id, 1.0)
        amount = amounts[r.id] * factor
        out.append(RulePenalty(rule=r.id, name=r.name, amount=amount, unit=r.unit, weight=w,
                               points=round(amount * w, 2)))
    return out


def kpis(schedule: Schedule) -> Kpis:
    """The schedule's key figures, recomputed from the schedule alone."""
    p = schedule.problem
    cal = p.work_calendar
    placed = [(p.edition_by_id[se.edition], se) for se in schedule.editions if se.edition in p.edition_by_id]
    done = {ed.id for ed, _ in placed}
    k = Kpis()
    k.editions_total = len(p.editions)
    k.editions_scheduled = len(placed)
    k.mandatory_unscheduled = sum(1 for e in p.editions if e.mandatory and e.id not in done)
    k.optional_left_out = sum(1 for e in p.editions if not e.mandatory and e.id not in done)
    k.training_days = sum(len(se.days) for _, se in placed)
    trainer_days: Counter[str] = Counter()
    by_gender: Counter[str] = Counter()
    for _, se in placed:
        team: Counter[str] = Counter()
        for t in set(se.trainers):
            tr = p.trainer_by_id.get(t)
            if tr is None:
                continue
            trainer_days[t] += len(se.days)
            by_gender[tr.gender] += len(se.days)
            team[tr.gender] += 1
        k.edition_trainer_gender[se.edition] = dict(team)
    k.trainer_days = dict(sorted(trainer_days.items()))
    k.trainer_days_by_gender = dict(by_gender)
    known = by_gender["woman"] + by_gender["man"] + by_gender["another_identity"]
    k.women_share_of_trainer_days = by_gender["woman"] / known if known else None
    months: Counter[str] = Counter(f"{d.year}-{d.month:02d}" for _, se in placed for d in se.days)
    k.days_by_month = {f"{y}-{m:02d}": months[f"{y}-{m:02d}"] for y, m in cal.months}
    room_days: Counter[str] = Counter()
    for _, se in placed:
        if se.room:
            room_days[se.room] += len(se.days)
    k.room_days = {r.id: room_days[r.id] for _, r in p.rooms}
    k.room_use = {r: (n / len(cal) if len(cal) else 0.0) for r, n in k.room_days.items()}
    k.fees_usd = _fees(p, placed)
    k.room_cost_usd = _room_cost(p, placed)
    k.penalties = penalties(schedule)
    k.objective = round(sum(x.points for x in k.penalties), 2)
    return k
