"""The checker reads each edition in the mode it is scheduled in (``se.mode``), on hand-built calendars.

All on ``tiny`` (tests/instances/tiny.py), no solve: room HALL (30 seats, hybrid, 40 online seats,
100 USD a day), room B (20 seats, not hybrid, 40 USD a day). M1.T1 plans 20 participants in person
and 10 online, M2.T1 15 in person; the variants below give them a choice of modes.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from model.check import check, kpis
from model.compare import diff
from model.problem import Mode, Problem
from model.rules import RULES, Reading
from model.schedule import Allocation, Schedule, ScheduledEdition
from tests.instances.tiny import problem_of, record, tiny_data


def on(p: Problem, edition: str, first: date, n: int, room: str | None, trainers: list[str],
       mode: Mode) -> ScheduledEdition:
    """``edition`` run in ``mode`` on ``n`` consecutive days from ``first``."""
    return ScheduledEdition.place(p, edition, [first + timedelta(days=i) for i in range(n)], room, trainers,
                                  mode=mode)


def breaches(rule: str, schedule: Schedule) -> list[str]:
    """What one hard rule's checker says of the calendar."""
    check_rule = RULES[rule].check
    assert check_rule is not None
    return [b.message for b in check_rule(Reading(schedule))]


def hybrid_or_in_person(**platform: Any) -> dict[str, Any]:
    """M1.T1 may run hybrid (preferred) or in person, two editions of 2 days."""
    data = tiny_data()
    record(data, "programme", "M1.T1").update(modes=["hybrid", "in_person"], editions=2, duration_days=2)
    data["platform"] = platform
    return data


def in_person_or_online() -> dict[str, Any]:
    """M2.T1 may run in person (preferred) or online; T1 comes from afar (a 300 USD trip)."""
    data = tiny_data()
    record(data, "topics", "M2.T1")["modes"] = ["in_person", "online"]
    record(data, "programme", "M2.T1").update(modes=["in_person", "online"])
    record(data, "trainers", "T1")["travel_usd"] = 300
    return data


TUESDAY = date(2027, 3, 2)


# ------------------------------------------------------------------------------ the mode itself


@pytest.mark.parametrize(("data", "edition", "room", "mode", "message"), [
    # M2.T1 runs in person only: hybrid in HALL (which holds it) is still not its mode.
    (tiny_data, "M2.T1#1", "HALL", "hybrid", "M2.T1#1 is marked hybrid; the programme allows in_person"),
    # ... nor online, without a room.
    (tiny_data, "M2.T1#1", None, "online", "M2.T1#1 is marked online; the programme allows in_person"),
    # M1.T1 chooses between hybrid and in person; online is neither.
    (hybrid_or_in_person, "M1.T1#1", None, "online",
     "M1.T1#1 is marked online; the programme allows hybrid, in_person"),
])
def test_an_edition_in_a_mode_not_among_its_modes_is_a_breach(data: Any, edition: str, room: str | None,
                                                              mode: Mode, message: str) -> None:
    p = problem_of(data())
    schedule = Schedule(problem=p, editions=[on(p, edition, TUESDAY, 2, room, ["T1", "T4"], mode)])
    assert breaches("room_fits_the_edition", schedule) == [message]


def test_an_edition_in_one_of_its_modes_is_no_breach() -> None:
    p = problem_of(hybrid_or_in_person())
    schedule = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "hybrid"),
                                             on(p, "M1.T1#2", TUESDAY, 2, "B", ["T2", "T3"], "in_person")])
    assert breaches("room_fits_the_edition", schedule) == []


# ------------------------------------------------------------------------------ room fit by mode


def test_room_fit_is_judged_in_the_mode_scheduled() -> None:
    # Room B (20 seats, not hybrid) holds M1.T1 in person (20 seats planned, none online), not hybrid.
    p = problem_of(hybrid_or_in_person())
    in_person = on(p, "M1.T1#1", TUESDAY, 2, "B", ["T1", "T4"], "in_person")
    assert (in_person.participants_in_person, in_person.participants_online) == (20, 0)
    assert breaches("room_fits_the_edition", Schedule(problem=p, editions=[in_person])) == []
    hybrid = on(p, "M1.T1#1", TUESDAY, 2, "B", ["T1", "T4"], "hybrid")
    assert breaches("room_fits_the_edition", Schedule(problem=p, editions=[hybrid])) == [
        "M1.T1#1 is hybrid but room B is not hybrid-equipped"]


def test_a_room_mode_needs_a_room_and_online_has_none() -> None:
    p = problem_of(in_person_or_online())
    roomless = on(p, "M2.T1#1", TUESDAY, 2, None, ["T1", "T4"], "in_person")
    assert breaches("room_fits_the_edition", Schedule(problem=p, editions=[roomless])) == [
        "M2.T1#1 is in person and needs a room; it has none"]
    roomed = on(p, "M2.T1#1", TUESDAY, 2, "B", ["T1", "T4"], "online")
    assert breaches("room_fits_the_edition", Schedule(problem=p, editions=[roomed])) == [
        "M2.T1#1 is online but booked in room B"]


def test_the_seats_of_an_in_person_edition_are_its_in_person_seats() -> None:
    # M1.T1 planned for 25 in person and 10 online: hybrid or in person, 25 seats in the room; B has 20.
    data = hybrid_or_in_person()
    record(data, "programme", "M1.T1")["participants_in_person"] = 25
    p = problem_of(data)
    se = on(p, "M1.T1#1", TUESDAY, 2, "B", ["T1", "T4"], "in_person")
    assert breaches("room_fits_the_edition", Schedule(problem=p, editions=[se])) == [
        "M1.T1#1: room B has 20 seats for 25 participants"]


# ------------------------------------------------------------------------------ the platform


def test_the_stream_limit_counts_a_hybrid_edition_and_not_an_in_person_one() -> None:
    # Both editions of M1.T1 run Tue 2 - Wed 3: #1 hybrid in HALL, #2 in person in B. One stream
    # each day: within a limit of 1; with none allowed, 1 over on each day (2 if #2 counted).
    def calendar(streams: int) -> Schedule:
        p = problem_of(hybrid_or_in_person(max_concurrent_streams=streams))
        return Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "hybrid"),
                                             on(p, "M1.T1#2", TUESDAY, 2, "B", ["T2", "T3"], "in_person")])

    assert breaches("online_stream_limit", calendar(1)) == []
    assert breaches("online_stream_limit", calendar(0)) == [
        "2027-03-02: 1 hybrid/online courses at once; the platform carries 0",
        "2027-03-03: 1 hybrid/online courses at once; the platform carries 0"]


def test_a_streamed_edition_needs_its_interpretation_on_the_platform() -> None:
    # M1.T1 interpreted into Russian, the platform without an interpretation channel: in person
    # (the room has a booth) it runs; hybrid, its online participants would not hear the Russian.
    data = hybrid_or_in_person()
    data["languages"] = ["en", "ru"]
    record(data, "programme", "M1.T1")["interpretation"] = ["ru"]
    for room in ("HALL", "B"):
        record(data, "rooms", room)["interpretation_booths"] = 1
    p = problem_of(data)
    in_person = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "in_person")])
    assert breaches("online_stream_limit", in_person) == []
    hybrid = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "hybrid")])
    assert breaches("online_stream_limit", hybrid) == [
        "M1.T1#1 is hybrid and interpreted into ru; the platform carries 0 channel(s) besides the course's"]


# ------------------------------------------------------------------------------ costs and seats


@pytest.mark.parametrize(("mode", "room", "travel", "room_cost"), [
    # In person in B: T1's 300 USD trip, and B at 40 a day.
    ("in_person", "B", 300, 80),
    # Online: nobody travels, no room.
    ("online", None, 0, 0),
])
def test_trainer_travel_counts_in_person_and_not_online(mode: Mode, room: str | None, travel: int,
                                                        room_cost: int) -> None:
    p = problem_of(in_person_or_online())
    se = on(p, "M2.T1#1", TUESDAY, 2, room, ["T1", "T4"], mode)
    schedule = Schedule(problem=p, editions=[se])
    # Fees 2 x (250 + 200) = 900 either way.
    assert Reading(schedule).edition_costs(se) == {
        "fees_usd": 900, "travel_usd": travel, "room_cost_usd": room_cost, "interpretation_usd": 0,
        "participant_fares_usd": 0, "participant_allowances_usd": 0}
    assert kpis(schedule).travel_usd == travel
    assert breaches("room_fits_the_edition", schedule) == []


def test_an_online_edition_seats_everyone_online() -> None:
    # Online, M2.T1's 15 planned seats are all online seats: N1 (either) sits online; N2 asked for
    # an in-person seat, which an online course does not offer.
    data = in_person_or_online()
    data["nominations"] = [
        {"id": "N1", "country": "Georgia", "audience": "government", "topics": ["M2.T1"]},
        {"id": "N2", "country": "Georgia", "audience": "government", "topics": ["M2.T1"], "mode": "in_person"},
    ]
    p = problem_of(data)
    se = on(p, "M2.T1#1", TUESDAY, 2, None, ["T1", "T4"], "online")
    assert (se.participants_in_person, se.participants_online) == (0, 15)
    schedule = Schedule(problem=p, editions=[se], allocations=[
        Allocation(nominee="N1", edition="M2.T1#1", mode="online"),
        Allocation(nominee="N2", edition="M2.T1#1", mode="in_person")])
    assert breaches("participant_mode_compatible", schedule) == [
        "nominee N2 asked for in-person seats and sits in person in M2.T1#1, an online course"]
    assert breaches("participant_seats_within_capacity", schedule) == [
        "M2.T1#1 seats 1 participants in person; it has 0 in-person seats"]


def test_a_pinned_mode_is_a_breach_when_another_runs() -> None:
    data = hybrid_or_in_person()
    data["pins"] = [{"edition": "M1.T1#1", "mode": "in_person"}]
    p = problem_of(data)
    hybrid = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "hybrid")])
    assert breaches("pinned_edition_kept", hybrid) == ["pinned M1.T1#1 runs hybrid, not in person"]
    in_person = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "in_person")])
    assert breaches("pinned_edition_kept", in_person) == []


def test_a_calendar_of_chosen_modes_breaks_no_hard_rule() -> None:
    # Both editions of M1.T1 at once, hybrid in HALL and in person in B, M2.T1 the week after:
    # the whole checker accepts it.
    p = problem_of(hybrid_or_in_person())
    schedule = Schedule(problem=p, editions=[
        on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "hybrid"),
        on(p, "M1.T1#2", TUESDAY, 2, "B", ["T2", "T3"], "in_person"),
        on(p, "M2.T1#1", date(2027, 3, 9), 2, "B", ["T1", "T4"], "in_person"),
    ])
    assert check(schedule) == []


def test_a_change_of_mode_alone_is_a_change_of_the_calendar() -> None:
    p = problem_of(hybrid_or_in_person())
    hybrid = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "hybrid")])
    in_person = Schedule(problem=p, editions=[on(p, "M1.T1#1", TUESDAY, 2, "HALL", ["T1", "T4"], "in_person")])
    changes = diff(hybrid, in_person).changes
    assert [(c.edition, c.kinds, c.describe()) for c in changes] == [
        ("M1.T1#1", ["mode"], "M1.T1#1: hybrid -> in person")]
