"""In-person participants' fares and allowances: what a seat costs, who travels, and the budget.

On ``tiny`` with the calendar pinned (tests/scheduler/test_allocation.py): M1.T1#1 is a
hybrid course of 3 days, Monday 1 - Wednesday 3 March. Fares: Georgia 400 USD, Moldova 900;
the allowance 100 USD a night, a night per course day: an in-person seat from Georgia costs
400 + 3 x 100 = 700 USD, from Moldova 1,200.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.check import check, kpis, soft_amounts
from model.errors import InputError
from model.participants import seat_cost
from model.rules import PARTICIPANT_SOFT_RULES, Reading
from tests.instances.tiny import problem_of
from tests.scheduler.solving import allocation_term_values
from tests.scheduler.test_allocation import nominee, problem_data, reasons, seated, seats

COSTS = {"participant_fares_usd": {"Georgia": 400, "Moldova": 900}, "allowance_night_usd": 100}


def costed(nominations: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    data = problem_data(nominations, **kw)
    data["countries"] = ["Georgia", "Moldova"]
    data["costs"] = COSTS
    return data


def test_a_seat_costs_the_fare_and_a_night_per_course_day_in_person_and_nothing_online() -> None:
    result = seated([], data=costed([nominee("N1"), nominee("N2", country="Moldova", mode="online")], m1=(2, 2)))
    p = result.schedule.problem
    se = result.schedule.by_edition["M1.T1#1"]
    assert seat_cost(p, p.nomination_by_id["N1"], se, "in_person") == (400, 300)
    assert seat_cost(p, p.nomination_by_id["N2"], se, "online").total == 0
    k = kpis(result.schedule)
    assert (k.participant_fares_usd, k.participant_allowances_usd) == (400, 300)
    assert k.seats_by_mode == {"in_person": 1, "online": 1}
    assert k.participant_days == 6
    assert k.cost_per_participant_day_usd == pytest.approx(k.cost_usd / 6)


def test_who_may_follow_online_does_so_when_travel_buys_nothing() -> None:
    # N1 may sit either way: an online seat serves the request at no fare.
    result = seated([], data=costed([nominee("N1", mode="either")], m1=(2, 2)))
    assert seats(result) == {("N1", "M1.T1#1", "online")}


def test_the_budget_decides_who_travels_not_who_learns() -> None:
    # Three nominees who can only sit in person (700 USD each from Georgia) and the calendar's
    # own cost: a budget 700 above it seats one in person; the others, who may follow online,
    # are seated online rather than left out.
    nominations = [nominee("N1"), nominee("N2", mode="either"), nominee("N3", mode="either")]
    data = costed(nominations, m1=(3, 3))
    data["weights"] = {"participant_cost": 0}  # travel is free of points: only the budget holds it back
    calendar = Reading(seated([], data=data).schedule).calendar_cost_usd
    data["budget_usd"] = calendar + 700
    tight = seated([], data=data)
    assert seats(tight) == {("N1", "M1.T1#1", "in_person"), ("N2", "M1.T1#1", "online"),
                            ("N3", "M1.T1#1", "online")}
    assert kpis(tight.schedule).cost_usd == calendar + 700
    assert check(tight.schedule) == []


def test_who_prefers_to_travel_does_so_while_the_budget_lasts_then_follows_online() -> None:
    # P1 and P2 prefer to come in person (700 USD each from Georgia) and accept an online seat
    # when their trip is not funded; O1 comes in person or not at all. A budget 1,400 above the
    # calendar's cost brings two: O1, who would otherwise lose the seat, and one of P1 and P2;
    # the other follows online, charged once (online_instead_of_in_person).
    nominations = [nominee("P1", mode="in_person_preferred"), nominee("P2", mode="in_person_preferred"),
                   nominee("O1")]
    data = costed(nominations, m1=(3, 3))
    calendar = Reading(seated([], data=data).schedule).calendar_cost_usd
    data["budget_usd"] = calendar + 1400
    result = seated([], data=data)
    placed = seats(result)
    assert ("O1", "M1.T1#1", "in_person") in placed and len(placed) == 3
    assert sorted(m for n, _, m in placed if n != "O1") == ["in_person", "online"]
    assert soft_amounts(result.schedule, PARTICIPANT_SOFT_RULES)["online_instead_of_in_person"] == 1
    assert allocation_term_values(result.schedule)["online_instead_of_in_person"] == 1
    # With nothing left for travel, P1 and P2 follow online and O1's trip is not funded: the
    # reason says so.
    data["budget_usd"] = calendar
    short = seated([], data=data)
    assert seats(short) == {("P1", "M1.T1#1", "online"), ("P2", "M1.T1#1", "online")}
    assert reasons(short) == {("O1", "M1.T1"): (
        "in-person seats remain in M1.T1#1, but the seat's fare and allowance, 700 USD, are more than the budget "
        "has left (0 USD)")}


def test_an_in_person_only_nominee_is_never_seated_online() -> None:
    # M1.T1 has online seats only: P1, who prefers to travel, follows online; O1 does not.
    result = seated([], data=costed([nominee("O1", mode="in_person"), nominee("P1", mode="in_person_preferred")],
                                    m1=(0, 2)))
    assert seats(result) == {("P1", "M1.T1#1", "online")}
    assert reasons(result) == {("O1", "M1.T1"): "M1.T1#1 has no in-person seats"}


def test_the_checker_counts_the_seats_against_the_budget() -> None:
    result = seated([], data=costed([nominee("N1")], m1=(2, 0)))
    total = kpis(result.schedule).cost_usd
    over = result.schedule.model_copy(update={"problem": problem_of(
        {**result.schedule.problem.model_dump(mode="json"), "budget_usd": total - 1})})
    assert [v.rule for v in check(over)] == ["budget_within_cap"]


def test_a_country_without_a_fare_is_named_with_its_nominees() -> None:
    data = costed([nominee("N1", country="Georgia"), nominee("N2", country="Armenia"),
                   nominee("N3", country="Armenia", mode="online")])
    data["countries"].append("Armenia")
    with pytest.raises(InputError) as info:
        problem_of(data)
    assert info.value.messages == [
        "costs: no fare from 'Armenia' for its nominees who may sit in person (N2)"]
    assert info.value.issues[0].field == ("participant_fares_usd", "Armenia")


def test_a_fare_for_a_country_outside_the_region_is_named() -> None:
    data = costed([nominee("N1")])
    data["costs"] = {**COSTS, "participant_fares_usd": {**COSTS["participant_fares_usd"], "Atlantis": 10}}
    with pytest.raises(InputError) as info:
        problem_of(data)
    assert info.value.messages == ["costs: country 'Atlantis' is not among the problem's countries"]
    assert info.value.issues[0].field == ("participant_fares_usd", "Atlantis")


def test_the_budget_sheet_gives_each_edition_s_cost_by_category_and_the_total(tmp_path) -> None:
    import openpyxl

    from model.formats.excel import write_schedule_workbook

    data = costed([nominee("N1"), nominee("N2", country="Moldova", mode="either")], m1=(2, 2))
    data["weights"] = {"participant_cost": 0}
    data["budget_usd"] = 100_000
    result = seated([], data=data)
    path = tmp_path / "budget.xlsx"
    write_schedule_workbook(result.schedule, path)
    ws = openpyxl.load_workbook(path)["Budget"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
            if r[0] == "Total" or "#" in str(r[0])]
    by_id = {r["Edition"]: r for r in rows}
    k = kpis(result.schedule)
    assert by_id["Total"]["Total (USD)"] == k.cost_usd
    assert sum(r["Total (USD)"] for r in rows if r["Edition"] != "Total") == k.cost_usd
    m1 = by_id["M1.T1#1"]
    in_person = [a for a in result.schedule.allocations if a.mode == "in_person"]
    fares = {"N1": 400, "N2": 900}
    assert m1["Participants' fares (USD)"] == sum(fares[a.nominee] for a in in_person)
    assert m1["Allowances (USD)"] == 300 * len(in_person)
    assert m1["Seats in person"] + m1["Seats online"] == 2
    assert any(f"Budget 100,000 USD: {100_000 - k.cost_usd:,} USD left." in str(c.value or "")
               for row in ws.iter_rows() for c in row)
