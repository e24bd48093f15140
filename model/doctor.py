"""Before solving: the impossibilities a planner can see in the data, found without the solver.

:func:`doctor` reads a validated :class:`~model.problem.Problem` and returns
:class:`Finding` s, each naming the records involved (editions, trainers and their absences,
rooms and their closures, organisations, prerequisites). Every check is a *necessary*
condition of a calendar, so a blocking finding is a proof that none exists; a problem the
doctor passes may still be infeasible (the engine then explains it, ``scheduler/explain.py``).

The checks, in order:

- each edition that must run (mandatory or pinned): a block of consecutive working days of
  an allowed length inside its window (and on its pinned start); a team of its qualified
  trainers that meets the team rules (size, required organisations, a lead agency, a woman and a man when
  the rule is hard, the pinned team); unless it may run online, a room that fits it in one of
  its modes (its pinned room, its pinned mode); and at least one start day where such a team
  is free (absences, month and year limits) together with an open room. Optional editions get
  the same checks as notes (``blocking=False``);
- prerequisite chains: the earliest each topic can end, following its prerequisites and
  their gaps, against its window and the horizon;
- organisation quotas against the trainer-days their mandatory courses need, and trainers
  on whom several mandatory courses depend against their yearly limit;
- the budget against the cheapest possible fees and room costs (in each edition's cheapest
  mode), and each quarter's cap against the mandatory courses that can only start in that
  quarter (a course alone above the cap of every quarter it can start in; the courses confined
  to capped quarters against their caps together);
- hard women's-share targets (the year's, each module's) that no qualified pool can meet;
- notes: lead agencies with nobody in the pool, with the topics they lead; nominees who follow
  no language their topics are held in or interpreted into.

Fast: an edition stops at its first workable start day, and team checks are cached by the
set of free trainers (well under a second on the embedded default).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from model.calendar import Period
from model.participants import accepting, follows, free_count, span_months, topic_requests
from model.problem import (
    LEAD_AGENCY_RULE,
    ROOM_MODES,
    Edition,
    Mode,
    Problem,
    Room,
    TeamNeed,
    TeamRules,
    Trainer,
    Venue,
)
from model.rules import RULES
from model.rules.reading import quarter_of
from model.schedule import Cause
from model.shares import KNOWN_GENDERS


class Finding(BaseModel):
    """One impossibility (or, when not blocking, a note) with the records involved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(description="the doctor's check that found it, e.g. edition_window")
    rules: list[str] = Field(description="the hard rules that cannot all hold (ids of model/rules.py)")
    records: list[str] = Field(description="the input records involved: editions, trainers, rooms...")
    message: str = Field(description="in planner words")
    blocking: bool = Field(default=True, description="False: a note (an optional edition, a lead agency unstaffed)")

    def line(self) -> str:
        """The message with the rules it concerns, as the diagnosis shows it."""
        return f"{self.message} ({rules_label(self.rules)})"


def rules_label(rules: Iterable[str]) -> str:
    """'rule: <human name>' or 'rules: <name>; <name>'."""
    names = [RULES[r].name for r in rules]
    return ("rule: " if len(names) == 1 else "rules: ") + "; ".join(names)


def doctor(problem: Problem) -> list[Finding]:
    """Every impossibility the data shows before solving, each with the records involved.

    Parameters
    ----------
    problem
        A validated problem.

    Returns
    -------
    list[Finding]
        Blocking findings prove that no calendar exists; the others are notes on optional
        editions that can never be scheduled.
    """
    doc = _Doctor(problem)
    out: list[Finding] = []
    for ed in problem.editions:
        out += doc.edition(ed)
    blocked = {r for f in out if f.blocking for r in f.records}
    out += doc.prerequisite_chains(blocked)
    out += doc.quotas()
    out += doc.budget()
    out += doc.quarter_budgets()
    out += doc.women_share()
    out += doc.lead_agencies()
    out += doc.languages()
    return out


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that prove no calendar exists."""
    return [f for f in findings if f.blocking]


def as_causes(findings: list[Finding]) -> list[Cause]:
    """Findings as the report's causes: one per finding and rule, numbered by finding."""
    return [Cause(source="doctor", conflict=i, rule=rule, name=RULES[rule].name, records=f.records,
                  message=f.message, editions=[r for r in f.records if "#" in r and " " not in r])
            for i, f in enumerate(findings, 1) for rule in f.rules]


# ------------------------------------------------------------------------------ words


def trainer_label(t: Trainer) -> str:
    """'T07 Name (ORG, gender)': a trainer as findings and explanations name them."""
    return f"{t.id} {t.name} ({t.organisation}, {t.gender.replace('_', ' ')})"


def absence_record(t: Trainer, per: Period) -> str:
    """How a trainer's unavailable period is named among a finding's records."""
    return f"{t.id} unavailable {per.start}..{per.end}"


def closure_record(kind: str, ident: str, per: Period) -> str:
    """How a room's or venue's closure is named among a finding's records."""
    return f"{kind} {ident} closed {per.start}..{per.end}"


def window_record(topic: str, field_name: str, day: date) -> str:
    """How a programme item's earliest_start or latest_end is named among the records."""
    return f"programme {topic} {field_name} {day}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _lengths(ed: Edition) -> str:
    ds = ed.durations
    text = str(ds[0]) if len(ds) == 1 else f"{ds[0]}-{ds[-1]}"
    return f"{text} consecutive working day" + ("" if ds == [1] else "s")


# ------------------------------------------------------------------------------ teams

GenderClass = str  # "woman", "man" or "other"
TrainerType = tuple[str | None, GenderClass]


def _gender_class(t: Trainer) -> GenderClass:
    return t.gender if t.gender in ("woman", "man") else "other"


class Teams:
    """Which teams a pool of trainers can form under the team rules (availability aside).

    A team of ``k`` trainers (min <= k <= max) must meet each of its needs (a trainer of an
    organisation, or of one of the topic's lead agencies: :meth:`Problem.team_needs`) and,
    when the mixed-gender rule is hard and k >= 2, include a woman and a man. Trainers are
    grouped by type (organisation when some need names it, gender class): a team's needs are
    met by at most one trainer per type, so few combinations are tried.
    """

    def __init__(self, pool: list[Trainer], needs: list[TeamNeed], rules: TeamRules) -> None:
        self.pool = pool
        self.needs = list(dict.fromkeys(needs))
        self.rules = rules
        named = {o for need in self.needs for o in need.organisations}
        self.by_type: dict[TrainerType, list[Trainer]] = defaultdict(list)
        for t in sorted(pool, key=lambda t: (t.day_rate, t.id)):
            org = t.organisation if t.organisation in named else None
            self.by_type[(org, _gender_class(t))].append(t)

    def _needs(self, k: int) -> set[str]:
        needs = {f"need:{i}" for i in range(len(self.needs))}
        if self.rules.mixed_gender == "hard" and k >= 2:
            needs |= {"gender:woman", "gender:man"}
        return needs

    def _gives(self, kind: TrainerType) -> set[str]:
        org, gender = kind
        return {f"gender:{gender}"} | {f"need:{i}" for i, need in enumerate(self.needs) if org in need.organisations}

    def covers(self, k: int) -> list[tuple[TrainerType, ...]]:
        """Sets of types (one trainer each, at most k) that meet the requirements of a team of k."""
        needs = self._needs(k)
        types = sorted(self.by_type, key=lambda x: (x[0] or "", x[1]))
        out = []
        for j in range(0, min(k, len(needs)) + 1):
            for combo in itertools.combinations(types, j):
                given: set[str] = set()
                for kind in combo:
                    given |= self._gives(kind)
                if needs <= given:
                    out.append(combo)
        return out

    def sizes(self) -> range:
        return range(self.rules.min_trainers, min(self.rules.max_trainers, len(self.pool)) + 1)

    def exists(self) -> bool:
        return any(self.covers(k) for k in self.sizes())

    def cheapest(self) -> list[Trainer] | None:
        """A valid team with the lowest day rate (ties: the smaller, then by ids), None if none."""
        best: tuple[int, int, list[str]] | None = None
        team: list[Trainer] | None = None
        for k in self.sizes():
            for cover in self.covers(k):
                chosen = [self.by_type[kind][0] for kind in cover]
                rest = sorted((t for t in self.pool if t not in chosen), key=lambda t: (t.day_rate, t.id))
                members = chosen + rest[: k - len(chosen)]
                key = (sum(t.day_rate for t in members), k, sorted(t.id for t in members))
                if best is None or key < best:
                    best, team = key, members
        return sorted(team, key=lambda t: t.id) if team is not None else None

    def min_rate(self) -> int | None:
        """The lowest day rate of a valid team (fees per day), None if there is none."""
        team = self.cheapest()
        return None if team is None else sum(t.day_rate for t in team)

    def min_members(self, org: str) -> int | None:
        """The fewest trainers of ``org`` a valid team can have, None if there is no team."""
        best: int | None = None
        others = sum(1 for t in self.pool if t.organisation != org)
        for k in self.sizes():
            for cover in self.covers(k):
                # Each type of the cover from another organisation where it has one.
                own = sum(1 for kind in cover if all(t.organisation == org for t in self.by_type[kind]))
                free_others = others - (len(cover) - own)
                n = own + max(0, k - len(cover) - free_others)
                best = n if best is None else min(best, n)
        return best

    def why_not(self, subject: str) -> tuple[list[str], str]:
        """(rules, reason) when no team exists: what in the pool stops it.

        ``subject`` says what the pool is, e.g. "qualified for M2.T1 in 'en'".
        """
        rules = self.rules
        ids = ", ".join(t.id for t in self.pool)
        n = len(self.pool)
        if n < rules.min_trainers:
            return (["team_size_within_limits"],
                    f"only {n} trainer{'' if n == 1 else 's'} {'is' if n == 1 else 'are'} {subject} "
                    f"({ids or 'none'}); a team needs at least {rules.min_trainers}")
        orgs = {t.organisation for t in self.pool}
        missing = [need for need in self.needs if not orgs & set(need.organisations)]
        if missing:
            return ([need.rule for need in missing],
                    f"no trainer of {' or of '.join(need.describe() for need in missing)} is {subject}; "
                    "every team must include one")
        genders = {_gender_class(t) for t in self.pool}
        if self.pair_forced() and not {"woman", "man"} <= genders:
            lack = "woman" if "woman" not in genders else "man"
            return (["team_mixed_gender"],
                    f"no {lack} is {subject}; a team of two or more needs a woman and a man")
        mixed = rules.mixed_gender == "hard" and rules.max_trainers >= 2
        wants = [need.describe() for need in self.needs] + (["a woman and a man"] if mixed else [])
        size = (str(rules.min_trainers) if rules.min_trainers == rules.max_trainers
                else f"{rules.min_trainers}-{rules.max_trainers}")
        return (["team_size_within_limits", *(need.rule for need in self.needs)]
                + (["team_mixed_gender"] if mixed else []),
                f"no team of {size} of the trainers {subject} ({ids}) includes {' and '.join(wants)}")

    def pair_forced(self) -> bool:
        """True when every possible team has two or more members (so the mixed rule applies)."""
        return self.rules.mixed_gender == "hard" and (
            self.rules.min_trainers >= 2 or len(self.needs) >= 2)


def _someone_of(need: TeamNeed) -> str:
    """'IOM trainer', 'person of its lead agencies (UNHCR or OHCHR)'."""
    if need.rule == LEAD_AGENCY_RULE:
        return f"person of its lead agencies ({' or '.join(need.organisations)})"
    return f"{' or '.join(need.organisations)} trainer"


# --------------------------------------------------------------------------- the doctor


class _Doctor:
    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.cal = problem.work_calendar
        n = len(self.cal)
        self.n = n
        self.trainer_blocked = {t.id: self._prefix(t.unavailable) for t in problem.trainers}
        self.room_blocked = {r.id: self._prefix(list(r.closures) + list(v.closures))
                             for v, r in problem.rooms}
        self.team_cache: dict[tuple[frozenset[str], tuple[TeamNeed, ...]], Teams] = {}
        self.earliest_end: dict[str, int | None] = {}

    def _prefix(self, periods: list[Period]) -> list[int]:
        """Prefix sums of blocked working days: blocked in [s, s+d) iff P[s+d] - P[s] > 0."""
        blocked = {i for per in periods for i in self.cal.indices_within(per)}
        out = [0]
        for i in range(self.n):
            out.append(out[-1] + (i in blocked))
        return out

    def team_needs(self, ed: Edition) -> list[TeamNeed]:
        """What the edition's team itself must include: a need a guest could meet instead (a lead
        agency with a person among the guest candidates) is left to the guests."""
        guests = {t.organisation for slot in ed.item.guest_slots for t in self.p.guest_candidates(ed, slot)}
        return [n for n in self.p.team_needs(ed.item) if not (n.guests_count and guests & set(n.organisations))]

    def teams(self, pool: list[Trainer], needs: list[TeamNeed]) -> Teams:
        key = (frozenset(t.id for t in pool), tuple(needs))
        if key not in self.team_cache:
            self.team_cache[key] = Teams(pool, needs, self.p.team_rules)
        return self.team_cache[key]

    # -- one edition -------------------------------------------------------------------

    def window(self, ed: Edition) -> tuple[int, int]:
        """First start index and last end index allowed by the edition's window."""
        item, cal = ed.item, self.cal
        lo = cal.first_index_on_or_after(item.earliest_start) if item.earliest_start else 0
        hi = self.n - 1
        if item.latest_end is not None:
            hi = cal.first_index_on_or_after(item.latest_end + timedelta(days=1)) - 1
        return lo, hi

    def slots(self, ed: Edition, pinned_start: int | None = None) -> list[tuple[int, int]]:
        """(start, length) pairs on consecutive working days inside the window."""
        lo, hi = self.window(ed)
        out = []
        for d in ed.durations:
            for s in range(lo, hi - d + 2):
                if pinned_start is not None and s != pinned_start:
                    continue
                if self.p.calendar.allow_straddle or self.cal.consecutive(s, d):
                    out.append((s, d))
        return sorted(out)

    def edition(self, ed: Edition) -> list[Finding]:
        p, cal = self.p, self.cal
        pin = p.pin_by_edition.get(ed.id)
        must = ed.mandatory or pin is not None
        head = f"{'' if must else 'optional '}{ed.id} cannot be scheduled"

        def finding(check: str, rules: list[str], records: list[str], reason: str) -> list[Finding]:
            if check.startswith("pin"):
                rules = ["pinned_edition_kept", *rules]
            return [Finding(check=check, rules=list(dict.fromkeys(rules)),
                            records=list(dict.fromkeys([ed.id, *records])),
                            message=f"{head}: {reason}", blocking=must)]

        pinned_start: int | None = None
        if pin is not None and pin.start is not None:
            if pin.start not in cal.index:
                why = cal.off.get(pin.start, "outside the horizon")
                return finding("pin_start", [], [f"pin {ed.id}"],
                               f"its pinned start is not a working day ({pin.start}: {why})")
            pinned_start = cal.index[pin.start]
        slots = self.slots(ed, pinned_start)
        if not slots:
            return finding("edition_window", self._window_rules(ed),
                           self._window_records(ed, pin is not None), self._window_reason(ed, pinned_start))
        least = ed.item.min_participants
        if p.nominations and least:
            asked = topic_requests(p)[ed.topic.id]
            record = f"programme {ed.topic.id} min_participants"
            who = (f"{len(asked)} nominee{'' if len(asked) == 1 else 's'} could sit {ed.topic.id} (nominated, "
                   "following its language, in a mode it offers, with its prerequisites)")
            if len(asked) < ed.number * least:
                need = f"{ed.number} x its minimum" if ed.number > 1 else "its minimum"
                return finding("edition_demand", ["edition_has_enough_requests"], [record],
                               f"{who}: fewer than {need} of {least} participants")
            months = {span_months(cal, s, d) for s, d in slots}
            # In each mode it may run in (its pin's, if pinned), those who accept a seat in it.
            willing = {m: accepting(asked, m) for m in self.modes(ed)}
            if not any(free_count(qs, m) >= least for qs in willing.values() for m in months):
                narrowed = any(len(qs) < len(asked) for qs in willing.values())
                how = " or ".join(m.replace("_", " ") for m in willing)
                return finding("edition_demand", ["edition_has_enough_requests"], [record],
                               f"{who}, but in no month of its window are {least} of them free"
                               + (f" to sit it {how}" if narrowed else ""))
        subject = f"qualified for {ed.topic.id} in '{ed.item.language}'"
        pool = p.qualified_trainers(ed)
        required = self.team_needs(ed)
        if pin is not None and pin.trainers is not None:
            unable = sorted(set(pin.trainers) - {t.id for t in pool})
            if unable:
                return finding("pin_team", ["trainer_qualified"], [f"pin {ed.id}", *unable],
                               f"pinned trainer(s) {', '.join(unable)} cannot teach it "
                               f"(not qualified for {ed.topic.id} or not speaking '{ed.item.language}')")
            pool = [t for t in pool if t.id in pin.trainers]
            # A pinned team is the whole team: it must meet the rules as it stands.
            fixed = Teams(pool, required, p.team_rules.model_copy(update={
                "min_trainers": len(pool), "max_trainers": len(pool)}))
            rules = p.team_rules
            if not rules.min_trainers <= len(pool) <= rules.max_trainers:
                return finding("pin_team", ["team_size_within_limits"], [f"pin {ed.id}", *pin.trainers],
                               f"its pinned team has {len(pool)} trainer(s); a team has "
                               f"{rules.min_trainers}-{rules.max_trainers}")
            if not fixed.exists():
                why_rules, why = fixed.why_not("on its pinned team")
                return finding("pin_team", why_rules, [f"pin {ed.id}", *pin.trainers], why)
        for slot in ed.item.guest_slots:
            if slot.required and not p.guest_candidates(ed, slot):
                return finding("guest_slot", ["guest_slot_filled", "guest_session_fits"],
                               [ed.id, *slot.organisations],
                               f"nobody can give its required guest slot '{slot.id}': no person of "
                               f"{' or '.join(slot.organisations)} gives sessions, is qualified for {ed.topic.id} "
                               f"and speaks '{ed.item.language}'" + "".join(
                                   f" or '{x}'" for x in ed.item.interpretation))
        teams = self.teams(pool, required)
        if not teams.exists():
            why_rules, why = teams.why_not(subject)
            return finding("edition_team", ["trainer_qualified", *why_rules], [t.id for t in pool], why)
        # The rooms it needs one of: none when it may run online.
        modes = self.modes(ed)
        rooms: list[tuple[Venue, Room]] = []
        pinned_room = pin.room if pin is not None else None
        if "online" not in modes:
            rooms = [(v, r) for v, r in p.rooms if any(p.room_fits(ed, r, m) for m in modes)]
            if pinned_room is not None:
                rooms = [(v, r) for v, r in rooms if r.id == pinned_room]
                if not rooms:
                    return finding("pin_room", ["room_fits_the_edition"], [f"pin {ed.id}", pinned_room],
                                   f"its pinned room {pinned_room} does not fit it ({self._room_needs(ed)})")
            if not rooms:
                return finding("edition_room", ["room_fits_the_edition"], [],
                               f"no room fits it ({self._room_needs(ed)})")
        return self._availability(ed, slots, pool, required, rooms, finding)

    def modes(self, ed: Edition) -> tuple[Mode, ...]:
        """The modes an edition may run in: its own, narrowed by its pin (``Problem.pinned_modes``)."""
        return self.p.pinned_modes(ed)

    def _free(self, t: Trainer, s: int, d: int) -> bool:
        """Trainer ``t`` can teach working days s..s+d-1: not away, within their limits and quota."""
        pre = self.trainer_blocked[t.id]
        if pre[s + d] - pre[s]:
            return False
        if t.max_days_per_year is not None and t.max_days_per_year < d:
            return False
        if t.max_days_per_month is not None:
            months: dict[int, int] = defaultdict(int)
            for i in range(s, s + d):
                months[self.cal.month_of[i]] += 1
            if max(months.values()) > t.max_days_per_month:
                return False
        quota = self.p.organisation_by_id[t.organisation].trainer_day_quota
        return quota is None or quota >= d

    def _open(self, room: Room, s: int, d: int) -> bool:
        pre = self.room_blocked[room.id]
        return pre[s + d] - pre[s] == 0

    def _availability(self, ed: Edition, slots: list[tuple[int, int]], pool: list[Trainer],
                      required: list[TeamNeed], rooms: list[tuple[Venue, Room]],
                      finding: Callable[[str, list[str], list[str], str], list[Finding]]) -> list[Finding]:
        team_somewhere = room_somewhere = False
        for s, d in slots:
            team_ok = self.teams([t for t in pool if self._free(t, s, d)], required).exists()
            room_ok = not rooms or any(self._open(r, s, d) for _, r in rooms)
            if team_ok and room_ok:
                return []
            team_somewhere |= team_ok
            room_somewhere |= room_ok
        first, last = self.window_days(ed)
        parts: list[str] = []
        rules: list[str] = []
        records: list[str] = []
        if not team_somewhere or room_somewhere:
            r, rec, text = self._trainer_obstacles(ed, slots, pool, required)
            rules += r
            records += rec
            parts.append(text)
        if not room_somewhere or team_somewhere:
            rec, text = self._room_obstacles(ed, rooms)
            rules.append("room_open")
            records += rec
            parts.append(text)
        lead = f"it needs {_lengths(ed)} between {first} and {last}"
        if team_somewhere and room_somewhere:
            lead += ", and on no day are a team and a room free together"
        return finding("edition_availability", rules, records, f"{lead}: " + "; and ".join(parts))

    def window_days(self, ed: Edition) -> tuple[date, date]:
        lo, hi = self.window(ed)
        return self.cal.days[min(lo, self.n - 1)], self.cal.days[max(0, min(hi, self.n - 1))]

    def _trainer_obstacles(self, ed: Edition, slots: list[tuple[int, int]], pool: list[Trainer],
                           required: list[TeamNeed]) -> tuple[list[str], list[str], str]:
        """(rules, records, text): who is away or at a limit, narrowed to what is missing on every day."""
        def never_free(ts: list[Trainer]) -> bool:
            return all(not any(self._free(t, s, d) for t in ts) for s, d in slots)

        missing = [need for need in required
                   if never_free([t for t in pool if t.organisation in need.organisations])]
        teams = self.teams(pool, required)
        missing_gender = [g for g in ("woman", "man")
                          if teams.pair_forced() and never_free([t for t in pool if t.gender == g])]
        if missing:
            who = [t for t in pool if any(t.organisation in need.organisations for need in missing)]
            what = f"no {' or '.join(_someone_of(need) for need in missing)} qualified for it is free"
            rules = list(dict.fromkeys(need.rule for need in missing))
        elif missing_gender:
            who = [t for t in pool if t.gender in missing_gender]
            what = f"no {' or '.join(missing_gender)} qualified for it is free"
            rules = ["team_mixed_gender"]
        else:
            who = list(pool)
            what = "no team of its qualified trainers is free together"
            rules = ["team_size_within_limits"]
        first, last = self.window_days(ed)
        shortest = min(ed.durations)
        notes: list[str] = []
        records: list[str] = []
        limits: list[str] = []
        for t in who:
            bits = []
            for per in t.unavailable:
                if per.overlaps(first, last):
                    bits.append(f"is away {per.describe()}")
                    records += [t.id, absence_record(t, per)]
            if t.max_days_per_year is not None and t.max_days_per_year < shortest:
                bits.append(f"may teach at most {_days(t.max_days_per_year)} a year")
                limits.append("trainer_year_limit")
                records.append(t.id)
            if t.max_days_per_month is not None and t.max_days_per_month < shortest:
                bits.append(f"may teach at most {_days(t.max_days_per_month)} a month")
                limits.append("trainer_month_limit")
                records.append(t.id)
            quota = self.p.organisation_by_id[t.organisation].trainer_day_quota
            if quota is not None and quota < shortest:
                bits.append(f"belongs to {t.organisation}, whose quota is {quota} trainer-days")
                limits.append("organisation_quota")
                records += [t.id, t.organisation]
            notes.append(f"{trainer_label(t)} " + (" and ".join(bits) if bits else "is free at times"))
        text = f"{what} ({'; '.join(notes)})" if notes else f"{what}: none is qualified"
        away = ["trainer_available"] if any(" unavailable " in r for r in records) else []
        return [*away, *limits, *rules], records, text

    def _room_obstacles(self, ed: Edition, rooms: list[tuple[Venue, Room]]) -> tuple[list[str], str]:
        first, last = self.window_days(ed)
        notes: list[str] = []
        records: list[str] = []
        for v, r in rooms:
            for c in r.closures:
                if c.overlaps(first, last):
                    records += [r.id, closure_record("room", r.id, c)]
                    notes.append(f"room {r.id} is closed {c.describe()}")
            for c in v.closures:
                if c.overlaps(first, last):
                    records += [r.id, closure_record("venue", v.id, c)]
                    notes.append(f"venue {v.id} (room {r.id}) is closed {c.describe()}")
        text = "no room that fits it is open (" + "; ".join(dict.fromkeys(notes)) + ")"
        modes = [m for m in self.modes(ed) if m in ROOM_MODES]
        unfit = [r.id for _, r in self.p.rooms if not any(self.p.room_fits(ed, r, m) for m in modes)]
        if unfit and modes:
            which = f"room {unfit[0]} does" if len(unfit) == 1 else f"rooms {', '.join(unfit)} do"
            text += f"; {which} not fit it ({self._room_needs(ed)})"
        return records, text

    def _room_needs(self, ed: Edition) -> str:
        """What a room must have to hold it, in each mode it may run in a room."""
        needs = []
        for mode in (m for m in self.modes(ed) if m in ROOM_MODES):
            in_person, online = ed.item.planned_seats(mode)
            need = f"{in_person} seats"
            if mode == "hybrid":
                need += f", hybrid equipment and {online} online seats"
            needs.append((mode, need))
        if len(needs) == 1:
            return "it needs " + needs[0][1]
        return "it needs " + " or ".join(f"{need} ({mode.replace('_', ' ')})" for mode, need in needs)

    def _window_rules(self, ed: Edition) -> list[str]:
        rules = ["course_on_consecutive_working_days", "course_length_within_range"]
        if ed.item.earliest_start or ed.item.latest_end:
            rules.append("edition_within_its_window")
        return rules

    def _window_records(self, ed: Edition, pinned: bool) -> list[str]:
        out = [f"pin {ed.id}"] if pinned else []
        if ed.item.earliest_start:
            out.append(window_record(ed.topic.id, "earliest_start", ed.item.earliest_start))
        if ed.item.latest_end:
            out.append(window_record(ed.topic.id, "latest_end", ed.item.latest_end))
        return out

    def _window_reason(self, ed: Edition, pinned_start: int | None) -> str:
        p, cal = self.p, self.cal
        lo, hi = self.window(ed)
        first = max(ed.item.earliest_start or p.calendar.start, p.calendar.start)
        last = min(ed.item.latest_end or p.calendar.end, p.calendar.end)
        if pinned_start is not None:
            return (f"from its pinned start {cal.days[pinned_start]} there are not {_lengths(ed)} "
                    f"inside its window {first} to {last}")
        working = max(0, hi - lo + 1)
        off: list[str] = []
        d = first
        while d <= last and len(off) < 6:
            if d in cal.off and cal.off[d] != "weekend":
                off.append(f"{d} {cal.off[d]}")
            d += timedelta(days=1)
        where = f"its window {first} to {last}" if (ed.item.earliest_start or ed.item.latest_end) \
            else f"the horizon {first} to {last}"
        text = f"it needs {_lengths(ed)}, and {where} has {working} working day(s)"
        if working >= min(ed.durations):
            text += " but no run of that many without a weekend or holiday"
        if off:
            text += f" (off: {', '.join(off)})"
        return text

    # -- prerequisites ------------------------------------------------------------------

    def _earliest_end(self, topic: str, chain: dict[str, list[str]], visiting: set[str]) -> int | None:
        """Working-day index of the earliest end of ``topic``'s first edition, None if none fits."""
        if topic in self.earliest_end:
            return self.earliest_end[topic]
        p, cal = self.p, self.cal
        item = next(i for i in p.programme if i.topic == topic)
        ed = p.edition_by_id[f"{topic}#1"]
        planned = {i.topic for i in p.programme}
        start_day = max(item.earliest_start or p.calendar.start, p.calendar.start)
        via: list[str] = []
        visiting.add(topic)
        for pr in p.prerequisites:
            if pr.after != topic or pr.before not in planned or pr.before in visiting:
                continue
            end = self._earliest_end(pr.before, chain, visiting)
            if end is None:
                self.earliest_end[topic] = None
                chain[topic] = [pr.before, *chain.get(pr.before, [])]
                visiting.discard(topic)
                return None
            ready = cal.days[end] + timedelta(days=pr.min_gap_days + 1)
            if ready > start_day:
                start_day, via = ready, [pr.before, *chain.get(pr.before, [])]
        visiting.discard(topic)
        chain[topic] = via
        lo = cal.first_index_on_or_after(start_day)
        _, hi = self.window(ed)
        best = None
        for d in ed.durations:
            for s in range(lo, hi - d + 2):
                if p.calendar.allow_straddle or cal.consecutive(s, d):
                    best = s + d - 1 if best is None else min(best, s + d - 1)
                    break
        self.earliest_end[topic] = best
        return best

    def prerequisite_chains(self, already: set[str]) -> list[Finding]:
        p = self.p
        out = []
        chain: dict[str, list[str]] = {}
        must = {ed.topic.id for ed in p.editions if ed.mandatory or ed.id in p.pin_by_edition}
        for item in p.programme:
            ed = p.edition_by_id[f"{item.topic}#1"]
            if item.topic not in must or ed.id in already:
                continue
            if self._earliest_end(item.topic, chain, set()) is not None or not chain.get(item.topic):
                continue
            path = [item.topic, *chain[item.topic]][::-1]
            steps = []
            records = []
            for a, b in itertools.pairwise(path):
                pr = next(x for x in p.prerequisites if x.before == a and x.after == b)
                gap = f" with {pr.min_gap_days} free days after it" if pr.min_gap_days else ""
                steps.append(f"{a} ({_lengths(p.edition_by_id[a + '#1'])}){gap}")
                records.append(f"prerequisite {a}->{b}")
            last = min(item.latest_end or p.calendar.end, p.calendar.end)
            out.append(Finding(
                check="prerequisite_chain",
                rules=["prerequisite_finished_first", "edition_within_its_window"],
                records=[ed.id, *records],
                message=(f"{ed.id} cannot be scheduled: its prerequisites come first, "
                         f"{' then '.join(steps)}, then {item.topic} ({_lengths(ed)}), and the chain "
                         f"cannot end by {last}"
                         + (" (its latest end)" if item.latest_end and item.latest_end < p.calendar.end
                            else " (the end of the horizon)")),
            ))
        return out

    # -- loads --------------------------------------------------------------------------

    def _must(self) -> list[Edition]:
        return [ed for ed in self.p.editions if ed.mandatory or ed.id in self.p.pin_by_edition]

    def _pool(self, ed: Edition) -> list[Trainer]:
        pool = self.p.qualified_trainers(ed)
        pin = self.p.pin_by_edition.get(ed.id)
        if pin is not None and pin.trainers is not None:
            pool = [t for t in pool if t.id in pin.trainers]
        return pool

    def quotas(self) -> list[Finding]:
        p = self.p
        out = []
        must = self._must()
        for org in p.organisations:
            if org.trainer_day_quota is None:
                continue
            need: list[tuple[Edition, int]] = []
            for ed in must:
                teams = self.teams(self._pool(ed), self.team_needs(ed))
                n = teams.min_members(org.id)
                if n:
                    need.append((ed, n * min(ed.durations)))
            total = sum(n for _, n in need)
            if total > org.trainer_day_quota:
                parts = ", ".join(f"{ed.id} {n}" for ed, n in need)
                out.append(Finding(
                    check="organisation_quota", rules=["organisation_quota", "mandatory_edition_scheduled"],
                    records=[org.id, *(ed.id for ed, _ in need)],
                    message=(f"organisation {org.id}: its quota of {org.trainer_day_quota} trainer-days is "
                             f"below the {total} its mandatory courses need at the least ({parts})"),
                ))
        # A trainer every valid team of several mandatory courses needs, against their yearly limit.
        essential: dict[str, list[Edition]] = defaultdict(list)
        for ed in must:
            pool = self._pool(ed)
            required = self.team_needs(ed)
            teams = self.teams(pool, required)
            if not teams.exists():
                continue
            # Only a trainer alone of their type can be irreplaceable.
            for members in teams.by_type.values():
                if len(members) == 1:
                    t = members[0]
                    if not self.teams([x for x in pool if x.id != t.id], required).exists():
                        essential[t.id].append(ed)
        for tid, eds in sorted(essential.items()):
            t = p.trainer_by_id[tid]
            total = sum(min(ed.durations) for ed in eds)
            if t.max_days_per_year is not None and total > t.max_days_per_year and len(eds) > 1:
                out.append(Finding(
                    check="trainer_year_limit", rules=["trainer_year_limit", "mandatory_edition_scheduled"],
                    records=[tid, *(ed.id for ed in eds)],
                    message=(f"trainer {trainer_label(t)} is on every possible team of "
                             f"{', '.join(ed.id for ed in eds)} ({total} days at the least) but may teach "
                             f"at most {_days(t.max_days_per_year)} a year"),
                ))
        return out

    def least_cost(self, ed: Edition) -> int | None:
        """The least an edition can cost, in the cheapest of its modes: its shortest length,
        cheapest team and room, its interpretation and its required guests' cheapest day and trip;
        None when no team exists (the edition's own finding says why)."""
        p = self.p
        rate = self.teams(self._pool(ed), self.team_needs(ed)).min_rate()
        if rate is None:
            return None
        days = min(ed.durations)
        talk = len(ed.item.interpretation) * p.costs.interpretation_day_usd

        def in_mode(mode: Mode) -> int:
            in_room = mode in ROOM_MODES
            rooms = [r.day_cost for _, r in p.suitable_rooms(ed, mode)] if in_room else [0]
            # A required guest slot costs at least its cheapest guest's day (and trip, in a room).
            guests = sum(min((t.day_rate + (t.travel_usd if in_room else 0)
                              for t in p.guest_candidates(ed, slot)), default=0)
                         for slot in ed.item.guest_slots if slot.required)
            return days * (rate + min(rooms, default=0) + talk) + guests

        # A room mode no room fits is left out (the edition's own finding says when none is left).
        modes = self.modes(ed)
        held = [m for m in modes if m not in ROOM_MODES or p.suitable_rooms(ed, m)]
        return min(in_mode(m) for m in held or modes)

    def budget(self) -> list[Finding]:
        p = self.p
        if p.budget_usd is None:
            return []
        total = 0
        parts = []
        for ed in self._must():
            cost = self.least_cost(ed)
            if cost is None:
                return []  # the edition's own finding says why
            total += cost
            parts.append(f"{ed.id} {cost:,}")
        if total <= p.budget_usd:
            return []
        return [Finding(
            check="budget", rules=["budget_within_cap", "mandatory_edition_scheduled"], records=["budget"],
            message=(f"the budget of {p.budget_usd:,} USD is below the {total:,} USD that the mandatory "
                     f"courses cost at the least, {total - p.budget_usd:,} USD over (shortest length, cheapest "
                     f"team and room, their interpretation and required guests: {'; '.join(parts)})"),
        )]

    def quarter_budgets(self) -> list[Finding]:
        """The mandatory courses against the quarters' caps: those that can only start in one quarter
        (their window, or their pin, inside it) together against its cap; a course alone above the cap
        of every quarter it can start in; and, when neither is found, the courses that can start only
        in capped quarters together against those quarters' caps."""
        p, cal = self.p, self.cal
        caps = p.quarterly_budget_usd
        if not caps:
            return []
        least: dict[str, int] = {}
        quarters: dict[str, list[str]] = {}
        for ed in self._must():
            cost = self.least_cost(ed)
            pin = p.pin_by_edition.get(ed.id)
            pinned = cal.index.get(pin.start, -1) if pin is not None and pin.start is not None else None
            starts = sorted({quarter_of(cal.days[s]) for s, _ in self.slots(ed, pinned)})
            if cost is None or not starts:
                return []  # the edition's own finding says why
            least[ed.id], quarters[ed.id] = cost, starts

        def finding(capped: list[str], eds: list[str], message: str) -> Finding:
            return Finding(
                check="quarter_budget", rules=["budget_within_quarter_caps", "mandatory_edition_scheduled"],
                records=[*(f"budget {q}" for q in capped), *eds],
                message=f"{message} (shortest length, cheapest team and room, their interpretation and required "
                        f"guests: {'; '.join(f'{e} {least[e]:,}' for e in eds)})")

        out = []
        for q, cap in sorted(caps.items()):
            inside = [e for e, qs in quarters.items() if qs == [q]]
            total = sum(least[e] for e in inside)
            if total > cap:
                out.append(finding([q], inside, f"the cap of {q}, {cap:,} USD, is below the {total:,} USD that "
                                                f"the mandatory courses that can only start in {q} cost at the "
                                                f"least, {total - cap:,} USD over"))
        for e, qs in quarters.items():
            if len(qs) > 1 and all(q in caps and least[e] > caps[q] for q in qs):
                out.append(finding(qs, [e], f"{e} costs at least {least[e]:,} USD, above the cap of every quarter "
                                            "it can start in (" + ", ".join(f"{q} {caps[q]:,}" for q in qs) + ")"))
        if out:
            return out
        confined = [e for e, qs in quarters.items() if all(q in caps for q in qs)]
        capped = sorted({q for e in confined for q in quarters[e]})
        cap, total = sum(caps[q] for q in capped), sum(least[e] for e in confined)
        if len(capped) > 1 and total > cap:
            out.append(finding(capped, confined, f"the caps of {', '.join(capped)}, {cap:,} USD together, are "
                                                 f"below the {total:,} USD that the mandatory courses that can "
                                                 f"only start in them cost at the least, {total - cap:,} USD over"))
        return out

    def women_share(self) -> list[Finding]:
        p = self.p
        out = []
        for scope in ("year", "module"):
            band = getattr(p.targets, f"trainer_days_{scope}")
            if band.mode != "hard":
                continue
            groups: dict[str, list[Edition]] = defaultdict(list)
            for ed in p.editions:
                groups[f"module {ed.topic.module}" if scope == "module" else "the programme"].append(ed)
            for name, eds in sorted(groups.items()):
                # Everyone who could give trainer-days: the teams' pools and the guest candidates.
                pool = {t.id: t for ed in eds for t in self._pool(ed)} | {
                    t.id: t for ed in eds for slot in ed.item.guest_slots for t in p.guest_candidates(ed, slot)}
                women = [t for t in pool.values() if t.gender == "woman"]
                others = [t for t in pool.values() if t.gender in ("man", "another_identity")]
                # Trainer-days of known gender are certain when a course must run and all its
                # qualified trainers have a known gender (a team has at least one member).
                counted = any((ed.mandatory or ed.id in p.pin_by_edition)
                              and all(t.gender in KNOWN_GENDERS for t in self._pool(ed)) for ed in eds)
                if not counted:
                    continue
                topics = ", ".join(sorted({ed.topic.id for ed in eds}))
                rule = f"trainer_days_women_share_{scope}"
                if band.min_share and not women:
                    out.append(Finding(
                        check="women_share", rules=[rule], records=[name, *sorted(pool)],
                        message=(f"{name}: no woman trainer or guest is qualified for its topics ({topics}) in "
                                 f"their language; the target is {band.describe()}")))
                elif band.max_share is not None and band.max_share < 1 and not others:
                    out.append(Finding(
                        check="women_share", rules=[rule], records=[name, *sorted(pool)],
                        message=(f"{name}: only women are qualified for its topics; the target is "
                                 f"{band.describe()}")))
        return out

    def lead_agencies(self) -> list[Finding]:
        """Notes: each lead agency with nobody in the pool, and the programme's topics it leads."""
        p = self.p
        if p.team_rules.lead_agency == "off":
            return []
        staffed = {t.organisation for t in p.trainers}
        led: dict[str, list[str]] = defaultdict(list)
        for item in p.programme:
            for org in p.topic_by_id[item.topic].lead_agencies:
                if org not in staffed:
                    led[org].append(item.topic)
        out = []
        for org, topics in sorted(led.items()):
            soft = [t for t in topics if t in p.lead_agency_softened]
            tail = (f"; no other lead agency can teach {', '.join(soft)}, so the rule is soft there"
                    if soft and p.team_rules.lead_agency == "hard" else "")
            out.append(Finding(
                check="lead_agency_pool", rules=["team_includes_a_lead_agency"], records=[org, *topics],
                message=f"lead agency {org} has nobody in the pool; it leads {', '.join(topics)}{tail}",
                blocking=False))
        return out

    def languages(self) -> list[Finding]:
        """Notes: requests no edition can seat for language, by the languages their nominees follow."""
        p = self.p
        planned = {item.topic for item in p.programme}
        lost: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
        for n in p.nominations:
            for topic in n.topics:
                if topic in planned and not follows(n, p.edition_by_id[f"{topic}#1"]):
                    lost[tuple(n.languages)].append((n.id, n.country, topic))
        out = []
        for langs, requests in sorted(lost.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            countries = Counter(country for _, country, _ in requests)
            topics = sorted({t for _, _, t in requests}, key=lambda t: p.topic_by_id[t].id)
            who = ", ".join(f"{c} {k}" for c, k in sorted(countries.items(), key=lambda ck: (-ck[1], ck[0])))
            out.append(Finding(
                check="language_unserved", rules=["participant_follows_the_language"],
                records=list(dict.fromkeys(nid for nid, _, _ in requests)),
                message=(f"{len(requests)} request(s) of nominees who follow {' and '.join(langs)} only ({who}) "
                         f"cannot be seated: no edition of {', '.join(topics)} is held in or interpreted into "
                         f"{'it' if len(langs) == 1 else 'them'}"),
                blocking=False))
        return out


def least_costs(problem: Problem) -> dict[str, int | None]:
    """The least an edition of each programme topic can cost (its shortest length, cheapest team
    and room, interpretation and required guests); None where no team exists."""
    doc = _Doctor(problem)
    return {topic: doc.least_cost(ed) for topic, ed in problem.first_edition.items()}
