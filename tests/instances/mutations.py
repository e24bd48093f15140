"""Mutations: each takes a calendar that breaks no hard rule and breaks exactly one.

The checker's tests (``tests/model/test_checker_mutations.py``) run every mutation on two
calendars that break no hard rule, :func:`tiny_calendar` (built by hand) and
:func:`rtcm_2027_calendar` (the default programme's greedy calendar, its nominees seated
by :func:`seat_nominees`), and expect the checker to report the rule and name the records
involved. A mutation changes the calendar, its problem, or both, whichever breaks the rule
most naturally, and reasons from the calendar and the problem alone, never from the
checker: what it expects to be reported is worked out here, from the README's rules.

Where a mutation needs a record the calendar lacks (a topic with two editions, a
prerequisite, a guest session), it raises :class:`NoRecord`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from model.problem import Edition, GuestSlot, Nomination, Prerequisite, Problem, Trainer
from model.schedule import Allocation, GuestSession, Schedule, ScheduledEdition
from tests.instances.tiny import record, tiny_data

Raw = dict[str, Any]
SEAT_MODES = {"hybrid": ("in_person", "online"), "in_person": ("in_person",), "online": ("online",)}
KNOWN_GENDERS = ("woman", "man", "another_identity")  # undisclosed is left out of every share
LEAD_AGENCY = "team_includes_a_lead_agency"  # the one team need a guest meets too


class NoRecord(Exception):
    """The calendar has no record the mutation could break (e.g. no topic with two editions)."""


@dataclass(frozen=True)
class Breach:
    """A calendar with one rule broken, and the records each of that rule's violations names."""

    schedule: Schedule
    records: list[list[str]]


@dataclass(frozen=True)
class Mutation:
    rule: str
    name: str  # what it does, in planner words
    apply: Callable[[Schedule], Breach]
    also: tuple[str, ...] = ()  # rules that necessarily break with it (the table says why)


# ------------------------------------------------------------------------------ the bases


def tiny_calendar() -> Schedule:
    """``tiny`` grown to hold every rule's record, and a calendar for it that breaks no hard rule.

    Added to :func:`~tests.instances.tiny.tiny_data`: April (the horizon ends 30 April 2027);
    topic M1.T2 "Migration data" (module 1, 2 days, online only, 30 online participants,
    interpreted into Russian at 50 USD a day on the platform's one interpretation channel);
    a second edition of M2.T1; room C (25 seats, not hybrid, 60 USD/day); the prerequisite
    M1.T2 before M2.T1; six nominees; the region's four countries. Trips: T2 100 USD, T4
    120 USD.

    Guest sessions: M1.T1, led by UNODC (no team trainer is of it), has an optional slot
    "expert" (UNODC); M1.T2 an optional "country" slot (GOV, the region's governments); M2.T1
    a required "country" slot (GOV) and an optional "academic" one (UNI or UNHCR). The people
    who give them: T5 Farid m UNODC (trainer and guest, module 1, 300 USD/day, trip 450), G1
    Nigar w GOV Azerbaijan (modules 1-2), G2 Giorgi m GOV Georgia (module 2, trip 350), G3
    Elvin m GOV Azerbaijan (module 1, Russian only, trip 500), G4 Kamala w UNI (module 2, 150
    USD/day, trip 200); G1 to G4 give guest sessions only.

    The calendar (2027; T1 Amina w IOM, T2 Bakhtiyar m IOM, T3 Leyla w UNHCR, T4 Rustam m
    UNHCR):

    =========  =====================  ======  ==========  ====================  ===============================
    edition    days                   room    team        guests                seats
    =========  =====================  ======  ==========  ====================  ===============================
    M1.T1#1    Mon 1 - Wed 3 March    HALL    T1, T4      expert T5 Tue 2       N1, N2, N6 in person; N3 online
    M1.T2#1    Mon 1 - Tue 2 March    online  T2, T3      country G3 Mon 1      N1, N4 online
    M2.T1#1    Wed 3 - Thu 4 March    B       T2, T3      country G1 Thu 4      N1, N5 in person
    M2.T1#2    Wed 31 March - Thu 1   B       T1, T2, T4  country G2 Wed 31,    N4, N6 in person
               April                                      academic G4 Thu 1
    =========  =====================  ======  ==========  ====================  ===============================

    Two streams run on Mon 1 and Tue 2 March (the platform carries two); M1.T1#1 and M2.T1#1
    share Wed 3 in different rooms; M2.T1#2 runs in two months; M2.T1#1 leaves its academic
    slot empty (a penalty, not a breach); Azerbaijan presents twice, in two editions; G3
    speaks the language M1.T2 is interpreted into, not its own. Trainer-days, a guest's day
    one each: T1 5, T2 6 (5 in March), T3 4, T4 5, T5, G1, G2, G3 and G4 1 each: women 11 of
    25; module 1 5 of 12, module 2 6 of 13; March 9 of 21, April 2 of 4; GOV 3. Cost: fees
    4,550 of the teams + 450 of the guests, travel 1,440 (T2 and T4 twice, T5, G2, G4; G3's
    course is online), rooms 460, interpretation 100: 7,000 USD, and the in-person seats' fares
    (Georgia 250, Kazakhstan 600, Kyrgyzstan 700, none from Baku) and 80 USD a night. Nominees: N1 woman
    (Azerbaijan, either mode), N2 man (Georgia, in person), N3 woman (Kazakhstan, online), N4
    man (Azerbaijan, either), N5 woman (Azerbaijan, in person, has taken M1.T2), N6 man
    (Kyrgyzstan, in person, has taken M1.T2). N1 and N4 take M1.T2 before M2.T1.
    """
    data = tiny_data()
    data["calendar"]["end"] = "2027-04-30"
    data["countries"] = ["Azerbaijan", "Georgia", "Kazakhstan", "Kyrgyzstan"]
    data["topics"].append({"id": "M1.T2", "module": 1, "title": "Migration data", "duration_min": 2,
                           "duration_max": 2, "modes": ["online"]})
    record(data, "topics", "M1.T1")["lead_agencies"] = ["UNODC"]
    data["organisations"] += [
        {"id": "UNODC", "name": "UN Office on Drugs and Crime", "kind": "un_agency"},
        {"id": "GOV", "name": "Governments of the region", "kind": "government"},
        {"id": "UNI", "name": "Regional University (fictional)", "kind": "academia"},
    ]
    record(data, "trainers", "T2")["travel_usd"] = 100
    record(data, "trainers", "T4")["travel_usd"] = 120
    data["trainers"] += [
        _person("T5", "Farid", "man", "UNODC", [1], day_rate=300, travel_usd=450),
        _person("G1", "Nigar", "woman", "GOV", [1, 2], role="guest", country="Azerbaijan"),
        _person("G2", "Giorgi", "man", "GOV", [2], role="guest", country="Georgia", travel_usd=350),
        _person("G3", "Elvin", "man", "GOV", [1], role="guest", country="Azerbaijan", languages=["ru"],
                travel_usd=500),
        _person("G4", "Kamala", "woman", "UNI", [2], role="guest", day_rate=150, travel_usd=200),
    ]
    record(data, "programme", "M1.T1")["guest_slots"] = [
        {"id": "expert", "organisations": ["UNODC"], "title": "Trafficking cases from the field"}]
    record(data, "programme", "M2.T1").update(editions=2, guest_slots=[
        {"id": "country", "organisations": ["GOV"], "required": True, "title": "Regional best practice"},
        {"id": "academic", "organisations": ["UNI", "UNHCR"], "title": "Research on border management"}])
    data["programme"].append({"topic": "M1.T2", "mode": "online", "participants_in_person": 0,
                              "participants_online": 30, "interpretation": ["ru"], "guest_slots": [
                                  {"id": "country", "organisations": ["GOV"],
                                   "title": "How a country counts its migrants"}]})
    data["platform"] = {"interpretation_channels": 1}
    # Fares from the capitals (Baku's own nominees travel free) and 80 USD a night in person.
    data["costs"] = {"interpretation_day_usd": 50, "allowance_night_usd": 80,
                     "participant_fares_usd": {"Azerbaijan": 0, "Georgia": 250, "Kazakhstan": 600, "Kyrgyzstan": 700}}
    data["venues"][0]["rooms"].append({"id": "C", "name": "Room C", "seats": 25, "day_cost": 60})
    data["prerequisites"] = [{"before": "M1.T2", "after": "M2.T1", "reason": "data before borders"}]
    data["nominations"] = [
        _nominee("N1", "woman", "Azerbaijan", ["M1.T1", "M1.T2", "M2.T1"], "either"),
        _nominee("N2", "man", "Georgia", ["M1.T1"], "in_person"),
        _nominee("N3", "woman", "Kazakhstan", ["M1.T1"], "online"),
        _nominee("N4", "man", "Azerbaijan", ["M1.T2", "M2.T1"], "either"),
        _nominee("N5", "woman", "Azerbaijan", ["M2.T1"], "in_person", completed=["M1.T2"]),
        _nominee("N6", "man", "Kyrgyzstan", ["M2.T1", "M1.T1"], "in_person", completed=["M1.T2"]),
    ]
    p = Problem.model_validate(data)
    march, april = date(2027, 3, 1), date(2027, 4, 1)
    editions = [
        _scheduled(p, "M1.T1#1", march, 3, "HALL", ["T1", "T4"], [("expert", "T5", march + timedelta(days=1))]),
        _scheduled(p, "M1.T2#1", march, 2, None, ["T2", "T3"], [("country", "G3", march)]),
        _scheduled(p, "M2.T1#1", date(2027, 3, 3), 2, "B", ["T2", "T3"], [("country", "G1", date(2027, 3, 4))]),
        _scheduled(p, "M2.T1#2", date(2027, 3, 31), 2, "B", ["T1", "T2", "T4"],
                   [("country", "G2", april - timedelta(days=1)), ("academic", "G4", april)]),
    ]
    seats = [
        ("N1", "M1.T1#1", "in_person"), ("N2", "M1.T1#1", "in_person"), ("N6", "M1.T1#1", "in_person"),
        ("N3", "M1.T1#1", "online"), ("N1", "M1.T2#1", "online"), ("N4", "M1.T2#1", "online"),
        ("N1", "M2.T1#1", "in_person"), ("N5", "M2.T1#1", "in_person"),
        ("N4", "M2.T1#2", "in_person"), ("N6", "M2.T1#2", "in_person"),
    ]
    return Schedule(problem=p, editions=editions,
                    allocations=[Allocation(nominee=n, edition=e, mode=m) for n, e, m in seats])  # type: ignore[arg-type]


def rtcm_2027_calendar() -> Schedule:
    """The default programme's calendar: the solver's greedy start, with the nominees seated."""
    from data import default_problem
    from scheduler.greedy import best_start
    from scheduler.instance import Instance

    problem = default_problem()
    calendar, _ = best_start(problem, Instance(problem))
    assert calendar is not None, "the greedy start of the default programme breaks a hard rule"
    return seat_nominees(calendar)


BUDGET_RESERVE = 0.01  # of the budget, left unspent by the seats of seat_nominees


def seat_nominees(s: Schedule) -> Schedule:
    """Seat nominees first come, first served: editions by start, nominees in the order given.

    A nominee gets a seat in an edition of a topic they were nominated for, once per topic, in
    a mode they asked for and the edition offers, within its seats, in a month they are
    available, in a course they follow (held in, or interpreted into, a language of theirs, or
    any when they state none), once they have taken each prerequisite (completed it, or sat in
    an edition of it ending in time), and, in person, while its fare and allowance fit in what
    the calendar leaves of the budget, less a reserve of a hundredth of it (BUDGET_RESERVE): the
    mutations that add a trainer, a language or a seat then break no budget by the way.
    """
    p = s.problem
    taken: dict[tuple[str, str], ScheduledEdition] = {}
    filled: Counter[tuple[str, str]] = Counter()
    seats = []
    left = math.inf if p.budget_usd is None else (1 - BUDGET_RESERVE) * p.budget_usd - cost(edit(s, allocations=[]))
    fares, night = p.costs.participant_fares_usd, p.costs.allowance_night_usd
    for se in sorted(s.editions, key=lambda e: (e.start, e.edition)):
        ed = p.edition_by_id[se.edition]
        topic = ed.topic.id
        room = seat_capacity(p, se)
        held = {ed.item.language, *ed.item.interpretation}
        for n in p.nominations:
            if topic not in n.topics or (n.id, topic) in taken or set(n.unavailable_months) & months(se):
                continue
            if n.languages and not held & set(n.languages):
                continue
            if not all(pr.before in n.completed
                       or ((n.id, pr.before) in taken and gap(taken[(n.id, pr.before)], se) >= pr.min_gap_days)
                       for pr in prerequisites_of(p, topic)):
                continue
            for mode in modes_for(n.mode, se.mode):
                price = fares.get(n.country, 0) + night * len(se.days) if mode == "in_person" else 0
                if filled[(se.edition, mode)] < room[mode] and price <= left:
                    filled[(se.edition, mode)] += 1
                    left -= price
                    taken[(n.id, topic)] = se
                    seats.append(Allocation(nominee=n.id, edition=se.edition, mode=mode))  # type: ignore[arg-type]
                    break
    return edit(s, allocations=seats)


def _nominee(nid: str, gender: str, country: str, topics: list[str], mode: str, **more: Any) -> Raw:
    return {"id": nid, "gender": gender, "country": country, "audience": "government", "topics": topics,
            "mode": mode, **more}


def _person(pid: str, name: str, gender: str, organisation: str, modules: list[int], **more: Any) -> Raw:
    return {"id": pid, "name": f"{name} (fictional)", "gender": gender, "organisation": organisation,
            "modules": modules, "max_days_per_year": 20, "fictional": True, **more}


def _scheduled(p: Problem, eid: str, first: date, length: int, room: str | None,
               trainers: list[str], guests: Sequence[tuple[str, str, date]] = ()) -> ScheduledEdition:
    ed = p.edition_by_id[eid]
    mode = next(m for m in ed.modes if (m == "online") == (room is None))
    in_person, online = planned(ed, mode)
    cal = p.work_calendar
    i = cal.index[first]
    days = list(cal.days[i : i + length])
    return ScheduledEdition(edition=eid, topic=ed.topic.id, number=ed.number, title=ed.topic.title,
                            module=ed.topic.module, start=days[0], end=days[-1], days=days, mode=mode,
                            venue="RTCM" if room else None, room=room, trainers=trainers,
                            guests=[GuestSession(slot=slot, person=who, day=day) for slot, who, day in guests],
                            participants_in_person=in_person, participants_online=online)


# ------------------------------------------------------------------- editing a calendar


def edit(s: Schedule, **update: Any) -> Schedule:
    """A new schedule with some fields replaced (a fresh object: nothing derived is carried over)."""
    fields = {name: getattr(s, name) for name in Schedule.model_fields}
    fields.update(update)
    return Schedule(**fields)


def with_problem(s: Schedule, change: Callable[[Raw], object], **update: Any) -> Schedule:
    """The schedule with its problem changed: ``change`` edits the problem's raw data, revalidated."""
    data = s.problem.model_dump()
    change(data)
    return edit(s, problem=Problem.model_validate(data), **update)


def replaced(s: Schedule, *editions: ScheduledEdition) -> list[ScheduledEdition]:
    """The calendar's editions with these ones in place of those of the same id."""
    by_id = {e.edition: e for e in editions}
    return [by_id.get(e.edition, e) for e in s.editions]


def moved(se: ScheduledEdition, days: list[date]) -> ScheduledEdition:
    """The edition on other days, each guest session on the day at its place in the course (the
    last day for a session beyond a shorter course's end)."""
    place = {d: i for i, d in enumerate(se.days)}
    guests = [g.model_copy(update={"day": days[min(place[g.day], len(days) - 1)]}) for g in se.guests]
    return se.model_copy(update={"days": days, "start": days[0], "end": days[-1], "guests": guests})


# ---------------------------------------------------------------- reading a calendar


def month(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def months(se: ScheduledEdition) -> set[str]:
    return {month(d) for d in se.days}


def gap(first: ScheduledEdition, then: ScheduledEdition) -> int:
    """Calendar days between the end of ``first`` and the start of ``then``."""
    return (then.start - first.end).days - 1


def placed(s: Schedule) -> list[tuple[ScheduledEdition, Edition]]:
    return [(se, s.problem.edition_by_id[se.edition]) for se in s.editions]


def streams(se: ScheduledEdition) -> bool:
    return se.mode in ("hybrid", "online")


def overlapping(s: Schedule) -> Iterator[tuple[ScheduledEdition, ScheduledEdition]]:
    """Every ordered pair of editions that share a day, those starting on different days first."""
    pairs = [(a, b) for a in s.editions for b in s.editions if a is not b and set(a.days) & set(b.days)]
    yield from sorted(pairs, key=lambda ab: ab[0].start == ab[1].start)


def delivered(se: ScheduledEdition) -> list[tuple[str, date]]:
    """(person, day) for each day someone gives of an edition: every course day of each team
    member, and a guest's one day. Each is one trainer-day; one person twice on a day is a clash."""
    team = [(t, d) for t in set(se.trainers) for d in se.days]
    return team + [(g.person, g.day) for g in se.guests]


def deliverers(se: ScheduledEdition) -> set[str]:
    """Everyone who gives part of an edition: its team and its guests."""
    return set(se.trainers) | {g.person for g in se.guests}


def trainer_days(s: Schedule) -> Counter[str]:
    return _days_by(s.editions, lambda t, d: t)


def trainer_month_days(s: Schedule) -> Counter[tuple[str, str]]:
    return _days_by(s.editions, lambda t, d: (t, month(d)))


def _days_by(editions: list[ScheduledEdition], key: Callable[[str, date], Any]) -> Counter[Any]:
    return Counter(key(t, d) for se in editions for t, d in delivered(se))


def cost(s: Schedule) -> int:
    """Fees (a day rate for each day given), travel (a trip for each person giving part of an
    edition held in a room, none online), room costs, interpretation (each language a day) and
    the in-person seats' fares and allowances, in USD."""
    p = s.problem
    rate = {t.id: t.day_rate for t in p.trainers}
    trip = {t.id: t.travel_usd for t in p.trainers}
    fees = sum(rate.get(t, 0) for se in s.editions for t, _ in delivered(se))
    travel = sum(trip.get(t, 0) for se in s.editions if se.room for t in deliverers(se))
    rooms = sum(p.room_by_id[se.room][1].day_cost * len(se.days) for se in s.editions if se.room)
    talk = sum(len(p.edition_by_id[se.edition].item.interpretation) * p.costs.interpretation_day_usd * len(se.days)
               for se in s.editions)
    return fees + travel + rooms + talk + seats_cost(s)


def quarter(d: date) -> str:
    """The quarter of a day, as quarterly budgets name it: 2027-Q1 is January to March 2027."""
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def quarter_costs(s: Schedule, seats: bool = True) -> Counter[str]:
    """What the editions starting in each quarter cost (:func:`cost`: everything an edition costs,
    with its in-person seats unless ``seats`` is false), by the quarter of their first day."""
    out: Counter[str] = Counter()
    for se in s.editions:
        kept = [a for a in s.allocations if a.edition == se.edition] if seats else []
        out[quarter(se.start)] += cost(edit(s, editions=[se], allocations=kept))
    return out


def seats_cost(s: Schedule) -> int:
    """Each in-person seat: the fare from the nominee's country and a night's allowance per course day."""
    p, by_id = s.problem, {se.edition: se for se in s.editions}
    country = {n.id: n.country for n in p.nominations}
    fares, night = p.costs.participant_fares_usd, p.costs.allowance_night_usd
    return sum(fares.get(country[a.nominee], 0) + night * len(by_id[a.edition].days)
               for a in s.allocations if a.mode == "in_person" and a.edition in by_id and a.nominee in country)


def within_limits(s: Schedule) -> bool:
    """Whether everyone's month and year limits, every organisation's quota and the budget hold."""
    p = s.problem
    people = p.trainer_by_id
    per_month, per_year = trainer_month_days(s), trainer_days(s)
    no_limit = 10**9
    month_limit = {t.id: no_limit if t.max_days_per_month is None else t.max_days_per_month for t in p.trainers}
    year_limit = {t.id: no_limit if t.max_days_per_year is None else t.max_days_per_year for t in p.trainers}
    if any(n > month_limit.get(t, no_limit) for (t, _), n in per_month.items()):
        return False
    if any(n > year_limit.get(t, no_limit) for t, n in per_year.items()):
        return False
    by_org: Counter[str] = Counter()
    for t, n in per_year.items():
        if t in people:
            by_org[people[t].organisation] += n
    if any(o.trainer_day_quota is not None and by_org[o.id] > o.trainer_day_quota for o in p.organisations):
        return False
    if any(quarter_costs(s)[q] > cap for q, cap in p.quarterly_budget_usd.items()):
        return False
    return p.budget_usd is None or cost(s) <= p.budget_usd


def prerequisites_of(p: Problem, topic: str) -> list[Prerequisite]:
    """The prerequisites of a topic whose first topic is in the programme (others are taken elsewhere)."""
    planned = {i.topic for i in p.programme}
    return [pr for pr in p.prerequisites if pr.after == topic and pr.before in planned]


def first_topics(p: Problem) -> set[str]:
    """Topics some other topic needs first."""
    return {pr.before for pr in p.prerequisites}


def satisfied(pr: Prerequisite, first: ScheduledEdition, then: ScheduledEdition) -> bool:
    g = gap(first, then)
    return g >= pr.min_gap_days and (pr.max_gap_days is None or g <= pr.max_gap_days)


def planned(ed: Edition, mode: str) -> tuple[int, int]:
    """Seats planned (in person, online) in ``mode``: in person drops the online seats, online
    takes every seat online."""
    item = ed.item
    return {"in_person": (item.participants_in_person, 0),
            "online": (0, item.participants_in_person + item.participants_online)}.get(
        mode, (item.participants_in_person, item.participants_online))


def seat_capacity(p: Problem, se: ScheduledEdition) -> dict[str, int]:
    """Seats per mode: the planned number, capped by the room (in person, online) or the platform."""
    ed = p.edition_by_id[se.edition]
    room = p.room_by_id[se.room][1] if se.room in p.room_by_id else None
    want_in_person, want_online = planned(ed, se.mode)
    in_person = online = 0
    if se.mode in ("hybrid", "in_person") and room is not None:
        in_person = min(want_in_person, room.seats)
    if se.mode == "hybrid" and room is not None and room.hybrid:
        online = min(want_online, room.online_seats)
    if se.mode == "online":
        online = min(want_online, p.platform.online_seats_per_stream)
    return {"in_person": in_person, "online": online}


def modes_for(asked: str, mode: str) -> list[str]:
    """The seat modes a nominee who asked for ``asked`` may take in an edition run in ``mode`` (one
    who prefers to come in person also takes an online seat)."""
    accepts = {"in_person": ("in_person",), "online": ("online",)}.get(asked, ("in_person", "online"))
    return [m for m in SEAT_MODES[mode] if m in accepts]


def asking(p: Problem, topic: str) -> list[Nomination]:
    """The nominees who could sit an edition of ``topic``, whatever its dates: nominated for it,
    asking for a seat mode its editions may offer, following their language (or stating none), and with
    each prerequisite in the programme taken or asked for."""
    ed = next(e for e in p.editions if e.topic.id == topic)
    held = {ed.item.language, *ed.item.interpretation}
    return [n for n in p.nominations
            if topic in n.topics and any(modes_for(n.mode, m) for m in ed.modes)
            and (not n.languages or held & set(n.languages))
            and all(pr.before in n.completed or pr.before in n.topics for pr in prerequisites_of(p, topic))]


def free_in_its_months(nominees: list[Nomination], se: ScheduledEdition) -> int:
    """How many of ``nominees`` are away in none of the months ``se`` runs in."""
    return sum(1 for n in nominees if not months(se) & set(n.unavailable_months))


def planned_seats(p: Problem, topic: str) -> int:
    """The seats a topic's programme item plans, in person and online (its minimum may not exceed them)."""
    item = next(i for i in p.programme if i.topic == topic)
    return item.participants_in_person + item.participants_online


def seats_by_nominee(s: Schedule) -> dict[str, list[Allocation]]:
    out: dict[str, list[Allocation]] = defaultdict(list)
    for a in s.allocations:
        out[a.nominee].append(a)
    return out


def fits_quietly(s: Schedule, se: ScheduledEdition, days: list[date]) -> bool:
    """Whether moving ``se`` onto ``days``, starting no earlier, touches no rule but the days' own.

    The same number of days in each month, inside its window; its room and venue free and open
    on every new day, and everyone giving part of it free and available on the days they now
    give (a guest on the day at their session's place in the course); the platform with a
    stream to spare; its topic no other topic's prerequisite and with no longest gap to its
    own (a later start keeps the shortest).
    """
    p = s.problem
    ed = p.edition_by_id[se.edition]
    if Counter(month(d) for d in days) != Counter(month(d) for d in se.days) or days[0] < se.start:
        return False
    if ed.item.latest_end and days[-1] > ed.item.latest_end:
        return False
    if ed.topic.id in first_topics(p) or any(pr.max_gap_days is not None for pr in prerequisites_of(p, ed.topic.id)):
        return False
    new = set(days) - set(se.days)
    there = moved(se, days)
    if se.room:
        venue, room = p.room_by_id[se.room]
        if any(c.start <= d <= c.end for c in [*room.closures, *venue.closures] for d in new):
            return False
    if not people_free(s, there):
        return False
    running: Counter[date] = Counter()
    for other, _ in placed(s):
        if other is se or not new & set(other.days):
            continue
        if se.room and other.room == se.room:
            return False
        if streams(other):
            running.update(new & set(other.days))
    return not streams(se) or all(n < p.platform.max_concurrent_streams for n in running.values())


def people_free(s: Schedule, there: ScheduledEdition) -> bool:
    """Whether everyone giving part of ``there`` (an edition of ``s`` changed) is available on each
    day they give, gives nothing else that day, and stays within their month limit."""
    p = s.problem
    mine = delivered(there)
    elsewhere = {pair for o in s.editions if o.edition != there.edition for pair in delivered(o)}
    if len(set(mine)) < len(mine) or set(mine) & elsewhere:
        return False
    if any(u.start <= d <= u.end for t, d in mine for u in p.trainer_by_id[t].unavailable):
        return False
    others = [o for o in s.editions if o.edition != there.edition]
    per_month = _days_by([*others, there], lambda t, d: (t, month(d)))
    limit = {t.id: t.max_days_per_month for t in p.trainers}
    for (t, _), n in per_month.items():
        most = limit.get(t)
        if most is not None and n > most:
            return False
    return True


def can_join(s: Schedule, tr: Trainer, se: ScheduledEdition) -> bool:
    """Whether a trainer could join an edition's team breaking no rule of their own.

    On teams (not a guest only), qualified, speaking its language, available on its days,
    within their month and year limits (guest days counted) and their organisation's quota
    once its days are added. (Whether they are free those days is the caller's question.)
    """
    p = s.problem
    ed = p.edition_by_id[se.edition]
    if tr.role == "guest" or not tr.can_teach(ed.topic) or ed.item.language not in tr.languages:
        return False
    if any(u.start <= d <= u.end for u in tr.unavailable for d in se.days):
        return False
    if tr.max_days_per_year is not None and trainer_days(s)[tr.id] + len(se.days) > tr.max_days_per_year:
        return False
    per_month = trainer_month_days(s)
    if tr.max_days_per_month is not None and any(
        per_month[(tr.id, m)] + n > tr.max_days_per_month for m, n in Counter(month(d) for d in se.days).items()
    ):
        return False
    quota = p.organisation_by_id[tr.organisation].trainer_day_quota
    org_days = sum(n for t, n in trainer_days(s).items() if p.trainer_by_id[t].organisation == tr.organisation)
    return quota is None or org_days + len(se.days) <= quota


def join_a_new_trainer(s: Schedule, se: ScheduledEdition, like: str, suffix: str, **differences: Any) -> Schedule:
    """A new trainer, like ``like`` in all but ``differences``, joins ``se``'s team."""
    new_id = f"{like}-{suffix}"
    team = [*se.trainers, new_id]
    return with_problem(s, _new_trainer(like, new_id, differences),
                        editions=replaced(s, se.model_copy(update={"trainers": team})))


def swap_for_a_new_trainer(s: Schedule, se: ScheduledEdition, trainer: str, suffix: str,
                           **differences: Any) -> tuple[Schedule, str]:
    """Replace a trainer of ``se`` by a new one, like them in all but ``differences``.

    Like them, the newcomer is qualified, speaks the language, is available and free, is of
    the same organisation and gender, and charges the same fee, unless ``differences`` says
    otherwise; only ``se``'s days move to them, so no limit or quota grows.
    """
    new_id = f"{trainer}-{suffix}"
    team = [new_id if t == trainer else t for t in se.trainers]
    return with_problem(s, _new_trainer(trainer, new_id, differences),
                        editions=replaced(s, se.model_copy(update={"trainers": team}))), new_id


def _new_trainer(like: str, new_id: str, differences: Raw) -> Callable[[Raw], None]:
    """A change adding a trainer record copied from ``like``'s, with its own id and ``differences``."""
    def change(data: Raw) -> None:
        trainer = dict(record(data, "trainers", like))
        trainer.update(id=new_id, name=f"{trainer['name']} ({new_id})", **differences)
        data["trainers"].append(trainer)

    return change


# -------------------------------------------------------------------- shares and caps


def read_share(share: Fraction) -> Fraction:
    """A share as a problem reads it: a float, taken as an exact fraction (README "Gender parity")."""
    return Fraction(float(share)).limit_denominator(1000)


def band_missed_by_the_lowest(groups: dict[str, tuple[int, int]]) -> tuple[Raw, list[str]]:
    """A hard band that the groups of the lowest women's share miss and every other group meets.

    ``groups`` maps a group to (women, people of known gender). With p the second lowest share,
    a group meets "at least p" exactly when its share is p or more. With one share only, the
    band asks for one woman more than its group has (or, all women, one fewer).
    """
    shares = sorted({Fraction(w, n) for w, n in groups.values() if n})
    if not shares:
        raise NoRecord("nobody of known gender to count")
    w, n = next((w, n) for w, n in groups.values() if n)
    if len(shares) == 1 and w == n:  # every group all women: at most one fewer
        hi = Fraction(w - 1, n)
        missed = [g for g, (w, n) in groups.items() if w > math.floor(read_share(hi) * n)]
        return {"min_share": None, "max_share": float(hi), "mode": "hard"}, missed
    lo = shares[1] if len(shares) >= 2 else Fraction(w + 1, n)
    missed = [g for g, (w, n) in groups.items() if w < math.ceil(read_share(lo) * n)]
    return {"min_share": float(lo), "max_share": None, "mode": "hard"}, missed


def band_met_by_all(groups: dict[str, tuple[int, int]]) -> Raw:
    """A hard band from the lowest women's share to the highest, exactly: every group meets it."""
    shares = [Fraction(w, n) for w, n in groups.values() if n]
    if not shares:
        raise NoRecord("nobody of known gender to count")
    return {"min_share": float(min(shares)), "max_share": float(max(shares)), "mode": "hard"}


def trainer_day_groups(s: Schedule, scope: str) -> dict[str, tuple[int, int]]:
    """(women's trainer-days, trainer-days of known gender) of each group of a scope, by its label
    (a guest's one day counted in the group of that day).

    Groups are named as a planner reads them: "the year", "module 2", "2027-03".
    """
    p = s.problem
    women: Counter[str] = Counter()
    known: Counter[str] = Counter()
    for se, ed in placed(s):
        for t, d in delivered(se):
            gender = p.trainer_by_id[t].gender
            label = {"year": "the year", "module": f"module {ed.topic.module}", "month": month(d)}[scope]
            known[label] += gender in KNOWN_GENDERS
            women[label] += gender == "woman"
    return {g: (women[g], known[g]) for g in known}


# --------------------------------------------------------------------- the mutations


def drop_a_mandatory_edition(s: Schedule) -> Breach:
    p = s.problem
    for se, ed in placed(s):
        if ed.mandatory and ed.topic.id not in first_topics(p):
            seats = [a for a in s.allocations if a.edition != se.edition]  # its nominees leave with it
            return Breach(edit(s, editions=[e for e in s.editions if e is not se], allocations=seats), [[se.edition]])
    raise NoRecord("no mandatory edition that no other topic needs first")


def declare_a_holiday_on_a_course_day(s: Schedule) -> Breach:
    running = Counter(d for se in s.editions for d in se.days)
    if not running:
        raise NoRecord("no course day")
    _, day = min(((se, d) for se in s.editions for d in se.days), key=lambda x: running[x[1]])

    def change(data: Raw) -> None:
        data["calendar"]["extra_holidays"].append({"day": day, "name": "Extra holiday"})

    return Breach(with_problem(s, change), [[se.edition] for se in s.editions if day in se.days])


def move_onto_a_weekend(s: Schedule) -> Breach:
    for se in s.editions:
        later = (5 - se.end.weekday()) % 7  # days to the Saturday after its last day
        days = [d + timedelta(days=later) for d in se.days]
        if later and fits_quietly(s, se, days):
            return Breach(edit(s, editions=replaced(s, moved(se, days))), [[se.edition]])
    raise NoRecord("no edition that could run into its weekend and break nothing else")


def leave_a_working_day_out_of_a_course(s: Schedule) -> Breach:
    cal = s.problem.work_calendar
    for se in s.editions:
        after = cal.index[se.end] + 1
        if len(se.days) >= 2 and after < len(cal.days):
            days = [*se.days[:-1], cal.days[after]]  # its last day a working day later
            if fits_quietly(s, se, days):
                return Breach(edit(s, editions=replaced(s, moved(se, days))), [[se.edition]])
    raise NoRecord("no course of two days or more that could lose a day in the middle and break nothing else")


def run_a_course_over_a_weekend(s: Schedule) -> Breach:
    cal = s.problem.work_calendar
    if s.problem.calendar.allow_straddle:
        raise NoRecord("courses may straddle a weekend in this problem")
    for se in s.editions:
        first, n = cal.index[se.start], len(se.days)
        for later in range(1, len(cal.days) - first - n + 1):
            days = list(cal.days[first + later : first + later + n])
            if (days[-1] - days[0]).days != n - 1:  # consecutive working days around days off
                if fits_quietly(s, se, days):
                    return Breach(edit(s, editions=replaced(s, moved(se, days))), [[se.edition]])
                break
    raise NoRecord("no course that could run over its next weekend and break nothing else")


def cut_a_day_below_the_shortest(s: Schedule) -> Breach:
    p = s.problem
    for se, ed in placed(s):
        n = len(se.days) - 1
        longest_gap = any(pr.before == ed.topic.id and pr.max_gap_days is not None for pr in p.prerequisites)
        shorter = moved(se, se.days[:-1]) if n >= 1 else se  # a guest of its last day on the day before
        if n >= 1 and n not in ed.durations and not longest_gap and people_free(s, shorter):
            return Breach(edit(s, editions=replaced(s, shorter)), [[se.edition]])
    raise NoRecord("no edition at its shortest length")


def close_the_window_before_the_end(s: Schedule, by: int = 1) -> Breach:
    for se, ed in placed(s):
        same_topic = [e for e in s.editions if e.topic == se.topic]
        latest_end = se.end - timedelta(days=by)
        if max(e.end for e in same_topic) == se.end and (not ed.item.earliest_start
                                                         or ed.item.earliest_start <= latest_end):
            def change(data: Raw, topic: str = se.topic, latest_end: date = latest_end) -> None:
                record(data, "programme", topic)["latest_end"] = latest_end

            late = [[e.edition] for e in same_topic if e.end > latest_end]
            return Breach(with_problem(s, change), late)
    raise NoRecord("no edition")


def plan_more_participants_than_the_room_seats(s: Schedule) -> Breach:
    p = s.problem
    for se, ed in placed(s):
        if se.room is None:
            continue
        more = p.room_by_id[se.room][1].seats + 1
        online = planned(ed, se.mode)[1]
        if not any(r.seats >= more and (se.mode != "hybrid" or (r.hybrid and r.online_seats >= online))
                   for _, r in p.rooms):
            continue  # the problem itself would be refused: no room could ever take the course

        def change(data: Raw, topic: str = se.topic, more: int = more) -> None:
            record(data, "programme", topic)["participants_in_person"] = more

        too_small = [[e.edition, e.room] for e in s.editions
                     if e.topic == se.topic and e.room and p.room_by_id[e.room][1].seats < more]
        return Breach(with_problem(s, change), too_small)  # type: ignore[arg-type]
    raise NoRecord("no edition in a room")


def hold_a_hybrid_course_in_a_room_without_streaming(s: Schedule) -> Breach:
    p = s.problem
    for se, ed in placed(s):
        if se.mode != "hybrid" or ed.topic.id in first_topics(p):
            continue
        for venue, room in p.rooms:
            busy = any(o.room == room.id and set(o.days) & set(se.days) for o in s.editions if o is not se)
            shut = any(c.start <= d <= c.end for c in [*room.closures, *venue.closures] for d in se.days)
            if room.hybrid or room.seats < ed.item.participants_in_person or busy or shut:
                continue
            there = se.model_copy(update={"room": room.id, "venue": venue.id})
            # A room that cannot stream has no online seat: its online participants lose theirs.
            seats = [a for a in s.allocations if not (a.edition == se.edition and a.mode == "online")]
            return Breach(edit(s, editions=replaced(s, there), allocations=seats), [[se.edition, room.id]])
    raise NoRecord("no hybrid edition and free room without streaming equipment")


def interpret_a_course_into_more_languages_than_its_room_has_booths(s: Schedule) -> Breach:
    """One more language of interpretation for a topic: its room keeps booths for the others' needs only.

    The other rooms get booths enough (and the platform a channel each), so that the problem
    stays valid: only the editions of the topic in that room break the rule.
    """
    p = s.problem
    for se, ed in placed(s):
        if se.room is None:
            continue
        item = ed.item
        held = {item.language, *item.interpretation}
        extra = next((c for c in [*p.languages, "xx"] if c not in held and (c in p.languages or not p.languages)),
                     None)
        need = len(item.interpretation) + 1
        others = [p.edition_by_id[o.edition].item for o in s.editions if o.room == se.room and o.topic != se.topic]
        keep = max((len(it.interpretation) for it in others), default=0)
        fits_elsewhere = any(r.id != se.room and r.seats >= item.participants_in_person and (
            se.mode != "hybrid" or (r.hybrid and r.online_seats >= item.participants_online)) for _, r in p.rooms)
        if extra is None or keep >= need or not fits_elsewhere:
            continue

        def change(data: Raw, topic: str = se.topic, room: str = se.room, lang: str = extra,
                   need: int = need, keep: int = keep) -> None:
            record(data, "programme", topic)["interpretation"].append(lang)
            for r in (r for v in data["venues"] for r in v["rooms"]):
                r["interpretation_booths"] = keep if r["id"] == room else max(need, r["interpretation_booths"])
            platform = data["platform"]
            platform["interpretation_channels"] = max(need, platform["interpretation_channels"])

        short = [[o.edition, o.room] for o in s.editions if o.topic == se.topic and o.room == se.room]
        return Breach(with_problem(s, change), short)  # type: ignore[arg-type]
    raise NoRecord("no edition in a room")


def close_the_room_on_a_course_day(s: Schedule) -> Breach:
    for se in s.editions:
        if se.room:
            # On its last day: every course day counts, not only the first.
            def change(data: Raw, room: str = se.room, day: date = se.end) -> None:
                record(data, "rooms", room)["closures"].append({"start": day, "end": day, "reason": "repairs"})

            return Breach(with_problem(s, change), [[se.edition, se.room]])
    raise NoRecord("no edition in a room")


def hold_an_edition_outside_its_venues(s: Schedule) -> Breach:
    """The programme holds a topic's editions at a new venue whose room is a twin of theirs."""
    p = s.problem
    for se in s.editions:
        if se.room:
            room = p.room_by_id[se.room][1]

            def change(data: Raw, topic: str = se.topic, room: Any = room) -> None:
                twin = {**room.model_dump(), "id": f"{room.id}-ANNEX", "closures": []}
                data["venues"].append({"id": "ANNEX", "name": "Annex (fictional)", "rooms": [twin]})
                record(data, "programme", topic)["venues"] = ["ANNEX"]

            elsewhere = [[e.edition, e.room] for e in s.editions if e.topic == se.topic and e.room]
            return Breach(with_problem(s, change), elsewhere)  # type: ignore[arg-type]
    raise NoRecord("no edition in a room")


def close_the_venue_on_a_course_day(s: Schedule) -> Breach:
    p = s.problem
    for se in s.editions:
        if se.room:
            venue, day = p.room_by_id[se.room][0].id, se.end

            def change(data: Raw, venue: str = venue, day: date = day) -> None:
                shut = next(v for v in data["venues"] if v["id"] == venue)["closures"]
                shut.append({"start": day, "end": day, "reason": "elections"})

            hit = [[e.edition, e.room] for e in s.editions
                   if e.room and p.room_by_id[e.room][0].id == venue and day in e.days]
            return Breach(with_problem(s, change), hit)  # type: ignore[arg-type]
    raise NoRecord("no edition in a room")


def put_two_editions_in_one_room(s: Schedule) -> Breach:
    p = s.problem
    for a, b in overlapping(s):
        if not a.room or not b.room or a.room == b.room:
            continue
        venue, room = p.room_by_id[a.room]
        if not p.room_fits(p.edition_by_id[b.edition], room):
            continue
        shut = any(c.start <= d <= c.end for c in [*room.closures, *venue.closures] for d in b.days)
        third = any(o.room == a.room and set(o.days) & set(b.days) for o in s.editions if o not in (a, b))
        if not shut and not third:
            there = b.model_copy(update={"room": room.id, "venue": venue.id})
            return Breach(edit(s, editions=replaced(s, there)), [[room.id, a.edition, b.edition]])
    raise NoRecord("no two editions in rooms at the same time")


def lower_the_platform_below_the_streams(s: Schedule, by: int = 1) -> Breach:
    running = Counter(d for se, _ in placed(s) if streams(se) for d in se.days)
    peak = max(running.values(), default=0)
    if peak - by < 1:  # a platform of no stream at all is refused for a problem with online courses
        raise NoRecord("never two hybrid or online courses at once")

    def change(data: Raw) -> None:
        data["platform"]["max_concurrent_streams"] = peak - by

    return Breach(with_problem(s, change), [[d.isoformat()] for d, n in sorted(running.items()) if n > peak - by])


def swap_in_an_unqualified_trainer(s: Schedule) -> Breach:
    se = _first_with_a_team(s)
    broken, new = swap_for_a_new_trainer(s, se, se.trainers[0], "unqualified", topics=[], modules=[])
    return Breach(broken, [[se.edition, new]])


def swap_in_a_trainer_without_the_language(s: Schedule) -> Breach:
    se = _first_with_a_team(s)
    language = s.problem.edition_by_id[se.edition].item.language
    other = next(x for x in ("en", "ru", "fr") if x != language)
    broken, new = swap_for_a_new_trainer(s, se, se.trainers[0], f"speaks {other} only", languages=[other])
    return Breach(broken, [[se.edition, new]])


def make_a_trainer_unavailable(s: Schedule) -> Breach:
    se = _first_with_a_team(s)
    trainer = se.trainers[0]

    def change(data: Raw) -> None:
        record(data, "trainers", trainer)["unavailable"].append({"start": se.end, "end": se.end,
                                                                  "reason": "mission"})

    return Breach(with_problem(s, change), [[se.edition, trainer]])


def book_a_trainer_twice(s: Schedule) -> Breach:
    p = s.problem
    for a, b in overlapping(s):
        if len(b.trainers) >= p.team_rules.max_trainers:
            continue
        for t in a.trainers:
            if t not in b.trainers and can_join(s, p.trainer_by_id[t], b):
                joined = b.model_copy(update={"trainers": [*b.trainers, t]})
                return Breach(edit(s, editions=replaced(s, joined)), clashes_with(s, t, b))
    raise NoRecord("no trainer who could join a team running at the same time as theirs")


def lower_a_trainers_month_limit(s: Schedule, by: int = 1) -> Breach:
    per_month = trainer_month_days(s)
    if not per_month:
        raise NoRecord("no trainer-day")
    (trainer, _), most = per_month.most_common(1)[0]

    def change(data: Raw) -> None:
        record(data, "trainers", trainer)["max_days_per_month"] = most - by

    return Breach(with_problem(s, change), [[trainer]])


def lower_a_trainers_year_limit(s: Schedule, by: int = 1) -> Breach:
    if not s.editions:
        raise NoRecord("no trainer-day")
    trainer, most = trainer_days(s).most_common(1)[0]

    def change(data: Raw) -> None:
        record(data, "trainers", trainer)["max_days_per_year"] = most - by

    return Breach(with_problem(s, change), [[trainer]])


def give_an_organisation_a_quota_below_its_days(s: Schedule, by: int = 1) -> Breach:
    p = s.problem
    by_org: Counter[str] = Counter()
    for t, n in trainer_days(s).items():
        by_org[p.trainer_by_id[t].organisation] += n
    if not by_org:
        raise NoRecord("no trainer-day")
    org, days = by_org.most_common(1)[0]

    def change(data: Raw) -> None:
        record(data, "organisations", org)["trainer_day_quota"] = days - by

    return Breach(with_problem(s, change), [[org]])


def take_a_trainer_off_a_smallest_team(s: Schedule) -> Breach:
    p = s.problem
    rules = p.team_rules
    for se in s.editions:
        if len(se.trainers) != rules.min_trainers:
            continue
        for t in se.trainers:
            rest = [x for x in se.trainers if x != t]
            genders = {p.trainer_by_id[x].gender for x in rest}
            mixed = len(rest) < 2 or rules.mixed_gender != "hard" or {"woman", "man"} <= genders
            smaller = se.model_copy(update={"trainers": rest})
            if rest and needs_met(p, smaller) and mixed:
                return Breach(edit(s, editions=replaced(s, smaller)), [[se.edition]])
    raise NoRecord("no team at its smallest with a trainer the team could lose")


def add_trainers_beyond_the_largest_team(s: Schedule) -> Breach:
    p = s.problem
    for se in sorted(s.editions, key=lambda e: -len(e.trainers)):
        free = [t for t in se.trainers
                if p.organisation_by_id[p.trainer_by_id[t].organisation].trainer_day_quota is None]
        if free:
            broken = s
            for k in range(p.team_rules.max_trainers - len(se.trainers) + 1):
                broken = join_a_new_trainer(broken, broken.by_edition[se.edition], free[0], f"extra {k + 1}")
            return Breach(broken, [[se.edition]])
    raise NoRecord("no team with a trainer outside every quota")


def swap_in_a_trainer_of_another_organisation(s: Schedule) -> Breach:
    p = s.problem
    for se, ed in placed(s):
        for org in p.required_organisations(ed.item):
            members = [t for t in se.trainers if p.trainer_by_id[t].organisation == org]
            others = [o.id for o in p.organisations if o.id != org and o.trainer_day_quota is None]
            if len(members) == 1 and others:
                broken, _ = swap_for_a_new_trainer(s, se, members[0], f"of {others[0]}", organisation=others[0])
                return Breach(broken, [[se.edition, org]])
    raise NoRecord("no team with a single trainer of a required organisation")


def name_a_lead_agency_nobody_on_the_team_is_from(s: Schedule) -> Breach:
    """A new organisation leads an edition's topic, with a qualified person of it who is not on the team.

    The newcomer (like a trainer of the edition in all but organisation) makes the rule hard
    for the topic; every edition of the topic then lacks the lead agency.
    """
    p = s.problem
    if p.team_rules.lead_agency != "hard":
        raise NoRecord("the lead-agency rule is not hard in this problem")
    se, ed = placed(s)[0]
    org = "NEW-LEAD-AGENCY"

    def change(data: Raw) -> None:
        data["organisations"].append({"id": org, "name": "A lead agency nobody on the team is from"})
        _new_trainer(se.trainers[0], f"{se.trainers[0]}-lead", {"organisation": org})(data)
        record(data, "topics", ed.topic.id)["lead_agencies"] = [org]

    topic_editions = [x.edition for x, e in placed(s) if e.topic.id == ed.topic.id]
    return Breach(with_problem(s, change), [[edition, org] for edition in topic_editions])


def swap_in_a_trainer_of_the_same_gender_as_the_rest(s: Schedule) -> Breach:
    p = s.problem
    if p.team_rules.mixed_gender != "hard":
        raise NoRecord("mixed teams are not a hard rule in this problem")
    for se in sorted(s.editions, key=lambda e: -len(e.trainers)):  # a larger team first: not only pairs
        genders = [p.trainer_by_id[t].gender for t in se.trainers]
        for t, g in zip(se.trainers, genders, strict=True):
            other = {"woman": "man", "man": "woman"}.get(g)
            if len(se.trainers) >= 2 and other and genders.count(g) == 1:
                broken, _ = swap_for_a_new_trainer(s, se, t, other, gender=other)
                return Breach(broken, [[se.edition]])
    raise NoRecord("no team of two or more with a single woman or a single man")


def reverse_a_prerequisite(s: Schedule) -> Breach:
    p = s.problem
    by_topic = _by_topic(s)
    for i, pr in enumerate(p.prerequisites):
        if pr.before not in by_topic or pr.after not in by_topic or _path(p, pr.before, pr.after, skip=i):
            continue  # reversing it would close a cycle, which the problem refuses
        turned = pr.model_copy(update={"before": pr.after, "after": pr.before})
        early = [[pr.after, b.edition] for b in by_topic[pr.before]
                 if not any(satisfied(turned, a, b) for a in by_topic[pr.after])]
        if early:
            def change(data: Raw, i: int = i) -> None:
                x = data["prerequisites"][i]
                x["before"], x["after"] = x["after"], x["before"]

            return Breach(with_problem(s, change), early)
    raise NoRecord("no prerequisite between two scheduled topics")


def ask_a_longer_gap_than_the_prerequisite_leaves(s: Schedule, by: int = 1) -> Breach:
    p = s.problem
    by_topic = _by_topic(s)
    for i, pr in enumerate(p.prerequisites):
        if pr.before not in by_topic or pr.after not in by_topic:
            continue
        best = {b.edition: max(gap(a, b) for a in by_topic[pr.before] if satisfied(pr, a, b))
                for b in by_topic[pr.after]}
        longer = min(best.values()) + by
        if not by:  # at the limit: no seated nominee's own gap may fall short of it either
            longer = min([longer, *seated_gaps(s, pr)])
        short = [[pr.before, eid] for eid, g in best.items() if g < longer]

        def change(data: Raw, i: int = i, longer: int = longer) -> None:
            x = data["prerequisites"][i]
            x["min_gap_days"] = longer
            if x["max_gap_days"] is not None:
                x["max_gap_days"] = max(x["max_gap_days"], longer)

        return Breach(with_problem(s, change), short)
    raise NoRecord("no prerequisite between two scheduled topics")


def seated_gaps(s: Schedule, pr: Prerequisite) -> list[int]:
    """The gap each nominee seated in an edition of ``pr.after`` (without ``pr.before`` completed)
    leaves after their own seat in an edition of ``pr.before``."""
    p = s.problem
    seat = {(a.nominee, s.by_edition[a.edition].topic): s.by_edition[a.edition] for a in s.allocations}
    return [gap(seat[(n, pr.before)], then) for (n, topic), then in seat.items()
            if topic == pr.after and (n, pr.before) in seat and pr.before not in p.nomination_by_id[n].completed]


def allow_a_shorter_longest_gap_than_the_calendar_leaves(s: Schedule, by: int = 1) -> Breach:
    p = s.problem
    by_topic = _by_topic(s)
    for i, pr in enumerate(p.prerequisites):
        if pr.before not in by_topic or pr.after not in by_topic:
            continue
        nearest = {b.edition: min(gap(a, b) for a in by_topic[pr.before] if satisfied(pr, a, b))
                   for b in by_topic[pr.after]}
        longest = max(nearest.values()) - by
        if longest < pr.min_gap_days:
            continue
        late = [[pr.before, eid] for eid, g in nearest.items() if g > longest]

        def change(data: Raw, i: int = i, longest: int = longest) -> None:
            data["prerequisites"][i]["max_gap_days"] = longest

        return Breach(with_problem(s, change), late)
    raise NoRecord("no prerequisite with a gap to shorten between two scheduled topics")


def pin_an_edition_elsewhere_in_time(s: Schedule) -> Breach:
    if not s.editions:
        raise NoRecord("no edition")
    se = s.editions[0]
    horizon = s.problem.calendar
    week = timedelta(days=7)
    start = se.start + week if se.start + week <= horizon.end else se.start - week

    def change(data: Raw) -> None:
        data["pins"].append({"edition": se.edition, "start": start, "reason": "the minister's visit"})

    return Breach(with_problem(s, change), [[se.edition]])


def pin_an_edition_to_another_room(s: Schedule) -> Breach:
    p = s.problem
    for se in s.editions:
        other = next((r.id for _, r in p.rooms if r.id != se.room), None)
        if se.room and other:
            def change(data: Raw, eid: str = se.edition, room: str = other) -> None:
                data["pins"].append({"edition": eid, "room": room, "reason": "the interpreters' booth"})

            return Breach(with_problem(s, change), [[se.edition]])
    raise NoRecord("no edition in a room, with another room to pin it to")


def set_a_budget_below_the_cost(s: Schedule, by: int = 1) -> Breach:
    spent = cost(s)
    if spent < 1:
        raise NoRecord("nothing costs anything")

    def change(data: Raw) -> None:
        data["budget_usd"] = spent - by

    return Breach(with_problem(s, change), [["budget"]])


def set_a_quarter_cap_below_its_cost(s: Schedule, by: int = 1) -> Breach:
    """The costliest quarter's cap at what the editions starting in it cost, less ``by``."""
    spent = quarter_costs(s)
    q, most = max(sorted(spent.items()), key=lambda qc: qc[1], default=("", 0))
    if most < 1:
        raise NoRecord("nothing costs anything")

    def change(data: Raw) -> None:
        data["quarterly_budget_usd"] = {q: most - by}

    return Breach(with_problem(s, change), [[f"budget {q}"]])


def cap_a_quarter_at_its_calendar_cost_without_the_seats(s: Schedule) -> Breach:
    """The cap of the quarter whose in-person seats cost the most, at what its calendar costs
    without them: the seats' fares and allowances count in the quarter of their edition's start."""
    calendar, everything = quarter_costs(s, seats=False), quarter_costs(s)
    q = max(sorted(everything), key=lambda q: everything[q] - calendar[q], default="")
    if not q or everything[q] == calendar[q]:
        raise NoRecord("no in-person seat costs anything")

    def change(data: Raw) -> None:
        data["quarterly_budget_usd"] = {q: calendar[q]}

    return Breach(with_problem(s, change), [[f"budget {q}"]])


def cap_every_quarter_at_what_starts_in_it(s: Schedule) -> Schedule:
    """Every quarter of the horizon capped at what the editions starting in it cost, seats
    included: 0 in a quarter where none starts, even one an edition runs into."""
    spent = quarter_costs(s)
    quarters, d = set(), s.problem.calendar.start.replace(day=1)
    while d <= s.problem.calendar.end:  # the quarter of each month of the horizon
        quarters.add(quarter(d))
        d = (d + timedelta(days=32)).replace(day=1)

    def change(data: Raw) -> None:
        data["quarterly_budget_usd"] = {q: spent[q] for q in sorted(quarters)}

    return with_problem(s, change)


def women_share_band_missed(scope: str) -> Callable[[Schedule], Breach]:
    """A hard band for the scope that the group(s) of its lowest share miss.

    When every group has the same share (teams of a woman and a man), no band could tell them
    apart: a man first joins a course of one group, whose share drops below the others'.
    """
    def mutation(s: Schedule) -> Breach:
        groups = trainer_day_groups(s, scope)
        shares = {Fraction(w, n) for w, n in groups.values() if n}
        if len(groups) >= 2 and len(shares) == 1 and shares != {0}:
            s = _a_man_joins_a_course_of_one_group(s)
            groups = trainer_day_groups(s, scope)
        band, missed = band_missed_by_the_lowest(groups)

        def change(data: Raw) -> None:
            data["targets"][f"trainer_days_{scope}"] = band

        return Breach(with_problem(s, change), [[g] for g in missed])

    mutation.__name__ = f"set_a_hard_{scope}_band_the_calendar_misses"
    return mutation


# -- guest sessions


def sessions(s: Schedule) -> list[tuple[ScheduledEdition, Edition, GuestSession, GuestSlot]]:
    """Every guest session of the calendar with its edition and slot, in calendar order."""
    out = []
    for se, ed in placed(s):
        slots = {slot.id: slot for slot in ed.item.guest_slots}
        out += [(se, ed, g, slots[g.slot]) for g in se.guests]
    if not out:
        raise NoRecord("no guest session")
    return out


def with_session(se: ScheduledEdition, g: GuestSession, **update: Any) -> ScheduledEdition:
    """The edition with one guest session changed."""
    return se.model_copy(update={"guests": [x.model_copy(update=update) if x is g else x for x in se.guests]})


def without_session(se: ScheduledEdition, *gone: GuestSession) -> ScheduledEdition:
    return se.model_copy(update={"guests": [x for x in se.guests if all(x is not g for g in gone)]})


def needs_met(p: Problem, se: ScheduledEdition) -> bool:
    """Whether an edition has each organisation the hard rules ask of it: a required organisation
    on its team; a lead agency on its team or among its guests."""
    people = p.trainer_by_id
    team = {people[t].organisation for t in se.trainers if t in people}
    guests = {people[g.person].organisation for g in se.guests if g.person in people}
    return all((team | guests if need.rule == LEAD_AGENCY else team) & set(need.organisations)
               for need in p.team_needs(p.edition_by_id[se.edition].item))


def countries_twice(p: Problem, se: ScheduledEdition) -> list[str]:
    """The countries two or more of an edition's guests represent."""
    people = p.trainer_by_id
    given: Counter[str] = Counter()
    for g in se.guests:
        country = people[g.person].country if g.person in people else None
        if country:
            given[country] += 1
    return sorted(c for c, n in given.items() if n > 1)


def quiet(s: Schedule, se: ScheduledEdition) -> bool:
    """Whether ``s``, with ``se`` changed, keeps ``se``'s organisations, no country presenting twice
    in it, and everyone's limits, the quotas and the budget."""
    return needs_met(s.problem, se) and not countries_twice(s.problem, se) and within_limits(s)


def may_change(s: Schedule, se: ScheduledEdition, g: GuestSession) -> bool:
    """Whether an edition keeps its organisations without a guest session: changing it breaks nothing else."""
    return needs_met(s.problem, without_session(se, g))


def swap_guest(s: Schedule, se: ScheduledEdition, g: GuestSession, suffix: str,
               **differences: Any) -> tuple[Schedule, str]:
    """A guest session given by a new person, like its guest in all but ``differences``."""
    new_id = f"{g.person}-{suffix}"
    return with_problem(s, _new_trainer(g.person, new_id, differences),
                        editions=replaced(s, with_session(se, g, person=new_id))), new_id


def add_a_guest(s: Schedule, se: ScheduledEdition, like: GuestSession, slot: str, suffix: str,
                **differences: Any) -> tuple[Schedule, str]:
    """A new person, like ``like``'s guest but of undisclosed gender, without fee or trip (so that no
    share or cost moves) and unless ``differences`` says otherwise, gives ``slot`` on ``like``'s day."""
    new_id = f"{like.person}-{suffix}"
    change = _new_trainer(like.person, new_id, {"gender": "undisclosed", "day_rate": 0, "travel_usd": 0,
                                                **differences})
    there = se.model_copy(update={"guests": [*se.guests, GuestSession(slot=slot, person=new_id, day=like.day)]})
    return with_problem(s, change, editions=replaced(s, there)), new_id


def clashes_with(s: Schedule, person: str, se: ScheduledEdition) -> list[list[str]]:
    """[person, other, se] for every other edition the person gives part of on a day of ``se``."""
    return [[person, o.edition, se.edition] for o in s.editions
            if o.edition != se.edition and any(t == person and d in se.days for t, d in delivered(o))]


def hold_a_guest_session_outside_the_course(s: Schedule) -> Breach:
    """A guest session moved to the working day after the course (or before it), in the same month."""
    cal = s.problem.work_calendar
    for se, _, g, _ in sessions(s):
        first, last = cal.index[se.start], cal.index[se.end]
        for k in (last + 1, first - 1):
            if not 0 <= k < len(cal.days) or month(cal.days[k]) != month(g.day) or not may_change(s, se, g):
                continue
            there = with_session(se, g, day=cal.days[k])
            if people_free(s, there):
                return Breach(edit(s, editions=replaced(s, there)), [[se.edition, g.person]])
    raise NoRecord("no guest session that could move out of its course within its month")


def swap_a_guest_for_a_person_of_another_organisation(s: Schedule) -> Breach:
    p = s.problem
    for se, _, g, slot in sessions(s):
        other = next((o.id for o in p.organisations if o.id not in slot.organisations and o.trainer_day_quota is None),
                     None)
        if other is None or not may_change(s, se, g):
            continue
        broken, new = swap_guest(s, se, g, f"of {other}", organisation=other)
        if quiet(broken, broken.by_edition[se.edition]):
            return Breach(broken, [[se.edition, new]])
    raise NoRecord("no guest session another organisation's person could give")


def file_a_guest_session_under_a_slot_the_programme_lacks(s: Schedule) -> Breach:
    """An optional slot's session filed under another slot name (the slot left empty is a penalty only)."""
    for se, ed, g, slot in sessions(s):
        if slot.required or not may_change(s, se, g):
            continue
        listed = {x.id for x in ed.item.guest_slots}
        unknown = f"{slot.id} (not in the programme)"
        while unknown in listed:
            unknown += "+"
        return Breach(edit(s, editions=replaced(s, with_session(se, g, slot=unknown))), [[se.edition]])
    raise NoRecord("no session of an optional slot")


def fill_a_guest_slot_twice(s: Schedule) -> Breach:
    """A second person (of no country: no country presents twice) gives a slot already filled."""
    for se, _, g, slot in sessions(s):
        broken, _ = add_a_guest(s, se, g, slot.id, "second", country=None)
        if quiet(broken, broken.by_edition[se.edition]):
            return Breach(broken, [[se.edition]])
    raise NoRecord("no guest slot a second person could fill within the quotas")


def swap_a_guest_for_a_whole_course_trainer(s: Schedule) -> Breach:
    for se, _, g, _ in sessions(s):
        if may_change(s, se, g):
            broken, new = swap_guest(s, se, g, "courses only", role="trainer")
            return Breach(broken, [[se.edition, new]])
    raise NoRecord("no guest session that could change hands")


def swap_in_an_unqualified_guest(s: Schedule) -> Breach:
    for se, _, g, _ in sessions(s):
        if may_change(s, se, g):
            broken, new = swap_guest(s, se, g, "unqualified", topics=[], modules=[])
            return Breach(broken, [[se.edition, new]])
    raise NoRecord("no guest session that could change hands")


def swap_in_a_guest_speaking_none_of_the_courses_languages(s: Schedule) -> Breach:
    """The course's language and those it is interpreted into are all a guest may speak in."""
    p = s.problem
    for se, ed, g, _ in sessions(s):
        heard = {ed.item.language, *ed.item.interpretation}
        other = next((c for c in [*p.languages, "xx"] if c not in heard and (c in p.languages or not p.languages)),
                     None)
        if other is not None and may_change(s, se, g):
            broken, new = swap_guest(s, se, g, f"speaks {other} only", languages=[other])
            return Breach(broken, [[se.edition, new]])
    raise NoRecord("no guest session that could change hands")


def name_a_guest_nobody_knows(s: Schedule) -> Breach:
    known = s.problem.trainer_by_id
    for se, _, g, _ in sessions(s):
        if may_change(s, se, g):
            nobody = next(f"nobody {k}" for k in range(1, len(known) + 2) if f"nobody {k}" not in known)
            return Breach(edit(s, editions=replaced(s, with_session(se, g, person=nobody))), [[se.edition, nobody]])
    raise NoRecord("no guest session that could change hands")


def empty_a_required_guest_slot(s: Schedule) -> Breach:
    for se, _, g, slot in sessions(s):
        if slot.required and may_change(s, se, g):
            return Breach(edit(s, editions=replaced(s, without_session(se, g))), [[se.edition]])
    raise NoRecord("no required guest slot whose session could go")


def require_a_guest_slot_an_edition_leaves_empty(s: Schedule) -> Breach:
    for se, ed in placed(s):
        filled = {g.slot for g in se.guests}
        for slot in ed.item.guest_slots:
            if slot.required or slot.id in filled:
                continue

            def change(data: Raw, topic: str = ed.topic.id, slot_id: str = slot.id) -> None:
                slots = record(data, "programme", topic)["guest_slots"]
                next(x for x in slots if x["id"] == slot_id)["required"] = True

            empty = [[e.edition] for e in s.editions
                     if e.topic == ed.topic.id and slot.id not in {g.slot for g in e.guests}]
            return Breach(with_problem(s, change), empty)
    raise NoRecord("no optional guest slot left empty")


def add_a_second_representative_of_a_country(s: Schedule) -> Breach:
    """A compatriot of an edition's country representative gives a new slot of the edition's programme item."""
    for se, ed, g, _ in sessions(s):
        person = s.problem.trainer_by_id[g.person]
        if not person.country:
            continue
        taken = {x.id for x in ed.item.guest_slots}
        slot_id = next(f"{g.slot} {k}" for k in range(2, len(taken) + 3) if f"{g.slot} {k}" not in taken)

        def new_slot(data: Raw, topic: str = ed.topic.id, slot_id: str = slot_id,
                     org: str = person.organisation) -> None:
            record(data, "programme", topic)["guest_slots"].append(
                {"id": slot_id, "organisations": [org], "title": "A second voice"})

        grown = with_problem(s, new_slot)
        broken, _ = add_a_guest(grown, grown.by_edition[se.edition], g, slot_id, "compatriot")
        there = broken.by_edition[se.edition]
        if needs_met(broken.problem, there) and within_limits(broken):
            return Breach(broken, [[se.edition, person.country]])
    raise NoRecord("no country representative among the guests")


def give_a_guest_the_country_of_another_guest_of_their_edition(s: Schedule) -> Breach:
    p = s.problem
    people = p.trainer_by_id
    for se in s.editions:
        for a in se.guests:
            country = people[a.person].country
            for b in se.guests:
                if not country or b.person == a.person or people[b.person].country == country:
                    continue

                def change(data: Raw, who: str = b.person, country: str = country) -> None:
                    record(data, "trainers", who)["country"] = country

                broken = with_problem(s, change)
                return Breach(broken, [[e.edition, c] for e in broken.editions
                                       for c in countries_twice(broken.problem, e)])
    raise NoRecord("no edition with a country representative and another guest")


def book_a_guest_on_a_day_they_teach_elsewhere(s: Schedule) -> Breach:
    """A guest who may teach whole courses joins the team of another course running on their session's day."""
    p = s.problem
    rules = p.team_rules
    for a, _, g, _ in sessions(s):
        tr = p.trainer_by_id[g.person]
        for b in s.editions:
            if (b.edition == a.edition or g.day not in b.days or g.person in b.trainers
                    or len(b.trainers) >= rules.max_trainers or not can_join(s, tr, b)):
                continue
            genders = {p.trainer_by_id[t].gender for t in [*b.trainers, g.person]}
            if rules.mixed_gender == "hard" and not {"woman", "man"} <= genders:
                continue
            broken = edit(s, editions=replaced(s, b.model_copy(update={"trainers": [*b.trainers, g.person]})))
            if within_limits(broken):
                return Breach(broken, clashes_with(s, g.person, b))
    raise NoRecord("no guest who could join a team running on their session's day")


def have_a_team_member_give_a_guest_session_of_their_course(s: Schedule) -> Breach:
    """A member of the team, of an organisation of the slot, gives one of its guest sessions too: twice
    on that day in one edition."""
    p = s.problem
    for se, ed, g, slot in sessions(s):
        heard = {ed.item.language, *ed.item.interpretation}
        for t in se.trainers:
            tr = p.trainer_by_id[t]
            if (not tr.gives_sessions or tr.organisation not in slot.organisations or not tr.can_teach(ed.topic)
                    or not heard & set(tr.languages)):
                continue
            there = with_session(se, g, person=t)
            broken = edit(s, editions=replaced(s, there))
            if quiet(broken, there):
                return Breach(broken, [[t, se.edition]])
    raise NoRecord("no team member who may give a guest session of their course")


def make_a_guest_unavailable_on_their_day(s: Schedule) -> Breach:
    _, _, g, _ = sessions(s)[0]

    def change(data: Raw) -> None:
        record(data, "trainers", g.person)["unavailable"].append({"start": g.day, "end": g.day, "reason": "mission"})

    return Breach(with_problem(s, change),
                  [[e.edition, g.person] for e in s.editions if (g.person, g.day) in delivered(e)])


def take_away_the_guest_who_brings_the_lead_agency(s: Schedule) -> Breach:
    """An edition whose lead agency only guests of optional slots bring loses them."""
    p = s.problem
    for se, ed in placed(s):
        leads = [need.organisations for need in p.team_needs(ed.item) if need.rule == LEAD_AGENCY]
        slots = {slot.id: slot for slot in ed.item.guest_slots}
        if not leads:
            continue
        bringing = [g for g in se.guests if p.trainer_by_id[g.person].organisation in leads[0]]
        if not bringing or any(slots[g.slot].required for g in bringing):
            continue
        there = without_session(se, *bringing)
        if not needs_met(p, there):
            return Breach(edit(s, editions=replaced(s, there)), [[se.edition, *leads[0]]])
    raise NoRecord("no edition whose lead agency only guests of optional slots bring")


def put_a_guest_only_person_on_a_team(s: Schedule) -> Breach:
    se = _first_with_a_team(s)
    broken, new = swap_for_a_new_trainer(s, se, se.trainers[0], "guest only", role="guest")
    return Breach(broken, [[se.edition, new]])


def _the_busiest_guest(s: Schedule) -> str:
    """Of the people giving guest sessions, the one with the most days, one on no team first."""
    givers = [g.person for _, _, g, _ in sessions(s)]
    on_teams = {t for se in s.editions for t in se.trainers}
    days = trainer_days(s)
    return max(givers, key=lambda t: (t not in on_teams, days[t]))


def lower_a_guests_month_limit(s: Schedule, by: int = 1) -> Breach:
    guest = _the_busiest_guest(s)
    most = max(n for (t, _), n in trainer_month_days(s).items() if t == guest)

    def change(data: Raw) -> None:
        record(data, "trainers", guest)["max_days_per_month"] = most - by

    return Breach(with_problem(s, change), [[guest]])


def lower_a_guests_year_limit(s: Schedule, by: int = 1) -> Breach:
    guest = _the_busiest_guest(s)
    days = trainer_days(s)[guest]

    def change(data: Raw) -> None:
        record(data, "trainers", guest)["max_days_per_year"] = days - by

    return Breach(with_problem(s, change), [[guest]])


def give_the_guests_organisation_a_quota_below_its_days(s: Schedule, by: int = 1) -> Breach:
    """The organisation of the most guest days, one without a team member first, a quota below its days."""
    p = s.problem
    org_of = {t.id: t.organisation for t in p.trainers}
    guest_orgs = {org_of[g.person] for _, _, g, _ in sessions(s)}
    team_orgs = {org_of[t] for se in s.editions for t in se.trainers}
    by_org: Counter[str] = Counter()
    for t, n in trainer_days(s).items():
        by_org[org_of[t]] += n
    org = max(sorted(guest_orgs), key=lambda o: (o not in team_orgs, by_org[o]))

    def change(data: Raw) -> None:
        record(data, "organisations", org)["trainer_day_quota"] = by_org[org] - by

    return Breach(with_problem(s, change), [[org]])


# -- participants


def seat_a_nominee_in_a_topic_they_were_not_nominated_for(s: Schedule) -> Breach:
    p = s.problem
    filled: Counter[tuple[str, str]] = Counter((a.edition, a.mode) for a in s.allocations)
    for n in p.nominations:
        for se, ed in placed(s):
            if ed.topic.id in n.topics or months(se) & set(n.unavailable_months):
                continue
            for mode in modes_for(n.mode, se.mode):
                if filled[(se.edition, mode)] < seat_capacity(p, se)[mode]:
                    seat = Allocation(nominee=n.id, edition=se.edition, mode=mode)  # type: ignore[arg-type]
                    return Breach(edit(s, allocations=[*s.allocations, seat]), [[n.id, se.edition]])
    raise NoRecord("no nominee and edition of another topic with a seat to spare")


def plan_fewer_seats_than_are_taken(s: Schedule, by: int = 1) -> Breach:
    filled: Counter[tuple[str, str]] = Counter((a.edition, a.mode) for a in s.allocations)
    if not filled:
        raise NoRecord("nobody is seated")
    (eid, mode), most = filled.most_common(1)[0]
    topic = s.by_edition[eid].topic
    field = f"participants_{mode}"

    def change(data: Raw) -> None:
        record(data, "programme", topic)[field] = most - by

    broken = with_problem(s, change)
    over = [[e.edition] for e in broken.editions
            if e.topic == topic and filled[(e.edition, mode)] > seat_capacity(broken.problem, e)[mode]]
    return Breach(broken, over)


def seat_a_nominee_in_a_second_edition_of_a_topic(s: Schedule) -> Breach:
    p = s.problem
    filled: Counter[tuple[str, str]] = Counter((a.edition, a.mode) for a in s.allocations)
    taken = {(a.nominee, s.by_edition[a.edition].topic): s.by_edition[a.edition] for a in s.allocations}
    for a in s.allocations:
        n = p.nomination_by_id[a.nominee]
        first = s.by_edition[a.edition]
        for se, _ in placed(s):
            if se.topic != first.topic or se is first or months(se) & set(n.unavailable_months):
                continue
            ready = all(pr.before in n.completed or ((n.id, pr.before) in taken
                                                     and gap(taken[(n.id, pr.before)], se) >= pr.min_gap_days)
                        for pr in prerequisites_of(p, se.topic))
            for mode in modes_for(n.mode, se.mode) if ready else []:
                if filled[(se.edition, mode)] < seat_capacity(p, se)[mode]:
                    seat = Allocation(nominee=n.id, edition=se.edition, mode=mode)  # type: ignore[arg-type]
                    return Breach(edit(s, allocations=[*s.allocations, seat]), [[n.id, se.topic]])
    raise NoRecord("no topic with two editions a seated nominee could also attend")


def ask_for_the_other_mode_than_the_seat(s: Schedule) -> Breach:
    n, seats = _nominee_with_fewest_seats(s, lambda seats: len({a.mode for a in seats}) == 1)
    other = "online" if seats[0].mode == "in_person" else "in_person"

    def change(data: Raw) -> None:
        record(data, "nominations", n)["mode"] = other

    return Breach(with_problem(s, change), [[n, a.edition] for a in seats])


def make_a_nominee_away_in_the_month_of_their_course(s: Schedule) -> Breach:
    """Away in the last month of a course, one running in two months if any: every month counts."""
    if not s.allocations:
        raise NoRecord("nobody is seated")
    mine = seats_by_nominee(s)

    def spare(a: Allocation) -> bool:
        """The edition keeps its minimum of free nominees with one more away (edition_has_enough_requests)."""
        se = s.by_edition[a.edition]
        least = s.problem.edition_by_id[a.edition].item.min_participants
        return free_in_its_months(asking(s.problem, se.topic), se) > least

    seat = min([a for a in s.allocations if spare(a)] or s.allocations,
               key=lambda a: (len(months(s.by_edition[a.edition])) == 1, len(mine[a.nominee])))
    n, seats = seat.nominee, mine[seat.nominee]
    away = month(s.by_edition[seat.edition].end)

    def change(data: Raw) -> None:
        record(data, "nominations", n)["unavailable_months"].append(away)

    return Breach(with_problem(s, change), [[n, a.edition] for a in seats if away in months(s.by_edition[a.edition])])


def give_a_nominee_only_a_language_their_course_is_not_held_in(s: Schedule) -> Breach:
    """A seated nominee follows only a language their edition is neither held in nor interpreted into.

    Every seat of theirs in an edition not held in that language breaks the rule.
    """
    if not s.allocations:
        raise NoRecord("nobody is seated")
    p = s.problem
    seat = s.allocations[0]
    item = p.edition_by_id[seat.edition].item
    held = {item.language, *item.interpretation}
    other = next((code for code in [*p.languages, "xx"] if code not in held and (code in p.languages
                                                                               or not p.languages)), None)
    if other is None:
        raise NoRecord("every language of the problem is held in the course")

    def change(data: Raw) -> None:
        record(data, "nominations", seat.nominee)["languages"] = [other]

    def breaks(a: Allocation) -> bool:
        it = p.edition_by_id[a.edition].item
        return other not in {it.language, *it.interpretation}

    mine = seats_by_nominee(s)[seat.nominee]
    return Breach(with_problem(s, change), [[seat.nominee, a.edition] for a in mine if breaks(a)])


def take_away_a_nominees_prerequisite_seat(s: Schedule) -> Breach:
    p = s.problem
    for n, seats in seats_by_nominee(s).items():
        nomination = p.nomination_by_id[n]
        mine = {s.by_edition[a.edition].topic: a for a in seats}
        for topic in mine:
            for pr in prerequisites_of(p, topic):
                if pr.before in nomination.completed or pr.before not in mine:
                    continue
                kept = [a for a in s.allocations if a is not mine[pr.before]]
                broken = edit(s, allocations=kept)
                return Breach(broken, _without_prerequisite(broken, n))
    raise NoRecord("no nominee seated in a topic and in its prerequisite")


def ask_more_participants_than_are_free_in_an_edition(s: Schedule, by: int = 1) -> Breach:
    """A topic's minimum of participants one more than the fewest of its nominees free in an
    edition's months: that edition breaks the rule, and the topic too when its editions, each at
    the minimum, would need more nominees than asked for it. A topic whose editions would not
    comes first (some of its nominees away when one edition runs). At the limit (``by=0``): only
    a topic whose requests fill all its editions."""
    p = s.problem
    candidates = []
    for topic, editions in _by_topic(s).items():
        nominees = asking(p, topic)
        least = min(free_in_its_months(nominees, se) for se in editions) + by
        filled = len(editions) * least <= len(nominees)
        if least < 1 or least > planned_seats(p, topic) or (not by and not filled):
            continue
        short = [[se.edition] for se in editions if free_in_its_months(nominees, se) < least]
        candidates.append((not filled, topic, least, short + ([] if filled else [[topic]])))
    if not candidates:
        raise NoRecord("no topic on the calendar that a nominee asked for")
    _, topic, least, records = min(candidates, key=lambda c: c[0])

    def change(data: Raw) -> None:
        record(data, "programme", topic)["min_participants"] = least

    return Breach(with_problem(s, change), records)


def ask_a_minimum_the_requests_fill_for_fewer_editions_than_run(s: Schedule, by: int = 1) -> Breach:
    """A topic of two editions or more: a minimum of participants its nominees fill for one edition
    fewer than run, each edition with that many of them free in its months (only the topic breaks)."""
    p = s.problem
    for topic, editions in _by_topic(s).items():
        nominees = asking(p, topic)
        least = len(nominees) // len(editions) + by
        if (len(editions) < 2 or least < 1 or least > planned_seats(p, topic)
                or any(free_in_its_months(nominees, se) < least for se in editions)):
            continue

        def change(data: Raw, topic: str = topic, least: int = least) -> None:
            record(data, "programme", topic)["min_participants"] = least

        return Breach(with_problem(s, change), [[topic]] if by else [])
    raise NoRecord("no topic with two editions, each with nominees enough free in its months")


def participant_groups(s: Schedule) -> dict[str, tuple[int, int]]:
    """(women, participants of known gender) of each edition with participants."""
    p = s.problem
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in s.allocations:
        gender = p.nomination_by_id[a.nominee].gender
        groups[a.edition][0] += gender == "woman"
        groups[a.edition][1] += gender in KNOWN_GENDERS
    return {e: (w, n) for e, (w, n) in groups.items()}


def set_a_hard_participants_band_an_edition_misses(s: Schedule) -> Breach:
    band, missed = band_missed_by_the_lowest(participant_groups(s))

    def change(data: Raw) -> None:
        data["targets"]["participants_edition"] = band

    return Breach(with_problem(s, change), [[e] for e in missed])


def country_shares(s: Schedule) -> tuple[Counter[tuple[str, str]], dict[str, int], list[Fraction]]:
    """Participants per (edition, country), each edition's seats, and the countries' shares, largest first."""
    p = s.problem
    counts = Counter((a.edition, p.nomination_by_id[a.nominee].country) for a in s.allocations)
    if not counts:
        raise NoRecord("nobody is seated")
    seats = {e: sum(seat_capacity(p, s.by_edition[e]).values()) for e, _ in counts}
    return counts, seats, sorted({Fraction(k, seats[e]) for (e, _), k in counts.items()}, reverse=True)


def set_a_hard_country_cap_an_edition_exceeds(s: Schedule) -> Breach:
    counts, seats, shares = country_shares(s)
    if len(shares) >= 2:
        cap = shares[1]  # the largest share but one: only the editions at the largest exceed it
    else:
        (e, _), k = counts.most_common(1)[0]
        cap = Fraction(k - 1, seats[e]) if k > 1 else Fraction(1, 2 * seats[e])
    most = {e: math.floor(read_share(cap) * n) for e, n in seats.items()}
    over = [[e, country] for (e, country), k in counts.items() if k > most[e]]

    def change(data: Raw) -> None:
        data["targets"]["country_cap_edition"] = {"max_share": float(cap), "mode": "hard"}

    return Breach(with_problem(s, change), over)


# -- near misses: at the limit exactly, nothing breaks


def women_share_band_met(scope: str) -> Callable[[Schedule], Schedule]:
    def near_miss(s: Schedule) -> Schedule:
        band = band_met_by_all(trainer_day_groups(s, scope))
        return with_problem(s, lambda data: data["targets"].update({f"trainer_days_{scope}": band}))

    return near_miss


def participants_band_met(s: Schedule) -> Schedule:
    band = band_met_by_all(participant_groups(s))
    return with_problem(s, lambda data: data["targets"].update(participants_edition=band))


def country_cap_met(s: Schedule) -> Schedule:
    largest = country_shares(s)[2][0]
    return with_problem(s, lambda data: data["targets"].update(
        country_cap_edition={"max_share": float(largest), "mode": "hard"}))


def guests_away_on_their_courses_other_days(s: Schedule) -> Schedule:
    """Each guest away on every day of their course they give nothing: only their own day counts."""
    away: dict[str, list[date]] = defaultdict(list)
    busy = {pair for se in s.editions for pair in delivered(se)}
    for se, _, g, _ in sessions(s):
        away[g.person] += [d for d in se.days if (g.person, d) not in busy]
    if not any(away.values()):
        raise NoRecord("no guest of a course of two days or more")

    def change(data: Raw) -> None:
        for person, days in away.items():
            record(data, "trainers", person)["unavailable"] += [{"start": d, "end": d, "reason": "at the ministry"}
                                                                for d in sorted(set(days))]

    return with_problem(s, change)


def at_the_limit(mutation: Callable[..., Breach]) -> Callable[[Schedule], Schedule]:
    return lambda s: mutation(s, by=0).schedule


def _a_man_joins_a_course_of_one_group(s: Schedule) -> Schedule:
    """A third trainer, a man like one of the team, joins a course within one month."""
    p = s.problem
    for se in s.editions:
        if len(se.trainers) >= p.team_rules.max_trainers or len(months(se)) > 1:
            continue
        for t in se.trainers:
            if p.organisation_by_id[p.trainer_by_id[t].organisation].trainer_day_quota is None:
                return join_a_new_trainer(s, se, t, "man", gender="man")
    raise NoRecord("no team with room for one more trainer")


def _first_with_a_team(s: Schedule) -> ScheduledEdition:
    for se in s.editions:
        if se.trainers:
            return se
    raise NoRecord("no edition with a team")


def _by_topic(s: Schedule) -> dict[str, list[ScheduledEdition]]:
    out: dict[str, list[ScheduledEdition]] = defaultdict(list)
    for se in s.editions:
        out[se.topic].append(se)
    return out


def _path(p: Problem, start: str, goal: str, skip: int) -> bool:
    """Whether prerequisites other than the ``skip``-th lead from ``start`` to ``goal``."""
    edges = defaultdict(list)
    for i, pr in enumerate(p.prerequisites):
        if i != skip:
            edges[pr.before].append(pr.after)
    seen, todo = set(), [start]
    while todo:
        t = todo.pop()
        if t == goal:
            return True
        if t not in seen:
            seen.add(t)
            todo += edges[t]
    return False


def _nominee_with_fewest_seats(s: Schedule, ok: Callable[[list[Allocation]], bool]) -> tuple[str, list[Allocation]]:
    candidates = [(n, seats) for n, seats in seats_by_nominee(s).items() if ok(seats)]
    if not candidates:
        raise NoRecord("nobody is seated")
    return min(candidates, key=lambda c: len(c[1]))


def _without_prerequisite(s: Schedule, nominee: str) -> list[list[str]]:
    """The records of each seat of the nominee that lacks a prerequisite taken in time."""
    p = s.problem
    n = p.nomination_by_id[nominee]
    mine = {s.by_edition[a.edition].topic: s.by_edition[a.edition] for a in s.allocations if a.nominee == nominee}
    return [[nominee, se.edition] for topic, se in mine.items()
            for pr in prerequisites_of(p, topic)
            if pr.before not in n.completed
            and not (pr.before in mine and gap(mine[pr.before], se) >= pr.min_gap_days)]


# ------------------------------------------------------------------------------ the table

# Every hard rule, calendar and seats, with the mutations that break it. ``also`` lists the
# rules that necessarily break with it, each with the reason in a comment.
MUTATIONS: tuple[Mutation, ...] = (
    Mutation("mandatory_edition_scheduled", "drop a mandatory edition", drop_a_mandatory_edition),
    Mutation("course_on_consecutive_working_days", "declare a holiday on a course day",
             declare_a_holiday_on_a_course_day),
    Mutation("course_on_consecutive_working_days", "move a course onto a weekend", move_onto_a_weekend),
    Mutation("course_on_consecutive_working_days", "leave a working day out of a course",
             leave_a_working_day_out_of_a_course),
    Mutation("course_on_consecutive_working_days", "run a course over a weekend", run_a_course_over_a_weekend),
    Mutation("course_length_within_range", "cut a day below the shortest length", cut_a_day_below_the_shortest),
    Mutation("edition_within_its_window", "close the window before the course ends",
             close_the_window_before_the_end),
    Mutation("room_fits_the_edition", "plan more participants than the room seats",
             plan_more_participants_than_the_room_seats),
    Mutation("room_fits_the_edition", "hold a hybrid course in a room without streaming",
             hold_a_hybrid_course_in_a_room_without_streaming),
    Mutation("room_fits_the_edition", "interpret a course into more languages than its room has booths",
             interpret_a_course_into_more_languages_than_its_room_has_booths),
    Mutation("room_fits_the_edition", "hold an edition outside the venues its programme names",
             hold_an_edition_outside_its_venues),
    Mutation("room_open", "close the room on a course day", close_the_room_on_a_course_day),
    Mutation("room_open", "close the venue on a course day", close_the_venue_on_a_course_day),
    Mutation("room_not_double_booked", "put two editions in one room at once", put_two_editions_in_one_room),
    Mutation("online_stream_limit", "lower the platform below the streams", lower_the_platform_below_the_streams),
    Mutation("trainer_qualified", "swap in an unqualified trainer", swap_in_an_unqualified_trainer),
    Mutation("trainer_qualified", "swap in a trainer without the language", swap_in_a_trainer_without_the_language),
    Mutation("trainer_qualified", "put a guest-only person on a team", put_a_guest_only_person_on_a_team),
    Mutation("trainer_available", "make a trainer unavailable on a course day", make_a_trainer_unavailable),
    Mutation("trainer_available", "make a guest unavailable on their day", make_a_guest_unavailable_on_their_day),
    Mutation("trainer_not_double_booked", "book a trainer in two courses at once", book_a_trainer_twice),
    Mutation("trainer_not_double_booked", "book a guest on a day they teach elsewhere",
             book_a_guest_on_a_day_they_teach_elsewhere),
    Mutation("trainer_not_double_booked", "have a team member give a guest session of their course",
             have_a_team_member_give_a_guest_session_of_their_course),
    Mutation("trainer_month_limit", "lower a trainer's month limit below their days", lower_a_trainers_month_limit),
    Mutation("trainer_month_limit", "lower a guest's month limit below their days", lower_a_guests_month_limit),
    Mutation("trainer_year_limit", "lower a trainer's year limit below their days", lower_a_trainers_year_limit),
    Mutation("trainer_year_limit", "lower a guest's year limit below their days", lower_a_guests_year_limit),
    Mutation("organisation_quota", "give an organisation a quota below its days",
             give_an_organisation_a_quota_below_its_days),
    Mutation("organisation_quota", "give the guests' organisation a quota below its days",
             give_the_guests_organisation_a_quota_below_its_days),
    Mutation("team_size_within_limits", "take a trainer off a smallest team", take_a_trainer_off_a_smallest_team),
    Mutation("team_size_within_limits", "add trainers beyond the largest team", add_trainers_beyond_the_largest_team),
    Mutation("team_covers_required_organisations", "swap in a trainer of another organisation",
             swap_in_a_trainer_of_another_organisation),
    Mutation("team_includes_a_lead_agency", "name a lead agency nobody on the team is from",
             name_a_lead_agency_nobody_on_the_team_is_from),
    Mutation("team_includes_a_lead_agency", "take away the guest who brings the lead agency",
             take_away_the_guest_who_brings_the_lead_agency),
    Mutation("guest_session_fits", "hold a guest session outside the course", hold_a_guest_session_outside_the_course),
    Mutation("guest_session_fits", "swap a guest for a person of another organisation",
             swap_a_guest_for_a_person_of_another_organisation),
    Mutation("guest_session_fits", "file a guest session under a slot the programme lacks",
             file_a_guest_session_under_a_slot_the_programme_lacks),
    Mutation("guest_session_fits", "fill a guest slot twice", fill_a_guest_slot_twice),
    Mutation("guest_session_fits", "swap a guest for a whole-course trainer", swap_a_guest_for_a_whole_course_trainer),
    Mutation("guest_session_fits", "swap in an unqualified guest", swap_in_an_unqualified_guest),
    Mutation("guest_session_fits", "swap in a guest speaking none of the course's languages",
             swap_in_a_guest_speaking_none_of_the_courses_languages),
    Mutation("guest_session_fits", "name a guest nobody knows", name_a_guest_nobody_knows),
    Mutation("guest_slot_filled", "empty a required guest slot", empty_a_required_guest_slot),
    Mutation("guest_slot_filled", "require a guest slot an edition leaves empty",
             require_a_guest_slot_an_edition_leaves_empty),
    Mutation("country_presents_once_per_edition", "add a second representative of a country",
             add_a_second_representative_of_a_country),
    Mutation("country_presents_once_per_edition", "give a guest the country of another guest of their edition",
             give_a_guest_the_country_of_another_guest_of_their_edition),
    Mutation("team_mixed_gender", "swap in a trainer of the same gender as the rest",
             swap_in_a_trainer_of_the_same_gender_as_the_rest),
    # A participant's prerequisites are the calendar's: the nominees seated in the edition that
    # now comes too early have not taken the prerequisite first either. And a nominee of the topic
    # that now comes second who neither took nor asked for the other can no longer sit it: its
    # requests may then fall short of its editions' minimum of participants.
    Mutation("prerequisite_finished_first", "reverse a prerequisite", reverse_a_prerequisite,
             also=("participant_prerequisite_taken", "edition_has_enough_requests")),
    Mutation("prerequisite_finished_first", "ask a longer gap than the prerequisite leaves",
             ask_a_longer_gap_than_the_prerequisite_leaves, also=("participant_prerequisite_taken",)),
    # A participant needs a prerequisite taken in time, not within its longest gap: nothing else breaks.
    Mutation("prerequisite_finished_first", "allow a shorter longest gap than the calendar leaves",
             allow_a_shorter_longest_gap_than_the_calendar_leaves),
    Mutation("edition_has_enough_requests", "ask more participants than are free in an edition's months",
             ask_more_participants_than_are_free_in_an_edition),
    Mutation("edition_has_enough_requests", "ask a minimum the requests fill for fewer editions than run",
             ask_a_minimum_the_requests_fill_for_fewer_editions_than_run),
    Mutation("pinned_edition_kept", "pin an edition a week away", pin_an_edition_elsewhere_in_time),
    Mutation("pinned_edition_kept", "pin an edition to another room", pin_an_edition_to_another_room),
    Mutation("budget_within_cap", "set a budget below the cost", set_a_budget_below_the_cost),
    Mutation("budget_within_quarter_caps", "set a quarter's cap below what the editions starting in it cost",
             set_a_quarter_cap_below_its_cost),
    Mutation("budget_within_quarter_caps", "cap a quarter at its calendar's cost, without its seats' fares",
             cap_a_quarter_at_its_calendar_cost_without_the_seats),
    Mutation("trainer_days_women_share_year", "set a hard year band the calendar misses",
             women_share_band_missed("year")),
    Mutation("trainer_days_women_share_module", "set a hard module band a module misses",
             women_share_band_missed("module")),
    Mutation("trainer_days_women_share_month", "set a hard month band a month misses",
             women_share_band_missed("month")),
    Mutation("participant_nominated_for_the_edition", "seat a nominee in a topic they were not nominated for",
             seat_a_nominee_in_a_topic_they_were_not_nominated_for),
    Mutation("participant_seats_within_capacity", "plan fewer seats than are taken", plan_fewer_seats_than_are_taken),
    Mutation("participant_one_edition_per_topic", "seat a nominee in a second edition of a topic",
             seat_a_nominee_in_a_second_edition_of_a_topic),
    Mutation("participant_mode_compatible", "ask for the other mode than the seat",
             ask_for_the_other_mode_than_the_seat),
    Mutation("participant_follows_the_language", "give a nominee only a language their course is not held in",
             give_a_nominee_only_a_language_their_course_is_not_held_in),
    Mutation("participant_available", "make a nominee away in the month of their course",
             make_a_nominee_away_in_the_month_of_their_course),
    Mutation("participant_prerequisite_taken", "take away a nominee's prerequisite seat",
             take_away_a_nominees_prerequisite_seat),
    Mutation("participants_women_share_edition", "set a hard participants band an edition misses",
             set_a_hard_participants_band_an_edition_misses),
    Mutation("country_within_cap", "set a hard country cap an edition exceeds",
             set_a_hard_country_cap_an_edition_exceeds),
)

# The limits above set exactly at what the calendar uses: a checker that counts one too many,
# or rounds a share the wrong way, reports a breach here.
NEAR_MISSES: tuple[tuple[str, Callable[[Schedule], Schedule]], ...] = (
    ("a window closing the day the course ends", at_the_limit(close_the_window_before_the_end)),
    ("a platform carrying the most streams at once", at_the_limit(lower_the_platform_below_the_streams)),
    ("a month limit of the busiest trainer-month's days", at_the_limit(lower_a_trainers_month_limit)),
    ("a year limit of the busiest trainer's days", at_the_limit(lower_a_trainers_year_limit)),
    ("a quota of the busiest organisation's days", at_the_limit(give_an_organisation_a_quota_below_its_days)),
    ("a month limit of a guest's days", at_the_limit(lower_a_guests_month_limit)),
    ("a year limit of a guest's days", at_the_limit(lower_a_guests_year_limit)),
    ("a quota of the guests' organisation's days", at_the_limit(give_the_guests_organisation_a_quota_below_its_days)),
    ("guests away on their courses' other days", guests_away_on_their_courses_other_days),
    ("a prerequisite's shortest gap as the calendar leaves it",
     at_the_limit(ask_a_longer_gap_than_the_prerequisite_leaves)),
    ("a prerequisite's longest gap as the calendar leaves it",
     at_the_limit(allow_a_shorter_longest_gap_than_the_calendar_leaves)),
    ("a minimum of participants as many as the fewest free in an edition's months",
     at_the_limit(ask_more_participants_than_are_free_in_an_edition)),
    ("a minimum of participants the requests fill for every edition that runs",
     at_the_limit(ask_a_minimum_the_requests_fill_for_fewer_editions_than_run)),
    ("a budget of the calendar's cost", at_the_limit(set_a_budget_below_the_cost)),
    ("a quarter's cap of what the editions starting in it cost", at_the_limit(set_a_quarter_cap_below_its_cost)),
    ("every quarter capped at what starts in it, 0 where an edition only runs on",
     cap_every_quarter_at_what_starts_in_it),
    ("a hard year band at the year's share", women_share_band_met("year")),
    ("a hard module band from the lowest module's share to the highest", women_share_band_met("module")),
    ("a hard month band from the lowest month's share to the highest", women_share_band_met("month")),
    ("the planned seats of the fullest edition", at_the_limit(plan_fewer_seats_than_are_taken)),
    ("a hard participants band from the lowest edition's share to the highest", participants_band_met),
    ("a hard country cap at the largest country's share", country_cap_met),
)
