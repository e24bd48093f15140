"""Trainer rules: qualified, available, one course at a time, month and year limits, quotas.

Unless a test says otherwise only cost counts (1 point per 100 USD) and M1.T1 is fixed
at 3 days. The cheapest team of two has an IOM trainer (250 USD/day) and a UNHCR
trainer (200) of the other gender: 450 USD/day. With HALL (100) for M1.T1 and room B
(40) for M2.T1 the cheapest calendar costs 3 x 550 + 2 x 490 = 1650 + 980 = 2630 USD,
26.3 points.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from model.check import soft_amounts
from model.schedule import Schedule
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data
from tests.scheduler.solving import d, edition, explained_facts, infeasible, names_rule, optimal, overlap


def costed(duration_days: int | None = 3) -> dict[str, Any]:
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = duration_days
    data["weights"] = only_weights(cost=1)
    return data


def trainer_days(schedule: Schedule) -> Counter[str]:
    return Counter(t for se in schedule.editions for t in se.trainers for _ in se.days)


# ------------------------------------------------------------------------ trainer_qualified


def only_t1_t2_for_m2(data: dict[str, Any], how: str) -> dict[str, Any]:
    """Make T1 and T2 (IOM) the only trainers who can give M2.T1."""
    if how == "module":
        for t in ("T3", "T4"):
            record(data, "trainers", t)["modules"] = [1]
    elif how == "topic":
        for t in ("T3", "T4"):
            record(data, "trainers", t).update(modules=[], topics=["M1.T1"])
    else:  # language
        record(data, "programme", "M2.T1")["language"] = "ru"
        for t in ("T1", "T2"):
            record(data, "trainers", t)["languages"] = ["en", "ru"]
    return data


@pytest.mark.parametrize("how", ["module", "topic", "language"])
def test_trainer_qualified(how: str) -> None:
    # M1.T1 free in 2-3 days (cheapest 2): 2 x (100 + 450) = 1100 USD. T3 and T4 cannot
    # give M2.T1 (wrong module, not in their topics, or no Russian), so its team is
    # T1 + T2 at 500 a day: 2 x (40 + 500) = 1080 USD. 2180 USD = 21.8 points
    # (20.8 without the restriction).
    result = optimal(problem_of(only_t1_t2_for_m2(costed(None), how)))
    assert edition(result, "M2.T1#1").trainers == ["T1", "T2"]
    assert result.objective == 21.8
    assert soft_amounts(result.schedule)["cost"] == 2180


def test_trainer_qualified_infeasible_is_reported() -> None:
    # Only T1 can teach module 2; a team needs two trainers.
    data = tiny_data()
    for t in ("T2", "T3", "T4"):
        record(data, "trainers", t)["modules"] = [1]
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        "M2.T1#1 cannot be scheduled: only 1 trainer is qualified for M2.T1 in 'en' (T1); a team needs at "
        "least 2 (rules: Every trainer is qualified for the topic and speaks its language; A team has "
        "between "
        "the minimum and maximum number of trainers)"
    ]


# ------------------------------------------------------------------------ trainer_available


def away(data: dict[str, Any], trainer: str, first: str, last: str) -> None:
    record(data, "trainers", trainer)["unavailable"] = [{"start": first, "end": last, "reason": "mission"}]


def test_trainer_available_away_trainer_is_not_on_the_week_one_course() -> None:
    # Lateness (priority 1 on M1.T1) and cost count. T1 is away Mon 1 - Fri 5 March.
    # M1.T1 still starts Mon 1 (late 0) with the other 450-a-day team, T2 + T3, where
    # T1 + T4 would have cost the same: 26.3 points of cost.
    data = costed()
    record(data, "programme", "M1.T1")["priority"] = 1
    data["weights"] = only_weights(cost=1, priority_topic_late=1)
    away(data, "T1", "2027-03-01", "2027-03-05")
    result = optimal(problem_of(data))
    m1 = edition(result, "M1.T1#1")
    assert m1.start == d(1)
    assert m1.trainers == ["T2", "T3"]
    assert result.objective == 26.3


def test_trainer_available_both_women_away_delays_the_course() -> None:
    # T1 and T3, the two women, are away Mon 1 - Fri 5 March: no mixed team exists in
    # week 1, so M1.T1 starts Mon 8 March (working day 5): 5 late + 26.3 cost = 31.3.
    data = costed()
    record(data, "programme", "M1.T1")["priority"] = 1
    data["weights"] = only_weights(cost=1, priority_topic_late=1)
    away(data, "T1", "2027-03-01", "2027-03-05")
    away(data, "T3", "2027-03-01", "2027-03-05")
    result = optimal(problem_of(data))
    assert edition(result, "M1.T1#1").start == d(8)
    for se in result.schedule.editions:
        if "T1" in se.trainers or "T3" in se.trainers:
            assert se.start > d(5)
    assert result.objective == 31.3
    assert soft_amounts(result.schedule)["priority_topic_late"] == 5


def test_trainer_available_infeasible_is_reported() -> None:
    # Both IOM trainers are away all March; every team needs one.
    data = tiny_data()
    away(data, "T1", "2027-03-01", "2027-03-31")
    away(data, "T2", "2027-03-01", "2027-03-31")
    diagnosis = infeasible(problem_of(data))
    away_t1_t2 = ("no IOM trainer qualified for it is free (T1 Amina (fictional) (IOM, woman) is away "
                  "2027-03-01 to 2027-03-31 (mission); T2 Bakhtiyar (fictional) (IOM, man) is away "
                  "2027-03-01 "
                  "to 2027-03-31 (mission)) (rules: Every trainer is available on every course day; A team "
                  "includes a trainer of each required organisation)")
    assert diagnosis == [
        f"M1.T1#1 cannot be scheduled: it needs 2-3 consecutive working days between 2027-03-01 and "
        f"2027-03-31: {away_t1_t2}",
        f"M2.T1#1 cannot be scheduled: it needs 2 consecutive working days between 2027-03-01 and "
        f"2027-03-31: {away_t1_t2}",
    ]


def test_mandatory_edition_whose_qualified_trainers_are_all_away_is_reported() -> None:
    # Only T1 and T2 can give M2.T1, and T1 is away all March: one trainer is left.
    data = only_t1_t2_for_m2(tiny_data(), "module")
    away(data, "T1", "2027-03-01", "2027-03-31")
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        "M2.T1#1 cannot be scheduled: it needs 2 consecutive working days between 2027-03-01 and 2027-03-31: "
        "no woman qualified for it is free (T1 Amina (fictional) (IOM, woman) is away 2027-03-01 to "
        "2027-03-31 "
        "(mission)) (rules: Every trainer is available on every course day; A team of two or more has at "
        "least "
        "one woman and one man)"
    ]


# ---------------------------------------------------------------- trainer_not_double_booked


def one_iom_trainer(data: dict[str, Any]) -> dict[str, Any]:
    """T2 moves to UNHCR: T1 is the only IOM trainer, so she is on every team."""
    record(data, "trainers", "T2")["organisation"] = "UNHCR"
    return data


@pytest.mark.parametrize(
    ("only_t1", "objective"),
    [
        # race_data: with T1 the only IOM trainer the two courses cannot run together:
        # M2.T1 Mon 1-Tue 2, then M1.T1 Wed 3-Fri 5: 2 working days late.
        (True, 0 + 2),
        # Two IOM trainers: both courses start Mon 1: 0.
        (False, 0),
    ],
)
def test_trainer_not_double_booked(only_t1: bool, objective: int) -> None:
    data = one_iom_trainer(race_data()) if only_t1 else race_data()
    result = optimal(problem_of(data))
    m1, m2 = edition(result, "M1.T1#1"), edition(result, "M2.T1#1")
    if only_t1:
        assert "T1" in m1.trainers and "T1" in m2.trainers
        assert not overlap(m1, m2)
    assert result.objective == objective


def test_trainer_not_double_booked_infeasible_is_reported() -> None:
    # T1 must give both courses (3 + 2 days) and both must end by Wed 3 March.
    data = one_iom_trainer(race_data())
    for topic in ("M1.T1", "M2.T1"):
        record(data, "programme", topic)["latest_end"] = "2027-03-03"
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "trainer_not_double_booked")
    assert "trainer T1 Amina (fictional) gives one course or session at a time" in explained_facts(diagnosis)


# ---------------------------------------------------------------------- trainer_month_limit


@pytest.fixture(params=["linear", "cumulative"])
def month_caps(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each monthly-cap test in both CP-SAT forms: linear rows (up to LINEAR_MONTH_CAPS_EDITIONS
    editions) and the cumulative on the month axis (larger programmes)."""
    import scheduler.rules

    if request.param == "cumulative":
        monkeypatch.setattr(scheduler.rules, "LINEAR_MONTH_CAPS_EDITIONS", 0)
    return str(request.param)


@pytest.mark.usefixtures("month_caps")
def test_trainer_month_limit_forces_a_different_team() -> None:
    # T3 and T4 (UNHCR, the cheaper) may teach 2 days a month. M1.T1 (3 days, all in
    # March) cannot have either: its team is T1 + T2, 3 x (100 + 500) = 1800 USD; M2.T1
    # keeps a UNHCR trainer: 980 USD. 2780 USD = 27.8 points (26.3 without the limit).
    data = costed()
    for t in ("T3", "T4"):
        record(data, "trainers", t)["max_days_per_month"] = 2
    result = optimal(problem_of(data))
    assert edition(result, "M1.T1#1").trainers == ["T1", "T2"]
    assert result.objective == 27.8


@pytest.mark.usefixtures("month_caps")
def test_trainer_month_limit_counts_days_per_calendar_month() -> None:
    # The same limit, horizon Mon 29 March - Fri 9 April. M1.T1 can run across the month
    # end (Tue 30 March - Thu 1 April, or Wed 31 - Fri 2), 2 days in one month and 1 in
    # the other, so a UNHCR trainer fits within 2 days a month: 26.3 as without limit.
    data = costed()
    data["calendar"].update(start="2027-03-29", end="2027-04-09")
    for t in ("T3", "T4"):
        record(data, "trainers", t)["max_days_per_month"] = 2
    result = optimal(problem_of(data))
    m1 = edition(result, "M1.T1#1")
    assert {x.month for x in m1.days} == {3, 4}
    assert {"T3", "T4"} & set(m1.trainers)
    assert result.objective == 26.3


@pytest.mark.usefixtures("month_caps")
def test_trainer_month_limit_infeasible_is_reported() -> None:
    # Every trainer may teach 2 days a month; M1.T1 lasts 3 days, all in March.
    data = costed()
    for t in ("T1", "T2", "T3", "T4"):
        record(data, "trainers", t)["max_days_per_month"] = 2
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "trainer_month_limit")


def test_trainer_month_limit_is_left_to_a_year_limit_no_higher_unless_that_one_is_relaxed() -> None:
    # Every trainer: 2 days a month and 2 over the horizon; M1.T1 lasts 3 days. The year
    # limit alone rules it out, so the model carries no monthly limit; a diagnosis model that
    # leaves the year limit out must still carry the monthly one, which rules it out too.
    from ortools.sat.python import cp_model

    from scheduler.solve import build

    data = costed()
    for t in ("T1", "T2", "T3", "T4"):
        record(data, "trainers", t).update(max_days_per_month=2, max_days_per_year=2)
    problem = problem_of(data)
    names = [v.name for v in build(problem, objective=False).model.proto.variables]
    assert not any(n.startswith("trainer_month_days") for n in names)
    for skip in ({"trainer_year_limit"}, {"trainer_month_limit"}):
        built = build(problem, frozenset(skip), objective=False)
        assert cp_model.CpSolver().solve(built.model) == cp_model.INFEASIBLE, skip


# ----------------------------------------------------------------------- trainer_year_limit


@pytest.mark.parametrize(
    ("limit", "objective"),
    [
        (20, 26.3),  # no effect
        # 3 days each: T4 can give M1.T1 (3 days) and T3 M2.T1 (2 days): still 26.3.
        (3, 26.3),
        # 2 days each: neither can give M1.T1: T1 + T2 there, 1800 + 980 USD = 27.8.
        (2, 27.8),
    ],
)
def test_trainer_year_limit(limit: int, objective: float) -> None:
    data = costed()
    for t in ("T3", "T4"):
        record(data, "trainers", t)["max_days_per_year"] = limit
    result = optimal(problem_of(data))
    days = trainer_days(result.schedule)
    assert days["T3"] <= limit and days["T4"] <= limit
    assert result.objective == objective


def test_trainer_year_limit_infeasible_is_reported() -> None:
    # Every trainer may teach 2 days in the horizon; M1.T1 lasts 3.
    data = costed()
    for t in ("T1", "T2", "T3", "T4"):
        record(data, "trainers", t)["max_days_per_year"] = 2
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "trainer_year_limit")


# ----------------------------------------------------------------------- organisation_quota


@pytest.mark.parametrize(
    ("quota", "objective"),
    [
        (None, 26.3),  # a UNHCR trainer on both: 3 + 2 = 5 trainer-days
        (5, 26.3),
        # 3 days: a UNHCR trainer on M1.T1 only; M2.T1 with T1 + T2, 2 x (40 + 500)
        # = 1080 USD; 1650 + 1080 = 2730 USD = 27.3 (cheaper than UNHCR on M2.T1 only:
        # 1800 + 980 = 2780).
        (3, 27.3),
        # 2 days: a UNHCR trainer on M2.T1 only: 1800 + 980 = 2780 USD = 27.8.
        (2, 27.8),
        # 0 days: the quota excludes UNHCR's trainers: T1 + T2 on both, 1800 + 1080 = 28.8.
        (0, 28.8),
    ],
)
def test_organisation_quota(quota: int | None, objective: float) -> None:
    data = costed()
    record(data, "organisations", "UNHCR")["trainer_day_quota"] = quota
    result = optimal(problem_of(data))
    days = trainer_days(result.schedule)
    if quota is not None:
        assert days["T3"] + days["T4"] <= quota
    if quota == 0:
        assert all(se.trainers == ["T1", "T2"] for se in result.schedule.editions)
    assert result.objective == objective


def test_organisation_quota_infeasible_is_reported() -> None:
    # Every team needs an IOM trainer: 3 + 2 = 5 IOM trainer-days, but the quota is 3.
    data = costed()
    record(data, "organisations", "IOM")["trainer_day_quota"] = 3
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "organisation_quota")
