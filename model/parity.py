"""The gender parity report: trainers and participants, target by target, with the reasons.

Built from a :class:`~model.schedule.Schedule` alone (pure Python, no solver), so a
hand-edited calendar reports as faithfully as a solved one. Every share is women among
the people (or trainer-days) whose gender is known: women, men and another identity.
Undisclosed genders are never guessed: they are counted apart, in every row, and left
out of the shares. A guest who gives a session counts the one day they give, as the
targets count it; the guests' days are also shown apart from the teams'. Each failure
carries the binding reason found in the data: which qualified women trainers exist, their
organisations and why each was not free; how many women were nominated, available,
eligible and seated.

:func:`parity_report` is what the CLI (``rtcm parity``), the Excel sheets and the API show,
so their numbers agree exactly.
"""

from __future__ import annotations

import calendar as month_names
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import partial
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.participants import (
    country_cap_seats,
    edition_months,
    edition_participants,
    gap_days,
    prerequisites_of,
    seat_capacity,
    seat_modes,
)
from model.problem import Edition, Nomination, Problem, RuleMode, ShareBand, Trainer
from model.schedule import Schedule, ScheduledEdition
from model.shares import KNOWN_GENDERS, known_count, share_gap

Group = Literal["trainers", "participants"]
Scope = Literal["year", "edition", "module", "month", "organisation", "country", "audience"]
Status = Literal["pass", "fail", "n/a"]
GivenBy = Literal["team", "guests"]
TargetMode = Literal["hard", "soft", "off", "reference"]

Reason = Callable[[bool], str]  # called with True when women are short of the band, False when over

SHARE_DIGITS = 4  # shares are rounded once, here, so that every output shows the same number
TRAINER_SCOPES: tuple[Scope, ...] = ("year", "module", "month", "organisation", "edition")
SOURCE_SCOPES: tuple[Scope, ...] = ("year", "module", "month", "organisation")
PARTICIPANT_SCOPES: tuple[Scope, ...] = ("year", "edition", "module", "month", "country", "audience")


class ParityRow(BaseModel):
    """One group's women's share against its target."""

    model_config = ConfigDict(extra="forbid")

    group: Group
    scope: Scope
    key: str = Field(description="the edition, module, month (YYYY-MM), organisation, country or audience")
    unit: Literal["trainer-days", "participants"]
    women: int
    men: int
    another_identity: int
    undisclosed: int = Field(description="counted apart: never in the share")
    share: float | None = Field(description="women / (women + men + another identity), 4 decimals")
    target: str = Field(description="the target in words")
    target_min: float | None = None
    target_max: float | None = None
    mode: TargetMode = Field(description="reference: the band is shown for comparison, not enforced")
    status: Status
    reason: str = Field(default="", description="for a failure, the binding reason found in the data")

    @property
    def known(self) -> int:
        return self.women + self.men + self.another_identity


class TrainerDaysRow(BaseModel):
    """One group's trainer-days given by the teams, or by the guests in their sessions."""

    model_config = ConfigDict(extra="forbid")

    scope: Scope
    key: str = Field(description="'year', the module, month (YYYY-MM) or organisation")
    given_by: GivenBy = Field(description="team: whole-course teams; guests: a day each, in guest sessions")
    women: int
    men: int
    another_identity: int
    undisclosed: int
    share: float | None = Field(description="women / (women + men + another identity), 4 decimals")

    @property
    def days(self) -> int:
        return self.women + self.men + self.another_identity + self.undisclosed


class CountryCapRow(BaseModel):
    """A country's seats in one edition against the cap."""

    model_config = ConfigDict(extra="forbid")

    edition: str
    country: str
    participants: int
    seats: int = Field(description="the edition's seats, in person plus online")
    share: float = Field(description="participants / seats, 4 decimals")
    cap_share: float
    cap_seats: int
    mode: RuleMode
    status: Status
    reason: str = ""


class ParityReport(BaseModel):
    """Where gender parity stands, and why it falls short. JSON-serialisable (the API returns it)."""

    model_config = ConfigDict(extra="forbid")

    problem: str
    notes: list[str]
    trainers: list[ParityRow]
    trainer_days_by_source: list[TrainerDaysRow] = Field(
        default_factory=list,
        description="the trainer rows' days by year, module, month and organisation, the teams' apart from "
                    "the guests' (a row for each with days)")
    guest_days: int = Field(default=0, description="trainer-days given in guest sessions, in every trainer row")
    participants: list[ParityRow]
    country_caps: list[CountryCapRow]
    undisclosed_trainer_days: int
    undisclosed_participants: int
    nominations: int = Field(description="nominated (nominee, topic) pairs")
    seated: int
    unplaced: int

    def sources(self, scope: Scope) -> list[TrainerDaysRow]:
        return [r for r in self.trainer_days_by_source if r.scope == scope]

    def rows(self, group: Group, scope: Scope) -> list[ParityRow]:
        return [r for r in getattr(self, group) if r.scope == scope]

    def row(self, group: Group, scope: Scope, key: str) -> ParityRow:
        return next(r for r in self.rows(group, scope) if r.key == key)

    def failures(self) -> list[ParityRow | CountryCapRow]:
        out: list[ParityRow | CountryCapRow] = [
            r for r in self.trainers + self.participants if r.status == "fail"]
        return out + [c for c in self.country_caps if c.status == "fail"]

    def months(self) -> list[tuple[str, float | None, float | None]]:
        """(month, trainers' women's share, participants' women's share) for every month of the horizon."""
        trainers = {r.key: r.share for r in self.rows("trainers", "month")}
        participants = {r.key: r.share for r in self.rows("participants", "month")}
        keys = sorted(set(trainers) | set(participants))
        return [(k, trainers.get(k), participants.get(k)) for k in keys]


def rounded_share(women: int, known: int) -> float | None:
    return round(women / known, SHARE_DIGITS) if known else None


def percent(share: float | None) -> str:
    """A share as the CLI prints it (two decimals: the report's precision)."""
    return "n/a" if share is None else f"{100 * share:.2f} %"


def parity_report(schedule: Schedule) -> ParityReport:
    """The parity of trainers and participants by edition, module, month, organisation, country.

    Parameters
    ----------
    schedule
        A calendar with its problem, allocations and unplaced nominations; it need not come
        from the solver.

    Returns
    -------
    ParityReport
        Every row with its target, the achieved share, pass/fail and, for each failure, the
        reason found in the data.
    """
    return _Report(schedule).build()


# ----------------------------------------------------------------------------- builder


def _month(key: tuple[int, int]) -> str:
    return f"{key[0]}-{key[1]:02d}"


def _span(days: list[date]) -> str:
    """'3-7 May', '28 Apr-2 May'."""
    a, b = days[0], days[-1]
    if a == b:
        return f"{a.day} {month_names.month_abbr[a.month]}"
    if a.month == b.month:
        return f"{a.day}-{b.day} {month_names.month_abbr[a.month]}"
    return f"{a.day} {month_names.month_abbr[a.month]}-{b.day} {month_names.month_abbr[b.month]}"


def _given(se: ScheduledEdition) -> Iterator[tuple[str, date, GivenBy]]:
    """(person, day, given by) for each trainer-day of an edition, as
    :meth:`~model.schedule.ScheduledEdition.person_days` counts them."""
    for t, d in se.team_days():
        yield t, d, "team"
    for t, d in se.guest_days():
        yield t, d, "guests"


def _list(items: list[str], limit: int = 4) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


class _Report:
    def __init__(self, schedule: Schedule) -> None:
        self.s = schedule
        self.p: Problem = schedule.problem
        self.placed: list[tuple[Edition, ScheduledEdition]] = [
            (self.p.edition_by_id[se.edition], se) for se in schedule.sorted_editions()
            if se.edition in self.p.edition_by_id
        ]
        self.people = edition_participants(schedule)
        self.seat_of: dict[tuple[str, str], ScheduledEdition] = {}
        for eid, seated in self.people.items():
            se = schedule.by_edition.get(eid)
            if se is not None:
                for _, n in seated:
                    self.seat_of[(n.id, se.topic)] = se

    def build(self) -> ParityReport:
        trainers, sources = self.trainer_rows()
        guest_days = sum(r.days for r in sources if r.scope == "year" and r.given_by == "guests")
        team_days = sum(r.days for r in sources if r.scope == "year" and r.given_by == "team")
        participants = self.participant_rows() if self.p.nominations else []
        caps = self.country_cap_rows() if self.p.nominations else []
        undisclosed_days = sum(r.undisclosed for r in trainers if r.scope == "year")
        undisclosed_people = sum(r.undisclosed for r in participants if r.scope == "year")
        notes = [
            "Shares are women / (women + men + another identity). Undisclosed or unrecorded genders are "
            "never guessed: they are counted apart in every row and excluded from the shares "
            f"({undisclosed_days} trainer-days, {undisclosed_people} participants).",
            "Trainers are counted in trainer-days (a trainer on a 3-day course counts 3; a guest counts the "
            f"one day of their session): {team_days} days of the teams and {guest_days} of guests. A month "
            "counts the days that fall in it. Participants are counted once per edition, in the month "
            "their edition starts.",
            "Mode 'reference': the band is shown for comparison with the edition or year target; it is "
            "not a target of its own.",
        ]
        total = sum(len(n.topics) for n in self.p.nominations)
        return ParityReport(
            problem=self.p.name, notes=notes, trainers=trainers, trainer_days_by_source=sources,
            guest_days=guest_days, participants=participants,
            country_caps=caps, undisclosed_trainer_days=undisclosed_days,
            undisclosed_participants=undisclosed_people, nominations=total,
            seated=len(self.s.allocations), unplaced=len(self.s.unplaced),
        )

    # -- rows --------------------------------------------------------------------------

    def row(self, group: Group, scope: Scope, key: str, counts: Counter[str], band: ShareBand,
            mode: TargetMode, reason: Reason) -> ParityRow:
        women, known = counts["woman"], known_count(counts)
        status: Status = "n/a"
        why = ""
        if mode != "off" and known:
            short, over = share_gap(women, known, band)
            status = "fail" if short or over else "pass"
            if status == "fail":
                why = reason(short > 0)
        text = band.describe() if mode != "off" else f"off ({band.describe()})"
        return ParityRow(
            group=group, scope=scope, key=key,
            unit="trainer-days" if group == "trainers" else "participants",
            women=women, men=counts["man"], another_identity=counts["another_identity"],
            undisclosed=sum(n for g, n in counts.items() if g not in KNOWN_GENDERS),
            share=rounded_share(women, known), target=text,
            target_min=band.min_share, target_max=band.max_share, mode=mode, status=status, reason=why,
        )

    # -- trainers ------------------------------------------------------------------------

    def trainer_rows(self) -> tuple[list[ParityRow], list[TrainerDaysRow]]:
        """The trainer rows (teams' and guests' days together), and the same days split by who gave them."""
        t = self.p.targets
        year: Counter[str] = Counter()
        modules: dict[int, Counter[str]] = defaultdict(Counter)
        months: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
        orgs: dict[str, Counter[str]] = defaultdict(Counter)
        editions: dict[str, Counter[str]] = {}
        split: dict[tuple[Scope, str, GivenBy], Counter[str]] = defaultdict(Counter)
        month_editions: dict[tuple[int, int], list[tuple[Edition, ScheduledEdition]]] = defaultdict(list)
        for ed, se in self.placed:
            days: Counter[str] = Counter()
            for tid, d, given_by in _given(se):
                tr = self.p.trainer_by_id.get(tid)
                if tr is None:
                    continue
                days[tr.gender] += 1
                year[tr.gender] += 1
                modules[ed.topic.module][tr.gender] += 1
                orgs[tr.organisation][tr.gender] += 1
                months[(d.year, d.month)][tr.gender] += 1
                groups: tuple[tuple[Scope, str], ...] = (
                    ("year", "year"), ("module", f"M{ed.topic.module}"), ("month", _month((d.year, d.month))),
                    ("organisation", tr.organisation))
                for scope, key in groups:
                    split[(scope, key, given_by)][tr.gender] += 1
            editions[se.edition] = days
            for ym in sorted({(d.year, d.month) for d in se.days}):
                month_editions[ym].append((ed, se))
        rows = [self.row("trainers", "year", "year", year, t.trainer_days_year, t.trainer_days_year.mode,
                         partial(self.scope_reason, self.placed, what="the year"))]
        for m in sorted(modules):
            in_module = [(ed, se) for ed, se in self.placed if ed.topic.module == m]
            rows.append(self.row("trainers", "module", f"M{m}", modules[m], t.trainer_days_module,
                                 t.trainer_days_module.mode,
                                 partial(self.scope_reason, in_module, what=f"module {m}")))
        for ym in sorted(months):
            rows.append(self.row("trainers", "month", _month(ym), months[ym], t.trainer_days_month,
                                 t.trainer_days_month.mode,
                                 partial(self.scope_reason, month_editions[ym], what=_month(ym))))
        for org in sorted(orgs):
            rows.append(self.row("trainers", "organisation", org, orgs[org], t.trainer_days_year, "reference",
                                 partial(self.organisation_reason, org)))
        rows += [self.team_row(ed, se, editions[se.edition]) for ed, se in self.placed]
        order = {scope: i for i, scope in enumerate(SOURCE_SCOPES)}
        sources = [
            TrainerDaysRow(scope=scope, key=key, given_by=given_by, women=c["woman"], men=c["man"],
                           another_identity=c["another_identity"],
                           undisclosed=sum(n for g, n in c.items() if g not in KNOWN_GENDERS),
                           share=rounded_share(c["woman"], known_count(c)))
            for (scope, key, given_by), c in sorted(split.items(), key=lambda kv: (order[kv[0][0]], kv[0][1],
                                                                                  kv[0][2] != "team"))
        ]
        return rows, sources

    def team_row(self, ed: Edition, se: ScheduledEdition, counts: Counter[str]) -> ParityRow:
        rule = self.p.team_rules.mixed_gender
        genders = {self.p.trainer_by_id[t].gender for t in se.trainers if t in self.p.trainer_by_id}
        team = len(set(se.trainers))
        status: Status = "n/a"
        reason = ""
        if rule != "off" and team >= 2:
            status = "pass" if {"woman", "man"} <= genders else "fail"
            if status == "fail":
                missing = "woman" if "woman" not in genders else "man"
                reason = f"{se.edition}: " + self.trainer_obstacles(ed, se, missing)
        women, known = counts["woman"], known_count(counts)
        return ParityRow(
            group="trainers", scope="edition", key=se.edition, unit="trainer-days",
            women=women, men=counts["man"], another_identity=counts["another_identity"],
            undisclosed=sum(n for g, n in counts.items() if g not in KNOWN_GENDERS),
            share=rounded_share(women, known),
            target=f"a woman and a man on every team of two or more ({rule})" if rule != "off" else "none",
            mode=rule, status=status, reason=reason,
        )

    def trainer_obstacles(self, ed: Edition, se: ScheduledEdition, gender: str) -> str:
        """Why no trainer of ``gender`` is on this edition's team, from the pool and the calendar."""
        p = self.p
        word = "woman" if gender == "woman" else "man"
        qualified = [t for t in p.trainers if t.gender == gender and t.on_teams and t.can_teach(ed.topic)]
        if not qualified:
            return f"no {word} trainer is qualified for {ed.topic.id}"
        speaking = [t for t in qualified if ed.item.language in t.languages]
        if not speaking:
            return (f"no qualified {word} trainer speaks '{ed.item.language}' "
                    f"(qualified: {', '.join(t.id for t in qualified)})")
        needs = p.team_needs(ed.item)
        required = sorted({o for need in needs for o in need.organisations})
        where = ""
        if needs and len(needs) >= p.team_rules.max_trainers:
            # Every seat on the team goes to a required organisation or lead agency.
            speaking = [t for t in speaking if t.organisation in required]
            where = " from the required organisations"
            if not speaking:
                return (f"no qualified {word} trainer from the required organisations "
                        f"({', '.join(required)}) speaks '{ed.item.language}'")
        blocked = [(t, self.busy(t, se)) for t in speaking]
        free = [t for t, why in blocked if not why]
        details = [f"{t.id} ({t.organisation}) {why}" for t, why in blocked if why]
        if not free:
            return f"no qualified {word} trainer{where} available {_span(se.days)}: " + _list(details)
        names = ", ".join(f"{t.id} ({t.organisation})" for t in free)
        rule = p.team_rules.mixed_gender
        return (f"qualified {word} trainers{where} free {_span(se.days)} ({names}) were not chosen: the "
                f"mixed team rule is {rule} and other rules weighed more"
                + (f"; {_list(details)}" if details else ""))

    def busy(self, t: Trainer, se: ScheduledEdition) -> str:
        """Why trainer ``t`` could not join edition ``se`` ('' when free)."""
        for u in t.unavailable:
            if any(u.start <= d <= u.end for d in se.days):
                return "unavailable" + (f" ({u.reason})" if u.reason else "") + f" {_span([u.start, u.end])}"
        # Days given elsewhere, on a team or in a guest session: they count towards every limit.
        elsewhere = [(o, d, given_by) for _, o in self.placed if o.edition != se.edition
                     for x, d, given_by in _given(o) if x == t.id]
        clash = {o.edition: given_by for o, d, given_by in elsewhere if d in se.days}
        if clash:
            teaching = [e for e, by in clash.items() if by == "team"]
            presenting = [e for e, by in clash.items() if by == "guests"]
            return " and ".join(([f"teaching {', '.join(teaching)}"] if teaching else [])
                                + ([f"presenting in {', '.join(presenting)}"] if presenting else [])) + " on those days"
        if t.max_days_per_month is not None:
            for ym in sorted({(d.year, d.month) for d in se.days}):
                used = sum(1 for _, d, _ in elsewhere if (d.year, d.month) == ym)
                need = sum(1 for d in se.days if (d.year, d.month) == ym)
                if used + need > t.max_days_per_month:
                    return f"at the limit of {t.max_days_per_month} days in {_month(ym)} ({used} taught)"
        if t.max_days_per_year is not None:
            used = len(elsewhere)
            if used + len(se.days) > t.max_days_per_year:
                return f"at the yearly limit of {t.max_days_per_year} days ({used} taught)"
        org = self.p.organisation_by_id.get(t.organisation)
        if org is not None and org.trainer_day_quota is not None:
            known = self.p.trainer_by_id
            used = sum(1 for _, o in self.placed if o.edition != se.edition
                       for x, _, _ in _given(o) if x in known and known[x].organisation == org.id)
            if used + len(se.days) > org.trainer_day_quota:
                return f"{org.id}'s quota of {org.trainer_day_quota} trainer-days is used ({used})"
        return ""

    def scope_reason(self, eds: list[tuple[Edition, ScheduledEdition]], short_side: bool, what: str) -> str:
        """Why women's (or men's) trainer-days in a group of editions are off the band."""
        p = self.p
        gender = "woman" if short_side else "man"
        word = "women" if short_side else "men"
        topics = {ed.topic.id: ed for ed, _ in eds}
        pool = {t.id: t for ed in topics.values() for t in p.qualified_trainers(ed)}
        of_gender = sorted(t.id for t in pool.values() if t.gender == gender)
        head = (f"{what}: {word} are {len(of_gender)} of the {len(pool)} trainers qualified for its topics"
                + (f" ({', '.join(of_gender)})" if 0 < len(of_gender) <= 6 else ""))
        without = []
        minority = []
        for ed, se in eds:
            genders: Counter[str] = Counter(p.trainer_by_id[t].gender for t in se.trainers
                                            if t in p.trainer_by_id)
            other = known_count(genders) - genders[gender]
            if genders[gender] == 0:
                without.append(f"no {'woman' if short_side else 'man'} on {se.edition}: "
                               + self.trainer_obstacles(ed, se, gender))
            elif genders[gender] < other:
                minority.append(se.edition)
        parts = [head]
        if without:
            parts.append(_list(without, 3))
        if minority:
            parts.append(f"teams with fewer {word} than others: {', '.join(minority[:8])}"
                         + ("..." if len(minority) > 8 else ""))
        return "; ".join(parts)

    def organisation_reason(self, org: str, short_side: bool) -> str:
        pool = [t for t in self.p.trainers if t.organisation == org]
        women = sum(1 for t in pool if t.gender == "woman")
        count = women if short_side else sum(1 for t in pool if t.gender == "man")
        word = ("woman" if count == 1 else "women") if short_side else ("man" if count == 1 else "men")
        return f"{org}: its pool has {count} {word} among {len(pool)} trainers"

    # -- participants ---------------------------------------------------------------------

    def participant_rows(self) -> list[ParityRow]:
        band = self.p.targets.participants_edition
        year: Counter[str] = Counter()
        modules: dict[int, Counter[str]] = defaultdict(Counter)
        months: dict[str, Counter[str]] = defaultdict(Counter)
        countries: dict[str, Counter[str]] = defaultdict(Counter)
        audiences: dict[str, Counter[str]] = defaultdict(Counter)
        editions: list[tuple[Edition, ScheduledEdition, Counter[str]]] = []
        for ed, se in self.placed:
            counts: Counter[str] = Counter()
            for _, n in self.people.get(se.edition, []):
                counts[n.gender] += 1
                year[n.gender] += 1
                modules[ed.topic.module][n.gender] += 1
                months[_month((se.start.year, se.start.month))][n.gender] += 1
                countries[n.country][n.gender] += 1
                audiences[n.audience][n.gender] += 1
            editions.append((ed, se, counts))
        ref: TargetMode = "reference" if band.mode != "off" else "off"
        rows = [self.row("participants", "year", "year", year, band, ref,
                         partial(self.nominated_reason, self.p.nominations, None,
                                 what="the year's nominations"))]
        for ed, se, counts in editions:
            rows.append(self.row("participants", "edition", se.edition, counts, band, band.mode,
                                 partial(self.edition_reason, ed, se)))
        for m in sorted(modules):
            topics = {ed.topic.id for ed, _ in self.placed if ed.topic.module == m}
            rows.append(self.row("participants", "module", f"M{m}", modules[m], band, ref,
                                 partial(self.nominated_reason, self.p.nominations, topics,
                                         what=f"the nominations for module {m}")))
        for key in sorted(months):
            topics = {se.topic for _, se in self.placed if _month((se.start.year, se.start.month)) == key}
            rows.append(self.row("participants", "month", key, months[key], band, ref,
                                 partial(self.nominated_reason, self.p.nominations, topics,
                                         what=f"the nominations for the editions starting in {key}")))
        for country in sorted(countries):
            people = [n for n in self.p.nominations if n.country == country]
            rows.append(self.row("participants", "country", country, countries[country], band, ref,
                                 partial(self.nominated_reason, people, None,
                                         what=f"{country}'s nominations")))
        for audience in sorted(audiences):
            people = [n for n in self.p.nominations if n.audience == audience]
            rows.append(self.row("participants", "audience", audience, audiences[audience], band, ref,
                                 partial(self.nominated_reason, people, None,
                                         what=f"the {audience} nominations")))
        return rows

    def nominated_reason(self, people: Iterable[Nomination], topics: set[str] | None, short_side: bool,
                         what: str) -> str:
        """The nominations' own gender mix: the first reason an aggregate is off the band."""
        counts: Counter[str] = Counter()
        for n in people:
            k = sum(1 for t in n.topics if topics is None or t in topics)
            counts[n.gender] += k
        known = known_count(counts)
        hidden = sum(v for g, v in counts.items() if g not in KNOWN_GENDERS)
        share = rounded_share(counts["woman"], known)
        text = (f"women are {percent(share)} of {what} ({counts['woman']} of {known} of known gender"
                + (f"; {hidden} undisclosed" if hidden else "") + ")")
        short, over = share_gap(counts["woman"], known, self.p.targets.participants_edition)
        if (short if short_side else over):
            return text + f", already {'below' if short_side else 'above'} the band"
        return text + (", within the band: fewer women were seated than nominated (see the editions below it)"
                       if short_side else
                       ", within the band: fewer men were seated than nominated (see the editions above it)")

    def edition_reason(self, ed: Edition, se: ScheduledEdition, short_side: bool) -> str:
        """Why an edition's participants are off the band: who was nominated, and what kept them out."""
        p = self.p
        topic = ed.topic.id
        nominated = [n for n in p.nominations if topic in n.topics]
        counts: Counter[str] = Counter(n.gender for n in nominated)
        want = ["woman"] if short_side else ["man", "another_identity"]
        k = sum(counts[g] for g in want)
        if short_side:
            word = "woman" if k == 1 else "women"
        else:
            word = "man or person of another identity" if k == 1 else "men or people of another identity"
        head = (f"{se.edition}: {k} {word} among the {known_count(counts)} nominees of known gender "
                f"for {topic}")
        if counts["undisclosed"]:
            head += f" ({counts['undisclosed']} undisclosed)"
        seated_here = {n.id for _, n in self.people.get(se.edition, [])}
        fates: Counter[str] = Counter()
        for n in nominated:
            if n.gender not in want:
                continue
            if n.id in seated_here:
                fates["seated here"] += 1
                continue
            other = self.seat_of.get((n.id, topic))
            if other is not None:
                fates[f"seated in {other.edition}"] += 1
                continue
            fates[self.obstacle(n, ed, se) or "not seated (seats, preferences or other targets)"] += 1
        if fates:
            ordered = sorted(fates.items(), key=lambda kv: (-kv[1], kv[0]))
            head += "; of them: " + ", ".join(f"{v} {k}" for k, v in ordered)
        cap = seat_capacity(p, se)
        taken = Counter(a.mode for a, _ in self.people.get(se.edition, []))
        full = [m.replace("_", "-") for m in ("in_person", "online") if cap[m] and taken[m] >= cap[m]]
        if full:
            head += f"; the {' and '.join(full)} seats are full"
        return head

    def obstacle(self, n: Nomination, ed: Edition, se: ScheduledEdition) -> str:
        """What keeps a nominee out of an edition, from the data alone ('' when nothing does)."""
        if not seat_modes(n, se.mode):
            return f"asked for {n.mode.replace('_', '-')} seats"
        if set(edition_months(se)) & set(n.unavailable_months):
            return "unavailable then"
        for before, min_gap in prerequisites_of(self.p, ed.topic.id):
            if before in n.completed:
                continue
            b = self.seat_of.get((n.id, before))
            if b is None or gap_days(b, se) < min_gap:
                return f"without {before} (prerequisite)"
        return ""

    def country_cap_rows(self) -> list[CountryCapRow]:
        cap = self.p.targets.country_cap_edition
        rows = []
        for ed, se in self.placed:
            seats = sum(seat_capacity(self.p, se).values())
            most = country_cap_seats(self.p, se)
            counts = Counter(n.country for _, n in self.people.get(se.edition, []))
            if not counts:
                continue
            over = sorted(c for c, k in counts.items() if k > most)
            shown = over or [max(sorted(counts), key=lambda c: counts[c])]
            for country in shown:
                k = counts[country]
                failed = cap.mode != "off" and k > most
                rows.append(CountryCapRow(
                    edition=se.edition, country=country, participants=k, seats=seats,
                    share=round(k / seats, SHARE_DIGITS) if seats else 0.0, cap_share=cap.max_share,
                    cap_seats=most, mode=cap.mode,
                    status="fail" if failed else ("pass" if cap.mode != "off" else "n/a"),
                    reason=self.cap_reason(ed, se, country, k) if failed else "",
                ))
        return rows

    def cap_reason(self, ed: Edition, se: ScheduledEdition, country: str, k: int) -> str:
        topic = ed.topic.id
        nominated = [n for n in self.p.nominations if topic in n.topics]
        mine = sum(1 for n in nominated if n.country == country)
        others = [n for n in nominated if n.country != country and (n.id, topic) not in self.seat_of]
        eligible = [n for n in others if not self.obstacle(n, ed, se)]
        text = (f"{se.edition}: {country} nominated {mine} of the {len(nominated)} people nominated for "
                f"{topic}; {k} seated")
        if not eligible:
            return text + "; every eligible nominee from other countries is seated"
        return text + (f"; {len(eligible)} eligible nominees from other countries were not seated "
                       "(seats, preferences or the women's share band)")


def trainer_share_obstacles(problem: Problem, scope: str) -> list[str]:
    """What in the data stands between the trainer pool and a hard women's share target.

    Used to explain an infeasible calendar: per module (or for the whole programme), how
    many women are qualified for its editions, and the groups with none at all.
    """
    band: ShareBand = getattr(problem.targets, f"trainer_days_{scope}")
    out = []
    groups: dict[str, list[Edition]] = defaultdict(list)
    for ed in problem.editions:
        groups[f"module {ed.topic.module}" if scope == "module" else "the programme"].append(ed)
    for name, eds in sorted(groups.items()):
        pool = {t.id: t for ed in eds for t in problem.qualified_trainers(ed)}
        women = sorted(t.id for t in pool.values() if t.gender == "woman")
        men = sorted(t.id for t in pool.values() if t.gender in ("man", "another_identity"))
        if band.min_share and not women:
            out.append(f"{name}: no woman trainer is qualified for its topics "
                       f"({', '.join(sorted({ed.topic.id for ed in eds}))}) in their language; "
                       f"the target is {band.describe()}")
        elif band.max_share is not None and band.max_share < 1 and not men:
            out.append(f"{name}: only women are qualified for its topics; the target is {band.describe()}")
        elif scope != "month" and scope != "module":
            out.append(f"{name}: {len(women)} of the {len(pool)} qualified trainers are women; the target is "
                       f"{band.describe()} of trainer-days")
    if scope == "month":
        out.append("a month's trainer-days follow the courses it holds: a month whose courses can only be "
                   f"taught by men (or women) cannot reach {band.describe()}")
    return out
