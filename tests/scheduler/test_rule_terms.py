"""Each soft rule's CP-SAT term counts what its evaluator counts, rule by rule.

The engine (``scheduler/rules.py``) and the evaluators (``model/rules/``) are two
definitions of each soft rule, one for the solver and one for everything else. Here they
are held against each other on several calendars: the calendar's decisions are fixed in the
model (hinted, and the hint fixed), and each term is minimised alone, so that its auxiliary
variables (peaks, overlaps, share gaps) settle at what the term counts for that calendar.
That value must be the evaluator's total (:func:`model.check.soft_amounts`), in the same
unit (USD for cost).
"""

from __future__ import annotations

from typing import Any

import pytest

from data import default_problem
from model.check import check, soft_amounts
from model.rules import SOFT_RULES
from model.schedule import Schedule
from scheduler.greedy import greedy_schedule
from scheduler.solve import SolveOptions, solve
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import term_values


def rich_data() -> dict[str, Any]:
    """``tiny`` with every soft rule able to count.

    M1.T1 (2-3 days, the solver's choice) runs twice, priority 2, both editions optional;
    M2.T1 is linked to M1.T1, priority 1; the lead-agency rule is soft, M2.T1 led by UNHCR and
    M1.T1 by WHO, whose only person comes as a guest; M2.T1 is interpreted into Russian (250 USD a
    day, a booth in every room); teams of a woman and a man are a soft rule; the
    women's share of trainer-days is a soft band of exactly one half for the year, each module
    and each month; a published calendar (the baseline) has M2.T1#1 on 8 March in room
    HALL with T1 and T2, and M1.T1#2 on 22 March in room B with T3 and T4; and two nominees
    ask for M1.T1.
    """
    data = tiny_data()
    record(data, "programme", "M1.T1").update(editions=2, priority=2, mandatory=False)
    record(data, "programme", "M2.T1").update(priority=1)
    record(data, "topics", "M2.T1").update(links=["M1.T1"], lead_agencies=["UNHCR"])
    data["organisations"].append({"id": "WHO", "name": "World Health Organization"})
    record(data, "topics", "M1.T1")["lead_agencies"] = ["WHO"]
    record(data, "programme", "M2.T1")["interpretation"] = ["ru"]
    data["costs"] = {"interpretation_day_usd": 250}
    for room in data["venues"][0]["rooms"]:
        room["interpretation_booths"] = 1
    data["team_rules"] = {"mixed_gender": "soft", "lead_agency": "soft"}
    band = {"min_share": 0.5, "max_share": 0.5, "mode": "soft"}
    data["targets"] = {"trainer_days_year": band, "trainer_days_module": band, "trainer_days_month": band}
    data["baseline"] = [
        {"edition": "M2.T1#1", "start": "2027-03-08", "room": "HALL", "trainers": ["T1", "T2"]},
        {"edition": "M1.T1#2", "start": "2027-03-22", "room": "B", "trainers": ["T3", "T4"]},
    ]
    # Guests: a country's representative may present a day of M1.T1 (optional slot) and of
    # M2.T1, where a UNHCR expert or a Georgian representative fills a required slot; three
    # representatives of two countries (one away 1-12 March), each country wanted twice;
    # the lead agency WHO comes only as a guest.
    data["organisations"].append({"id": "COUNTRY", "name": "Country representatives", "kind": "government"})
    data["countries"] = ["Georgia", "Moldova"]
    data["team_rules"]["country_sessions_min"] = 2
    data["trainers"] += [
        {"id": "G1", "name": "Nino (fictional)", "gender": "woman", "organisation": "COUNTRY", "country": "Georgia",
         "role": "guest", "modules": [1, 2], "day_rate": 50, "travel_usd": 300},
        {"id": "G2", "name": "Ion (fictional)", "gender": "man", "organisation": "COUNTRY", "country": "Moldova",
         "role": "guest", "modules": [1, 2], "travel_usd": 450,
         "unavailable": [{"start": "2027-03-01", "end": "2027-03-12"}]},
        {"id": "G3", "name": "Giorgi (fictional)", "gender": "man", "organisation": "COUNTRY", "country": "Georgia",
         "role": "guest", "topics": ["M1.T1"], "travel_usd": 300},
        {"id": "G4", "name": "Aida (fictional)", "gender": "woman", "organisation": "WHO", "role": "guest",
         "topics": ["M1.T1"], "day_rate": 300, "travel_usd": 900},
    ]
    record(data, "programme", "M1.T1")["guest_slots"] = [
        {"id": "country", "organisations": ["COUNTRY"], "title": "Regional best practice"},
        {"id": "agency", "organisations": ["WHO"], "title": "Agency expert"},
    ]
    record(data, "programme", "M2.T1")["guest_slots"] = [
        {"id": "practice", "organisations": ["UNHCR", "COUNTRY"], "required": True},
    ]
    data["baseline"][0]["guests"] = [{"slot": "practice", "person": "G1", "day": "2027-03-09"}]
    # Nominees: N1 asks for M1.T1 first, N2 second (after M2.T1): a calendar that leaves both
    # editions of M1.T1 out has no seat for their requests.
    data["nominations"] = [
        {"id": "N1", "country": "Georgia", "audience": "government", "topics": ["M1.T1"]},
        {"id": "N2", "country": "Moldova", "audience": "government", "topics": ["M2.T1", "M1.T1"]},
    ]
    return data


def _calendars() -> list[Any]:
    """Calendars of ``rich`` that differ: each solved for one soft rule alone, plus the greedy one."""
    out = []
    problem = problem_of(rich_data())
    out.append(pytest.param(greedy_schedule(problem), id="greedy"))
    for rule in ("cost", "busiest_month", "edition_moved", "optional_edition_left_out",
                 "trainer_days_off_women_share_month", "guest_slot_empty", "busiest_trainer"):
        data = rich_data()
        data["weights"] = only_weights(**{rule: 1})
        result = solve(problem_of(data), SolveOptions(time_limit_s=10, workers=1, deterministic=True))
        assert result.found, str(result)
        out.append(pytest.param(result.schedule.model_copy(update={"problem": problem}), id=f"solved-for-{rule}"))
    return out


@pytest.mark.parametrize("schedule", _calendars())
def test_every_soft_term_equals_its_evaluator_on_tiny_calendars(schedule: Schedule) -> None:
    assert check(schedule) == []
    amounts = soft_amounts(schedule)
    terms = term_values(schedule)
    assert set(terms) == {r.id for r in SOFT_RULES}
    assert terms == pytest.approx(amounts), {r: (terms[r], amounts[r]) for r in terms if terms[r] != amounts[r]}


def test_the_calendars_make_every_soft_rule_count() -> None:
    # Otherwise the test above would compare zeros with zeros for some rule.
    counted = set()
    for param in _calendars():
        counted |= {rule for rule, amount in soft_amounts(param.values[0]).items() if amount}
    assert counted == {r.id for r in SOFT_RULES}, {r.id for r in SOFT_RULES} - counted


def test_every_soft_term_equals_its_evaluator_on_the_default_greedy_calendar() -> None:
    schedule = greedy_schedule(default_problem())
    assert check(schedule) == []
    amounts = soft_amounts(schedule)
    assert amounts["cost"] and amounts["busiest_month"] and amounts["priority_topic_late"]
    terms = term_values(schedule)
    assert terms == pytest.approx({r: amounts[r] for r in terms})
