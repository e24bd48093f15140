"""Seating nominees: seats, one edition per topic, prerequisites per person, bands and caps.

All on ``tiny`` with the calendar pinned (M1.T1#1 Monday 1 - Wednesday 3 March, hybrid;
M2.T1#1 Monday 8 - Tuesday 9 March, in person) and a few planned seats, so that each
allocation can be derived by hand. Every target is off unless the test turns it on. A
nomination left out costs 100 points x 3 for a first choice, x 2 for a second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from model.check import allocation_objective, check, check_seats
from model.rules import PARTICIPANT_HARD_RULES, PARTICIPANT_SOFT_RULES
from model.schedule import Allocation, Schedule, ScheduledEdition
from scheduler import allocation as engine
from scheduler.solve import Result, solve
from tests.instances.tiny import problem_of, record, tiny_data
from tests.scheduler.solving import OPTIONS

OFF = {"trainer_days_year": {"mode": "off"}, "participants_edition": {"mode": "off"},
       "country_cap_edition": {"mode": "off"}}


def nominee(nid: str, topics: tuple[str, ...] = ("M1.T1",), gender: str = "woman", country: str = "Georgia",
            mode: str = "in_person", **more: Any) -> dict[str, Any]:
    return {"id": nid, "gender": gender, "country": country, "audience": "government", "topics": list(topics),
            "mode": mode, **more}


def problem_data(nominations: list[dict[str, Any]], *, m1: tuple[int, int] = (2, 0), m2: int = 2,
                 m2_editions: int = 1, **targets: Any) -> dict[str, Any]:
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, participants_in_person=m1[0],
                                              participants_online=m1[1])
    record(data, "programme", "M2.T1").update(participants_in_person=m2, editions=m2_editions)
    data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-01"},
                    {"edition": "M2.T1#1", "start": "2027-03-08"}]
    if m2_editions > 1:
        data["pins"].append({"edition": "M2.T1#2", "start": "2027-03-15"})
    data["targets"] = {**OFF, **targets}
    data["nominations"] = nominations
    return data


def seated(nominations: list[dict[str, Any]], **kw: Any) -> Result:
    """Solve, check the calendar and every seat without the solver, and compare objectives."""
    data = kw.pop("data", None) or problem_data(nominations, **kw)
    result = solve(problem_of(data), OPTIONS)
    assert result.found, str(result)
    assert check(result.schedule) == []
    report = result.report.allocation
    assert report is not None and report.status == "OPTIMAL", report
    assert report.objective == allocation_objective(result.schedule)
    assert report.bound == report.objective
    return result


def seats(result: Result) -> set[tuple[str, str, str]]:
    return {(a.nominee, a.edition, a.mode) for a in result.schedule.allocations}


def reasons(result: Result) -> dict[tuple[str, str], str]:
    return {(u.nominee, u.topic): u.reason for u in result.schedule.unplaced}


def objective(result: Result) -> float | None:
    assert result.report.allocation is not None
    return result.report.allocation.objective


def test_the_engine_rules_are_the_participant_rules() -> None:
    assert set(engine.HARD) | set(engine.BY_CONSTRUCTION) == {r.id for r in PARTICIPANT_HARD_RULES}
    assert list(engine.SOFT) == [r.id for r in PARTICIPANT_SOFT_RULES]


def test_without_nominations_nothing_is_allocated() -> None:
    result = solve(problem_of(tiny_data()), OPTIONS)
    assert result.schedule.allocations == [] and result.report.allocation is None


# ----------------------------------------------------------------------------- seats


def test_participant_seats_within_capacity() -> None:
    # M2.T1 has 2 seats. N1 and N2 ask for it first (3 each), N3 second (2): N1 and N2 take
    # them; N3 sits in M1.T1, their first choice. Left out: N3's M2.T1, 2 x 100 = 200.
    result = seated([nominee("N1", ("M2.T1",), "man"), nominee("N2", ("M2.T1",), "man"),
                     nominee("N3", ("M1.T1", "M2.T1"), "man")])
    assert seats(result) == {("N1", "M2.T1#1", "in_person"), ("N2", "M2.T1#1", "in_person"),
                             ("N3", "M1.T1#1", "in_person")}
    assert reasons(result) == {("N3", "M2.T1"): "all 2 in-person seats of M2.T1#1 are taken"}
    assert objective(result) == 200


def test_participant_seats_within_capacity_per_mode() -> None:
    # M1.T1 is hybrid with 2 in-person seats and 1 online seat: two online-only nominees
    # cannot both sit, though an in-person seat stays free. 300 points.
    result = seated([nominee("O1", mode="online"), nominee("O2", mode="online")], m1=(2, 1))
    assert {(e, m) for _, e, m in seats(result)} == {("M1.T1#1", "online")}
    assert list(reasons(result).values()) == ["the only online seat of M1.T1#1 is taken"]
    assert objective(result) == 300


def test_participant_mode_compatible() -> None:
    # M2.T1 runs in person only: an online-only nominee cannot sit in it (300 points).
    result = seated([nominee("O1", ("M2.T1",), mode="online"), nominee("E1", ("M1.T1",), mode="either")])
    assert seats(result) == {("E1", "M1.T1#1", "in_person")}  # M1.T1 has no online seat here
    assert reasons(result) == {("O1", "M2.T1"): "asks for online seats; M2.T1#1 runs in person only"}


@pytest.mark.parametrize(("mode", "room"), [("hybrid", "HALL"), ("in_person", "B")])
def test_seats_follow_the_mode_an_edition_is_scheduled_in(mode: str, room: str) -> None:
    # M1.T1 may run hybrid (2 in-person seats, 1 online) or in person (2 seats). Scheduled
    # hybrid, O1 (online only) takes the online seat and E1 (either) an in-person one; scheduled
    # in person, O1 has no seat and E1 takes an in-person one.
    data = problem_data([nominee("O1", mode="online"), nominee("E1", mode="either")], m1=(2, 1))
    record(data, "programme", "M1.T1")["modes"] = ["hybrid", "in_person"]
    data["pins"] = []
    p = problem_of(data)
    days = [date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)]
    calendar = Schedule(problem=p, editions=[
        ScheduledEdition.place(p, "M1.T1#1", days, room, ["T1", "T4"], mode=mode),  # type: ignore[arg-type]
        ScheduledEdition.place(p, "M2.T1#1", [date(2027, 3, 8), date(2027, 3, 9)], "B", ["T2", "T3"])])
    assert check(calendar) == []
    outcome = engine.allocate(calendar, time_limit_s=5, workers=1, deterministic=True)
    seated = calendar.model_copy(update={"allocations": outcome.allocations})
    assert check_seats(seated) == []
    taken = {(a.nominee, a.mode) for a in outcome.allocations}
    if mode == "hybrid":
        assert taken == {("O1", "online"), ("E1", "in_person")}
    else:
        assert taken == {("E1", "in_person")}
        assert {(u.nominee, u.reason) for u in outcome.unplaced} == {
            ("O1", "asks for online seats; M1.T1#1 runs in person only")}


def with_booths(data: dict[str, Any]) -> dict[str, Any]:
    """Every room of ``tiny`` with a booth, and the platform with a channel: interpretation can be booked."""
    for room in data["venues"][0]["rooms"]:
        room["interpretation_booths"] = 1
    data["platform"] = {"interpretation_channels": 1}
    return data


@pytest.mark.parametrize("interpreted", [False, True])
def test_participant_follows_the_language(interpreted: bool) -> None:
    # M1.T1 is held in English: R1 follows Russian only, B1 both, A1 states no language (any).
    # Interpreted into Russian, R1 follows it too. A seat left out costs 300 points.
    people = [nominee("R1", languages=["ru"]), nominee("B1", languages=["en", "ru"]), nominee("A1")]
    data = with_booths(problem_data(people, m1=(3, 0)))
    if interpreted:
        record(data, "programme", "M1.T1")["interpretation"] = ["ru"]
    result = seated(people, data=data)
    assert {n for n, _, _ in seats(result)} == ({"R1", "B1", "A1"} if interpreted else {"B1", "A1"})
    if not interpreted:
        assert reasons(result) == {("R1", "M1.T1"): "follows ru; M1.T1#1 is held in 'en'"}
        assert objective(result) == 300


def test_participant_available() -> None:
    result = seated([nominee("N1", unavailable_months=["2027-03"]),
                     nominee("N2", unavailable_months=["2027-04"])])
    assert seats(result) == {("N2", "M1.T1#1", "in_person")}
    assert reasons(result) == {("N1", "M1.T1"): "unavailable in 2027-03, when M1.T1#1 runs"}


def test_participant_one_edition_per_topic() -> None:
    # Two editions of M2.T1 with seats to spare: each nominee sits in exactly one.
    result = seated([nominee("N1", ("M2.T1",), mode="either"), nominee("N2", ("M2.T1", "M1.T1"))],
                    m2_editions=2)
    by_nominee = sorted((n, e.split("#")[0]) for n, e, _ in seats(result))
    assert by_nominee == [("N1", "M2.T1"), ("N2", "M1.T1"), ("N2", "M2.T1")]
    assert objective(result) == 0


# --------------------------------------------------------------------- prerequisites


PREREQUISITE = [{"before": "M1.T1", "after": "M2.T1"}]


def test_participant_prerequisite_taken() -> None:
    # M1.T1 (1-3 March) before M2.T1 (8-9 March). P1 took M1.T1 before: seated in M2.T1.
    # P2 neither took it nor asks for it: no seat. P3 asks for both: seated in both.
    data = problem_data([nominee("P1", ("M2.T1",), completed=["M1.T1"]), nominee("P2", ("M2.T1",)),
                         nominee("P3", ("M1.T1", "M2.T1"))])
    data["prerequisites"] = PREREQUISITE
    result = seated([], data=data)
    assert seats(result) == {("P1", "M2.T1#1", "in_person"), ("P3", "M1.T1#1", "in_person"),
                             ("P3", "M2.T1#1", "in_person")}
    assert reasons(result) == {
        ("P2", "M2.T1"): "has not taken M1.T1 (prerequisite) and is not nominated for it"}


def test_participant_prerequisite_taken_follows_the_first_seat() -> None:
    # One in-person seat in M1.T1: of P3 and P4 (both ask M1.T1 then M2.T1), one gets
    # both courses (3 + 2), the other neither: M2.T1 has seats but they lack its prerequisite.
    data = problem_data([nominee("P3", ("M1.T1", "M2.T1")), nominee("P4", ("M1.T1", "M2.T1"))], m1=(1, 0))
    data["prerequisites"] = PREREQUISITE
    result = seated([], data=data)
    (lucky,) = {n for n, e, _ in seats(result) if e == "M1.T1#1"}
    other = "P4" if lucky == "P3" else "P3"
    assert seats(result) == {(lucky, "M1.T1#1", "in_person"), (lucky, "M2.T1#1", "in_person")}
    assert reasons(result) == {
        (other, "M1.T1"): "the only in-person seat of M1.T1#1 is taken",
        (other, "M2.T1"):
            "not seated in an edition of M1.T1 (its prerequisite) ending in time before M2.T1#1",
    }
    assert objective(result) == 500


# ------------------------------------------------------------------- women's share band


def test_participants_women_share_edition_binds_when_seats_are_scarce() -> None:
    # Two seats, one woman and three men, band 40-60 % (soft, 30 a participant): W1 and a man
    # meet it (1 of 2); two men are 1 short (ceil(0.8) - 0). Two left out either way: 600.
    result = seated([nominee("W1"), nominee("M1", gender="man"), nominee("M2", gender="man"),
                     nominee("M3", gender="man")], participants_edition={"mode": "soft"})
    people = {n for n, _, _ in seats(result)}
    assert "W1" in people and len(people) == 2
    assert objective(result) == 600


def test_participants_off_women_share_never_leaves_a_seat_empty() -> None:
    # Two men, no woman, soft band: both seated, 1 woman short (ceil(0.4 x 2) - 0) = 30 points,
    # rather than one left out (300 points; one man alone is 1 short too). The band is a
    # preference among nominees, not a reason to turn one away.
    result = seated([nominee("M1", gender="man"), nominee("M2", gender="man")],
                    participants_edition={"mode": "soft"})
    assert len(seats(result)) == 2
    assert objective(result) == 30


def test_participants_women_share_edition_infeasible_when_hard_is_explained() -> None:
    # Hard band, men only: no seat keeps the band, so no man is seated (600 points), and each
    # is told why. The undisclosed nominee is in no share, so sits.
    result = seated([nominee("M1", gender="man"), nominee("M2", gender="man"),
                     nominee("U1", gender="undisclosed")],
                    m1=(3, 0), participants_edition={"mode": "hard"})
    assert seats(result) == {("U1", "M1.T1#1", "in_person")}
    why = ("one more man would take M1.T1#1 outside the hard women's share band (40-60 %); "
           "seated: 0 women of 0 of known gender")
    assert reasons(result) == {("M1", "M1.T1"): why, ("M2", "M1.T1"): why}
    assert objective(result) == 600


# ----------------------------------------------------------------------- country cap


AZ = [nominee(f"A{i}", country="Azerbaijan") for i in (1, 2, 3)] + [nominee("G1", country="Georgia")]


def test_country_over_cap_is_paid_rather_than_a_seat_left_empty() -> None:
    # 4 seats, cap 25 %: 1 seat a country. Soft (30 a participant): all four seated,
    # Azerbaijan 2 over = 60 points, cheaper than leaving one out (300).
    result = seated(AZ, m1=(4, 0), country_cap_edition={"max_share": 0.25, "mode": "soft"})
    assert len(seats(result)) == 4
    assert objective(result) == 60


def test_country_within_cap() -> None:
    # Hard: one of Azerbaijan's three and Georgia's one; two left out (600).
    result = seated(AZ, m1=(4, 0), country_cap_edition={"max_share": 0.25, "mode": "hard"})
    people = {n for n, _, _ in seats(result)}
    assert "G1" in people and len(people) == 2
    assert set(reasons(result).values()) == {"Azerbaijan already has its cap of 1 seat in M1.T1#1"}
    assert objective(result) == 600


def test_country_within_cap_infeasible_is_never_an_error() -> None:
    # A cap below one seat (10 % of 4) seats nobody, and says so.
    result = seated(AZ[:1], m1=(4, 0), country_cap_edition={"max_share": 0.1, "mode": "hard"})
    assert seats(result) == set()
    assert reasons(result) == {("A1", "M1.T1"): "Azerbaijan already has its cap of 0 seats in M1.T1#1"}


# ---------------------------------------------------------- the checker, without the solver


def _valid() -> Schedule:
    """Four seats that break no rule: P1 (woman) and P2 (man) in M1.T1, P1 and P3 (women) in
    M2.T1; hard band at least 50 % women, hard cap of 50 % of the seats (1 a country)."""
    data = problem_data([nominee("P1", ("M1.T1", "M2.T1")), nominee("P2", ("M1.T1",), gender="man",
                                                                     country="Armenia"),
                         nominee("P3", ("M2.T1",), country="Moldova", completed=["M1.T1"],
                                 unavailable_months=["2027-04"])],
                        m1=(2, 1), participants_edition={"mode": "hard", "min_share": 0.5, "max_share": None},
                        country_cap_edition={"max_share": 0.5, "mode": "hard"})
    data["prerequisites"] = PREREQUISITE
    schedule = seated([], data=data).schedule
    assert len(schedule.allocations) == 4
    return schedule


def _edit(change: Callable[[list[Allocation]], None]) -> Callable[[Schedule], Schedule]:
    def apply(s: Schedule) -> Schedule:
        allocations = [a.model_copy() for a in s.allocations]
        change(allocations)
        return s.model_copy(update={"allocations": allocations})
    return apply


def _seat(nominee_id: str, edition: str, mode: str = "in_person") -> Allocation:
    return Allocation(nominee=nominee_id, edition=edition, mode=mode)  # type: ignore[arg-type]


def _reseat(nominee_id: str, edition: str, mode: str) -> Callable[[Schedule], Schedule]:
    """Move the nominee's seat in ``edition`` to another mode."""
    def change(a: list[Allocation]) -> None:
        i = next(i for i, x in enumerate(a) if x.nominee == nominee_id and x.edition == edition)
        a[i] = _seat(nominee_id, edition, mode)
    return _edit(change)


CHECKS = [
    # Someone not in the nominations.
    (_edit(lambda a: a.append(_seat("X9", "M1.T1#1"))), "participant_nominated_for_the_edition",
     "nominee X9 in M1.T1#1 is not in the nominations"),
    # P2 is not nominated for M2.T1.
    (_edit(lambda a: a.append(_seat("P2", "M2.T1#1"))), "participant_nominated_for_the_edition",
     "nominee P2 sits in M2.T1#1 but is not nominated for M2.T1"),
    # An edition that is not on the calendar.
    (_edit(lambda a: a.append(_seat("P2", "M1.T1#2"))), "participant_nominated_for_the_edition",
     "nominee P2 sits in M1.T1#2, which is not on the calendar"),
    # P2 asked for in-person seats.
    (_reseat("P2", "M1.T1#1", "online"),
     "participant_mode_compatible", "nominee P2 asked for in-person seats and sits online in M1.T1#1"),
    # M2.T1 runs in person only.
    (_reseat("P3", "M2.T1#1", "online"),
     "participant_mode_compatible", "sits online in M2.T1#1, an in-person course"),
    # Two in person in M1.T1, planned now for one.
    (lambda s: _fewer_seats(s), "participant_seats_within_capacity",
     "M1.T1#1 seats 2 participants in person; it has 1 in-person seat"),
    # P1 twice in M1.T1 (once online).
    (_edit(lambda a: a.append(_seat("P1", "M1.T1#1", "online"))), "participant_one_edition_per_topic",
     "nominee P1 sits in 2 editions of M1.T1"),
    # P1 in M2.T1 without M1.T1.
    (_edit(lambda a: a.remove(next(x for x in a if x.nominee == "P1" and x.edition == "M1.T1#1"))),
     "participant_prerequisite_taken", "nominee P1 sits in M2.T1#1 without having taken M1.T1"),
]


@pytest.mark.parametrize(("change", "rule", "message"), CHECKS)
def test_the_checker_re_verifies_every_seat(change: Callable[[Schedule], Schedule], rule: str,
                                             message: str) -> None:
    broken = change(_valid())
    found = [v for v in check_seats(broken) if v.rule == rule]
    assert any(message in v.message for v in found), [str(v) for v in check_seats(broken)]
    assert any(message in v.message for v in check(broken))


def _renominate(s: Schedule, nominee_id: str, **change: Any) -> Schedule:
    """The schedule with one nomination changed (a fresh problem: lookups are cached)."""
    raw = s.problem.model_dump(mode="json")
    next(n for n in raw["nominations"] if n["id"] == nominee_id).update(change)
    return s.model_copy(update={"problem": problem_of(raw)})


def _fewer_seats(s: Schedule) -> Schedule:
    raw = s.problem.model_dump(mode="json")
    record(raw, "programme", "M1.T1")["participants_in_person"] = 1
    return s.model_copy(update={"problem": problem_of(raw)})


def test_the_checker_re_tests_availability_and_the_hard_bands() -> None:
    s = _valid()
    assert check_seats(s) == []
    away = _renominate(s, "P2", unavailable_months=["2027-03"])
    assert [v.message for v in check_seats(away)] == [
        "nominee P2 is unavailable in 2027-03, when M1.T1#1 runs"]
    # Two from Georgia in M1.T1: over the cap of 1 (50 % of its 3 seats).
    same_country = _renominate(s, "P2", country="Georgia")
    assert [v.message for v in check_seats(same_country)] == [
        "M1.T1#1: 2 participants from Georgia; the cap is 1 (50 % of its seats)"]
    # P2 alone in M1.T1: no woman, under the hard band (P1 then also lacks M2.T1's prerequisite).
    only_p2 = _edit(lambda a: a.remove(next(x for x in a if x.nominee == "P1" and x.edition == "M1.T1#1")))(s)
    assert "M1.T1#1: 0 women of 1 participants of known gender; the band is at least 50 %" in {
        v.message for v in check_seats(only_p2)}


def test_the_issues_sheet_lists_each_unplaced_nomination_once_with_its_charge_and_reason() -> None:
    from model.formats.excel import schedule_workbook

    people = [nominee("R1", languages=["ru"]), nominee("B1", languages=["en", "ru"])]
    result = seated(people, data=with_booths(problem_data(people, m1=(3, 0))))
    rows = [r for r in schedule_workbook(result.schedule)["Issues"].iter_rows(min_row=2, values_only=True)
            if r[1] == "nomination_unplaced"]
    assert rows == [("Nomination not placed", "nomination_unplaced", "Nominations left without a seat",
                     "R1, M1.T1",
                     "nominee R1 has no seat in M1.T1 (choice 1): 300 points; "
                     "why: follows ru; M1.T1#1 is held in 'en'")]
