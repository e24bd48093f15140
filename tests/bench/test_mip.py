"""The HiGHS MIP of bench/mip.py solves the same problem as CP-SAT: same optimum, checked calendars."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bench.mip import MipOptions, build_mip, extract, solve_mip, start_values, unsupported
from data import default_problem
from model.check import check, kpis
from model.problem import Problem
from scheduler.greedy import greedy_schedule
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data, tiny_problem
from tests.scheduler.solving import optimal
from tests.scheduler.test_guests import guest_data

# No wall-clock limit, which a busy machine could reach: a node limit instead, the same
# work on every machine and far above what these instances need (a few nodes each).
COLD = MipOptions(time_limit_s=math.inf, start="none", highs=(("mip_max_nodes", 1000),))


def proven(problem: Problem, options: MipOptions = COLD) -> float:
    """The MIP's proven optimum, after the checker has passed its calendar."""
    result = solve_mip(problem, options)
    assert result.status == "OPTIMAL", result.reason
    assert result.schedule is not None and check(result.schedule) == []
    assert result.objective == kpis(result.schedule).objective
    # HiGHS's own value of the calendar is the checker's (within its tolerances).
    assert result.mip_objective == pytest.approx(result.objective, abs=1e-4)
    assert result.bound == result.objective and result.gap == 0
    return result.objective


def test_tiny_optimum_is_156_3_as_with_cp_sat() -> None:
    # Both courses in March: busiest month 5 days x 20 = 100. Two teams, no one on both:
    # busiest trainer 3 days x 10 = 30. Cost: M1.T1 (hybrid, so HALL at 100/day) 3 days with
    # T1 + T4 (IOM woman 250 + UNHCR man 200), M2.T1 2 days in room B (40) with T2 + T3:
    # 300 + 1350 + 80 + 900 = 2630 USD = 26.3. Women give 5 of 10 trainer-days: in the band.
    # Total 156.3; cutting M1.T1 to 2 days would save less than its 100-point penalty.
    problem = tiny_problem()
    assert proven(problem) == 156.3
    assert optimal(problem).objective == 156.3


def _prerequisite_with_window(data: dict[str, Any]) -> None:
    # M2.T1 would like to start on 1 March (priority) but waits for M1.T1 and the gap.
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 3, "max_gap_days": 5}]
    record(data, "programme", "M2.T1")["priority"] = 1


def _two_editions_one_stream(data: dict[str, Any]) -> None:
    record(data, "programme", "M1.T1")["editions"] = 2
    data["platform"] = {"max_concurrent_streams": 1}


def _caps_and_quota(data: dict[str, Any]) -> None:
    # The greedy test's myopic case: only a shortened M1.T1 leaves IOM days for M2.T1.
    for t in ("T3", "T4"):
        record(data, "trainers", t)["max_days_per_month"] = 2
    record(data, "organisations", "IOM")["trainer_day_quota"] = 6


def _soft_mixed_teams_of_one(data: dict[str, Any]) -> None:
    data["team_rules"] = {"min_trainers": 1, "max_trainers": 3, "mixed_gender": "soft"}


def _optional_priority_edition(data: dict[str, Any]) -> None:
    record(data, "programme", "M1.T1").update(mandatory=False, priority=2, editions=2)


def _women_share_bands(data: dict[str, Any]) -> None:
    data["targets"] = {"trainer_days_year": {"min_share": 0.6, "max_share": 0.8, "mode": "soft"},
                       "trainer_days_month": {"mode": "soft"},
                       "trainer_days_module": {"min_share": 0.5, "max_share": 0.5, "mode": "hard"}}


def _budget_and_baseline(data: dict[str, Any]) -> None:
    data["budget_usd"] = 2500
    data["baseline"] = [{"edition": "M1.T1#1", "start": "2027-03-10", "room": "HALL",
                         "trainers": ["T1", "T2"]}]


def _pinned_team(data: dict[str, Any]) -> None:
    data["pins"] = [{"edition": "M2.T1#1", "start": "2027-03-03", "trainers": ["T1", "T2", "T3"]}]


def _race_for_the_first_monday(data: dict[str, Any]) -> None:
    data.clear()
    data.update(race_data())
    record(data, "trainers", "T2")["organisation"] = "UNHCR"  # one IOM trainer: the courses cannot overlap
    data["weights"] = only_weights(priority_topic_late=1, linked_topics_overlap=30)


def _guests(data: dict[str, Any]) -> None:
    """``guest_data``: M2.T1 has a required slot for a representative of Georgia (G1, G2) or
    Moldova (G3), each 300 USD of travel and no fee."""
    data.clear()
    data.update(guest_data())


def _guests_with_trips_and_turns(data: dict[str, Any]) -> None:
    # Every default weight on: M1.T1 (hybrid, in a room) has an optional slot too, the team's
    # trips cost, Moldova's representative costs more, each country is wanted once, and the
    # budget (fees, trips, rooms) rules out the calendar that would be cheapest in points.
    _guests(data)
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"]}]
    for tid, usd in (("T1", 400), ("T2", 0), ("T3", 150), ("T4", 600)):
        record(data, "trainers", tid)["travel_usd"] = usd
    record(data, "trainers", "G3")["travel_usd"] = 900
    data["team_rules"] = {"country_sessions_min": 1}
    data["budget_usd"] = 4900


def _two_slots_no_country_twice(data: dict[str, Any]) -> None:
    # Two required slots on M2.T1: the two Georgians would cost less, but Georgia presents once,
    # so Moldova's dearer G3 comes.
    _guests(data)
    slot = record(data, "programme", "M2.T1")["guest_slots"][0]
    record(data, "programme", "M2.T1")["guest_slots"] = [slot, {**slot, "id": "second"}]
    record(data, "trainers", "G3")["travel_usd"] = 900


def _guest_loads(data: dict[str, Any]) -> None:
    # Three required sessions, open to UNHCR trainers (200 USD) and representatives: G1 costs
    # nothing but gives one day a month, G2 50 USD, G3 100 of travel; the representatives'
    # quota of two days sends the third session to UNHCR. Guests' days count like teams'.
    _guests(data)
    slot = {"id": "practice", "organisations": ["UNHCR", "COUNTRY"], "required": True}
    record(data, "programme", "M1.T1")["guest_slots"] = [slot, {**slot, "id": "second"}]
    record(data, "programme", "M2.T1")["guest_slots"] = [slot]
    record(data, "trainers", "G1").update(travel_usd=0, max_days_per_month=1)
    record(data, "trainers", "G2").update(travel_usd=0, day_rate=50, max_days_per_year=1, country="Moldova")
    record(data, "trainers", "G3").update(travel_usd=100, country="Georgia")
    record(data, "organisations", "COUNTRY")["trainer_day_quota"] = 2
    data["weights"] = only_weights(cost=1, busiest_trainer=10)


def _lead_agency_only_as_guest(data: dict[str, Any]) -> None:
    # WHO leads M1.T1 (hard) and comes only as a guest: its expert fills the optional slot,
    # which nothing else asks to fill.
    _guests(data)
    data["organisations"].append({"id": "WHO", "name": "World Health Organization", "kind": "un_agency"})
    record(data, "topics", "M1.T1")["lead_agencies"] = ["WHO"]
    data["trainers"].append({"id": "W1", "name": "W1 (fictional)", "gender": "man", "organisation": "WHO",
                             "role": "guest", "topics": ["M1.T1"], "day_rate": 300, "travel_usd": 800})
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "agency", "organisations": ["WHO"]}]
    data["weights"] = {"guest_slot_empty": 0}


def _one_expert_two_slots(data: dict[str, Any]) -> None:
    # A second WHO slot that only W1 could fill: a person gives one session of an edition,
    # so it stays empty (100 points) however little W1's second day would cost.
    _lead_agency_only_as_guest(data)
    record(data, "programme", "M1.T1")["guest_slots"].append({"id": "second", "organisations": ["WHO"]})
    data["weights"] = {}


def _soft_lead_agency_online(data: dict[str, Any]) -> None:
    # The same, soft, with M1.T1 online: no trips, and the expert costs only the fee.
    _lead_agency_only_as_guest(data)
    record(data, "topics", "M1.T1")["modes"] = ["hybrid", "online"]
    record(data, "programme", "M1.T1").update(mode="online", participants_in_person=0)
    data["team_rules"] = {"lead_agency": "soft"}
    for tid in ("T1", "T2", "T3", "T4"):
        record(data, "trainers", tid)["travel_usd"] = 500


def _guest_days_in_women_shares(data: dict[str, Any]) -> None:
    # Teams of two men; a guest's day counts in the year's hard band and the month's soft one.
    _guests(data)
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["role"] = "guest"
    data["trainers"] += [{"id": "T5", "name": "T5 (fictional)", "gender": "man", "organisation": "UNHCR",
                          "modules": [1, 2], "day_rate": 200}]
    data["team_rules"] = {"mixed_gender": "off"}
    data["targets"] = {"trainer_days_year": {"min_share": 0.1, "mode": "hard"},
                       "trainer_days_month": {"min_share": 0.3, "max_share": 0.6, "mode": "soft"},
                       "trainer_days_module": {"min_share": 0.2, "mode": "soft"}}


def _pinned_and_published_guests(data: dict[str, Any]) -> None:
    # M2.T1's optional session is pinned to G3 on 9 March, though leaving it empty would cost
    # less, and its second slot stays empty, though G1 would give it free; M1.T1's published
    # session (G2, 2 March) is kept, though G2 has become dear.
    _guests(data)
    record(data, "programme", "M2.T1")["guest_slots"][0]["required"] = False
    record(data, "programme", "M2.T1")["guest_slots"].append({"id": "second", "organisations": ["COUNTRY"]})
    record(data, "trainers", "G1")["travel_usd"] = 0
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"]}]
    data["weights"] = {"guest_slot_empty": 1}
    data["pins"] = [{"edition": "M2.T1#1", "guests": [{"slot": "country", "person": "G3", "day": "2027-03-09"}]}]
    data["baseline"] = [{"edition": "M1.T1#1", "start": "2027-03-01", "room": "HALL", "trainers": ["T1", "T4"],
                         "guests": [{"slot": "country", "person": "G2", "day": "2027-03-02"}]}]
    record(data, "trainers", "G2")["day_rate"] = 3000


def _editions_from_demand(data: dict[str, Any]) -> None:
    # M1.T1 up to three times, once at least, each edition with 2 seats (1 in person, 1 online)
    # and 2 participants at least; 5 nominees ask for it (N1, N3, N5 first), so at most two
    # editions run, and a request stays without a seat (requests_beyond_seats): the second
    # edition's cost weighs against the seats it brings.
    record(data, "programme", "M1.T1").update(editions=3, min_editions=1, min_participants=2,
                                              participants_in_person=1, participants_online=1)
    data["nominations"] = [{"id": f"N{i}", "country": "Georgia", "audience": "government",
                            "topics": ["M1.T1", "M2.T1"] if i % 2 else ["M2.T1", "M1.T1"]} for i in range(1, 6)]


def _hybrid_or_in_person_one_stream(data: dict[str, Any]) -> None:
    # Two editions of M1.T1, each hybrid in HALL or in person in HALL or B, and one stream: they
    # may run side by side only when one of them is in person.
    _two_editions_one_stream(data)
    record(data, "programme", "M1.T1")["modes"] = ["hybrid", "in_person"]


def _online_or_in_person_one_stream(data: dict[str, Any]) -> None:
    # Two editions of M1.T1 (priority 2), online preferred (no room, no trips) or in person, and
    # one stream: both start on 1 March, one online and the other in person in B.
    _two_editions_one_stream(data)
    record(data, "topics", "M1.T1")["modes"] = ["hybrid", "in_person", "online"]
    item = record(data, "programme", "M1.T1")
    del item["mode"]
    item.update(modes=["online", "in_person"], priority=2)


def _trips_only_in_a_room(data: dict[str, Any]) -> None:
    # M1.T1 may run hybrid in HALL or online: online, nobody travels to it (team or guest) and
    # it pays no room, so the trips of _guests_with_trips_and_turns weigh on the choice.
    _guests_with_trips_and_turns(data)
    record(data, "topics", "M1.T1")["modes"] = ["hybrid", "online"]
    record(data, "programme", "M1.T1")["modes"] = ["hybrid", "online"]


def _nominees_only_in_person(data: dict[str, Any]) -> None:
    # M1.T1 may run online, preferred (no room, no trips), or in person; its 8 nominees come only
    # in person, so online it would seat none of them (requests_beyond_seats, weighted 100).
    _online_or_in_person_one_stream(data)
    record(data, "programme", "M1.T1")["editions"] = 1
    for tid in ("T3", "T4"):
        record(data, "trainers", tid)["travel_usd"] = 300
    data["weights"] = only_weights(cost=1, requests_beyond_seats=100)
    data["nominations"] = [{"id": f"N{i}", "country": "Georgia", "audience": "government", "topics": ["M1.T1"],
                            "mode": "in_person"} for i in range(1, 9)]


def _published_mode_changed(data: dict[str, Any]) -> None:
    # M1.T1 (3 days) published hybrid in HALL on 1 March; the platform now carries no stream, so
    # it stays in HALL in person: a change of mode alone, counted by room_changed.
    record(data, "programme", "M1.T1").update(duration_days=3, modes=["hybrid", "in_person"])
    data["baseline"] = [{"edition": "M1.T1#1", "start": "2027-03-01", "room": "HALL", "mode": "hybrid",
                         "trainers": ["T1", "T4"]}]
    data["platform"] = {"max_concurrent_streams": 0}


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "prerequisite_with_window": _prerequisite_with_window,
    "two_editions_one_stream": _two_editions_one_stream,
    "caps_and_quota": _caps_and_quota,
    "soft_mixed_teams_of_one": _soft_mixed_teams_of_one,
    "optional_priority_edition": _optional_priority_edition,
    "women_share_bands": _women_share_bands,
    "budget_and_baseline": _budget_and_baseline,
    "pinned_team": _pinned_team,
    "race_for_the_first_monday": _race_for_the_first_monday,
    "guests": _guests,
    "guests_with_trips_and_turns": _guests_with_trips_and_turns,
    "two_slots_no_country_twice": _two_slots_no_country_twice,
    "guest_loads": _guest_loads,
    "lead_agency_only_as_guest": _lead_agency_only_as_guest,
    "one_expert_two_slots": _one_expert_two_slots,
    "soft_lead_agency_online": _soft_lead_agency_online,
    "guest_days_in_women_shares": _guest_days_in_women_shares,
    "pinned_and_published_guests": _pinned_and_published_guests,
    "editions_from_demand": _editions_from_demand,
    "hybrid_or_in_person_one_stream": _hybrid_or_in_person_one_stream,
    "online_or_in_person_one_stream": _online_or_in_person_one_stream,
    "nominees_only_in_person": _nominees_only_in_person,
    "trips_only_in_a_room": _trips_only_in_a_room,
    "published_mode_changed": _published_mode_changed,
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_mip_and_cp_sat_prove_the_same_optimum(name: str) -> None:
    data = tiny_data()
    VARIANTS[name](data)
    problem = problem_of(data)
    assert proven(problem) == pytest.approx(optimal(problem).objective)


def test_the_race_costs_two_days_of_lateness() -> None:
    # race_data's docstring: M2.T1 Mon 1-Tue 2, then M1.T1 Wed 3-Fri 5: objective 2.
    data = tiny_data()
    _race_for_the_first_monday(data)
    assert proven(problem_of(data)) == 2


def _greedy_start_round_trip(problem: Problem) -> None:
    """The greedy calendar as start values reads back as the same calendar."""
    model = build_mip(problem)
    greedy = greedy_schedule(problem)
    idx, val = start_values(model, greedy)
    values = np.zeros(model.lp.n_cols)
    values[idx] = val
    again = extract(model, values)
    assert [(e.edition, e.start, e.mode, e.room, e.trainers, e.guests) for e in again.editions] == \
        [(e.edition, e.start, e.mode, e.room, e.trainers, e.guests) for e in greedy.editions]


def test_a_greedy_start_is_the_greedy_calendar_and_still_reaches_the_optimum() -> None:
    problem = tiny_problem()
    _greedy_start_round_trip(problem)
    assert proven(problem, replace(COLD, start="greedy")) == 156.3


def test_a_greedy_start_keeps_its_guest_sessions() -> None:
    data = tiny_data()
    _guest_loads(data)
    problem = problem_of(data)
    assert sum(len(se.guests) for se in greedy_schedule(problem).editions) == 3
    _greedy_start_round_trip(problem)
    assert proven(problem, replace(COLD, start="greedy")) == pytest.approx(optimal(problem).objective)


def test_the_default_problem_uses_no_rule_the_mip_leaves_out() -> None:
    assert unsupported(default_problem()) == []


def test_a_start_never_leads_to_a_false_proof() -> None:
    # After presolve HiGHS values the race's greedy start (3 points) at 0 and stops "optimal";
    # the optimum is 2. A claimed optimum must be the checker's figure for the calendar.
    data = tiny_data()
    _race_for_the_first_monday(data)
    result = solve_mip(problem_of(data), replace(COLD, start="greedy"))
    assert result.objective is not None and not check(result.schedule)
    assert result.status != "OPTIMAL" or result.objective == 2, (result.status, result.objective, result.reason)
    if result.status != "OPTIMAL":
        assert result.bound is None and "no proof" in result.reason
