"""Calendar rules: consecutive working days, the course's length, the edition's date window.

The engine enforces these three through each edition's options (scheduler/instance.py),
so an instance that breaks them is reported before CP-SAT runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.check import check, soft_amounts
from model.schedule import Schedule
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import d, edition, infeasible, optimal

# ------------------------------------------------------- course_on_consecutive_working_days


def straddle_data(allow_straddle: bool, *, earliest: str | None = None,
                  holiday: str | None = None) -> dict[str, Any]:
    """M1.T1 fixed at 3 days with priority 1; only lateness counts (weight 1)."""
    data = tiny_data()
    data["calendar"]["allow_straddle"] = allow_straddle
    if holiday:
        data["calendar"]["extra_holidays"] = [{"day": holiday, "name": "Test holiday"}]
    record(data, "programme", "M1.T1").update(duration_days=3, priority=1, earliest_start=earliest)
    data["weights"] = only_weights(priority_topic_late=1)
    return data


@pytest.mark.parametrize(
    ("allow", "earliest", "holiday", "days", "late"),
    [
        # From Thu 4 March (working-day index 3): Thu 4, Fri 5 | weekend | Mon 8 (5).
        # Without straddling, a 3-day course cannot start Thu or Fri: Mon 8, 5 - 3 = 2 late.
        (False, "2027-03-04", None, [d(8), d(9), d(10)], 2),
        # Allowed to continue after the weekend: Thu 4, Fri 5, Mon 8, on time.
        (True, "2027-03-04", None, [d(4), d(5), d(8)], 0),
        # Tue 2 March is a holiday: Mon 1 (index 0), Wed 3 (1), Thu 4 (2), Fri 5 (3).
        # Without straddling it the first start is Wed 3: 1 working day late.
        (False, None, "2027-03-02", [d(3), d(4), d(5)], 1),
        # Allowed to continue after the holiday: Mon 1, Wed 3, Thu 4, on time.
        (True, None, "2027-03-02", [d(1), d(3), d(4)], 0),
    ],
)
def test_course_on_consecutive_working_days_straddles_only_when_allowed(
    allow: bool, earliest: str | None, holiday: str | None, days: list, late: int
) -> None:
    result = optimal(problem_of(straddle_data(allow, earliest=earliest, holiday=holiday)))
    assert edition(result, "M1.T1#1").days == days
    assert result.objective == late
    assert soft_amounts(result.schedule)["priority_topic_late"] == late


def test_course_on_consecutive_working_days_checker_rejects_a_straddle() -> None:
    # The calendar found with allow_straddle True (Thu 4 - Mon 8), checked against the
    # same problem with allow_straddle False: the checker names the rule.
    result = optimal(problem_of(straddle_data(True, earliest="2027-03-04")))
    strict = problem_of(straddle_data(False, earliest="2027-03-04"))
    violations = check(Schedule(problem=strict, editions=result.schedule.editions))
    assert [v.rule for v in violations] == ["course_on_consecutive_working_days"]
    assert "M1.T1#1" in violations[0].records


def test_course_on_consecutive_working_days_infeasible_is_reported() -> None:
    # M1.T1 (3 days) must run Thu 4 - Mon 8 March: only 3 working days, over a weekend.
    data = straddle_data(False, earliest="2027-03-04")
    record(data, "programme", "M1.T1")["latest_end"] = "2027-03-08"
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        "M1.T1#1 cannot be scheduled: it needs 3 consecutive working days, and its window 2027-03-04 to "
        "2027-03-08 has 3 working day(s) but no run of that many without a weekend or holiday (rules: A "
        "course "
        "runs on consecutive working days; A course lasts as long as the programme says; An edition runs "
        "inside its date window)"
    ]


# -------------------------------------------------------------- course_length_within_range


@pytest.mark.parametrize(
    ("duration_days", "length", "objective"),
    [
        # Only cost counts (1 point per 100 USD). M2.T1: 2 days x (room B 40 + IOM 250 +
        # UNHCR 200) = 980 USD. M1.T1 per day: HALL 100 + 250 + 200 = 550 USD.
        (None, 2, 20.8),  # free in 2-3 days, the cheapest is 2: 1100 + 980 = 2080 USD
        (3, 3, 26.3),  # fixed at 3: 1650 + 980 = 2630 USD
        (2, 2, 20.8),
    ],
)
def test_course_length_within_range(duration_days: int | None, length: int, objective: float) -> None:
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = duration_days
    data["weights"] = only_weights(cost=1)
    result = optimal(problem_of(data))
    assert len(edition(result, "M1.T1#1").days) == length
    assert result.objective == objective
    assert soft_amounts(result.schedule)["cost"] == objective * 100


def test_course_length_within_range_infeasible_is_reported() -> None:
    # Only Mondays and Tuesdays are working days: no 3 consecutive working days exist
    # without straddling a weekend, so a 3-day M1.T1 has no start day.
    data = tiny_data()
    data["calendar"]["working_weekdays"] = ["mon", "tue"]
    record(data, "programme", "M1.T1")["duration_days"] = 3
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        "M1.T1#1 cannot be scheduled: it needs 3 consecutive working days, and the horizon 2027-03-01 to "
        "2027-03-31 has 10 working day(s) but no run of that many without a weekend or holiday (rules: A "
        "course runs on consecutive working days; A course lasts as long as the programme says)"
    ]


def test_course_length_within_range_two_days_fit_mondays_and_tuesdays() -> None:
    # The same calendar with M1.T1 left free in 2-3 days: it runs Monday-Tuesday.
    data = tiny_data()
    data["calendar"]["working_weekdays"] = ["mon", "tue"]
    data["weights"] = only_weights(cost=1)
    result = optimal(problem_of(data))
    m1 = edition(result, "M1.T1#1")
    assert [x.weekday() for x in m1.days] == [0, 1]
    assert result.objective == 20.8  # 1100 + 980 USD, as above


# --------------------------------------------------------------- edition_within_its_window


@pytest.mark.parametrize(
    ("windows", "months", "busiest"),
    [
        # March-April 2027, only "Training days in the busiest month" counts (weight 1).
        # M1.T1 fixed at 3 days, M2.T1 2 days: 5 days over two months, so at best 3.
        ({}, None, 3),
        # Both must end by 31 March: all 5 days in March.
        ({"M1.T1": (None, "2027-03-31"), "M2.T1": (None, "2027-03-31")}, {3}, 5),
        # Both must start from 1 April: all 5 days in April.
        ({"M1.T1": ("2027-04-01", None), "M2.T1": ("2027-04-01", None)}, {4}, 5),
        # One window in each month: 3 and 2.
        ({"M1.T1": (None, "2027-03-31"), "M2.T1": ("2027-04-01", None)}, None, 3),
    ],
)
def test_edition_within_its_window(windows: dict, months: set[int] | None, busiest: int) -> None:
    data = tiny_data()
    data["calendar"]["end"] = "2027-04-30"
    record(data, "programme", "M1.T1")["duration_days"] = 3
    for topic, (first, last) in windows.items():
        record(data, "programme", topic).update(earliest_start=first, latest_end=last)
    data["weights"] = only_weights(busiest_month=1)
    problem = problem_of(data)
    result = optimal(problem)
    for se in result.schedule.editions:
        item = problem.edition_by_id[se.edition].item
        assert item.earliest_start is None or se.start >= item.earliest_start
        assert item.latest_end is None or se.end <= item.latest_end
        if months is not None:
            assert {x.month for x in se.days} == months
    assert result.objective == busiest
    assert soft_amounts(result.schedule)["busiest_month"] == busiest


def test_edition_within_its_window_infeasible_is_reported() -> None:
    # A 2-day course whose window is the single day Wed 3 March.
    data = tiny_data()
    record(data, "programme", "M2.T1").update(earliest_start="2027-03-03", latest_end="2027-03-03")
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        "M2.T1#1 cannot be scheduled: it needs 2 consecutive working days, and its window 2027-03-03 to "
        "2027-03-03 has 1 working day(s) (rules: A course runs on consecutive working days; A course lasts "
        "as "
        "long as the programme says; An edition runs inside its date window)"
    ]


def test_edition_within_its_window_when_no_working_day_is_left_after_its_earliest_start() -> None:
    # A 1-day M2.T1 that may start on Tue 30 March at the earliest, with the centre closed
    # 29-31 March: no working day is left on or after its earliest start, and an earlier day
    # (Fri 26) must not be taken instead. The edition has no start; the solver says so.
    from tests.instances.tiny import problem_of, record, tiny_data
    from tests.scheduler.solving import infeasible

    data = tiny_data()
    record(data, "topics", "M2.T1").update(duration_min=1, duration_max=1)
    record(data, "programme", "M2.T1")["earliest_start"] = "2027-03-30"
    data["calendar"]["closures"] = [{"start": "2027-03-29", "end": "2027-03-31", "reason": "closed"}]
    assert any("M2.T1#1" in line for line in infeasible(problem_of(data)))


def test_options_match_a_day_by_day_reading_of_the_rules() -> None:
    # The instance tests every start at once on prefix counts; read the same rules day by
    # day here and compare, on the default programme (absences, closures, windows, orgs, and
    # the nominees free in the months of a course with a minimum of participants).
    from data import default_problem
    from scheduler.instance import Instance
    from tests.instances.mutations import asking

    problem = default_problem()
    inst = Instance(problem)
    cal = inst.cal
    for plan in inst.plans:
        item = plan.edition.item
        nominees = asking(problem, item.topic) if problem.nominations and item.min_participants else []
        expected = []
        for n in plan.edition.durations:
            for s in range(plan.earliest, len(cal) - n + 1):
                span = range(s, s + n)
                if item.latest_end is not None and cal.days[s + n - 1] > item.latest_end:
                    continue
                if not problem.calendar.allow_straddle and not cal.consecutive(s, n):
                    continue
                free = [t for t in plan.trainers if not set(span) & inst.trainer_blocked[t]]
                if len(free) < problem.team_rules.min_trainers:
                    continue
                free_orgs = {inst.trainers[t].organisation for t in free}
                # A guest meets a need it counts for by being free on one day of the course.
                guest_orgs = {inst.trainers[t].organisation for _, cands in plan.guests for t in cands
                              if not set(span) <= inst.trainer_blocked[t]}
                if any(not (free_orgs | (guest_orgs if need.guests_count else set())) & set(need.organisations)
                       for need in problem.team_needs(item)):
                    continue
                if "online" not in plan.modes and all(set(span) & inst.room_blocked[r] for r in plan.rooms):
                    continue
                months = {f"{cal.days[i].year}-{cal.days[i].month:02d}" for i in span}
                free_nominees = sum(1 for x in nominees if not months & set(x.unavailable_months))
                if problem.nominations and free_nominees < item.min_participants:
                    continue
                expected.append((s, n))
        assert plan.options == expected, plan.id
        touching = [i for i, (s, d) in enumerate(plan.options)
                    if any(set(range(s, s + d)) & inst.trainer_blocked[t] for t in plan.trainers[:1])]
        if plan.trainers:
            assert list(plan.touching(inst.trainer_prefix[plan.trainers[0]])) == touching, plan.id


def test_a_closure_reaching_far_beyond_the_horizon_is_read_within_it() -> None:
    # A closure from year 1 to 9999 (hostile input, or a typo) closes the whole horizon, and only
    # the horizon's days are read from it: a calendar of centuries is never walked day by day.
    from model.calendar import WorkCalendar

    data = tiny_data()
    data["calendar"]["closures"] = [{"start": "0001-01-01", "end": "9999-12-31", "reason": "forever"},
                                    {"start": "2027-03-10", "end": "2030-01-01", "reason": "from the 10th"}]
    spec = problem_of(tiny_data()).calendar.model_validate(data["calendar"])
    cal = WorkCalendar(spec)
    assert cal.days == ()
    closed = [day for day, why in cal.off.items() if why in ("forever", "from the 10th")]
    assert closed and all(spec.start <= day <= spec.end for day in closed)
    data["calendar"]["closures"] = data["calendar"]["closures"][1:]
    cal = WorkCalendar(problem_of(tiny_data()).calendar.model_validate(data["calendar"]))
    assert cal.days[-1].isoformat() == "2027-03-09" and cal.off[cal.days[-1].replace(day=10)] == "from the 10th"
