"""The doctor: what the data alone rule out, found before the solver runs, with the records.

A table of ``tiny`` variants, one impossibility each (a comment per row): the doctor names
the check, the rules and the records. Every blocking finding is sound: ``solve`` stops on it
before building a model, and the engine's explain model agrees that no calendar exists
(a property over random variants). The embedded default and every shipped scenario pass.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.doctor import Finding, blocking, doctor
from model.problem import Problem
from scheduler.explain import facts_hold
from scheduler.facts import build_fact_model
from scheduler.solve import solve
from tests.instances.tiny import problem_of, record, tiny_data
from tests.scheduler.solving import OPTIONS

MARCH = {"start": "2027-03-01", "end": "2027-03-31"}


def tiny_with(fn: Any) -> dict[str, Any]:
    data = tiny_data()
    fn(data)
    return data


def _away(*trainers: str) -> Any:
    def fn(data: dict[str, Any]) -> None:
        for t in trainers:
            record(data, "trainers", t)["unavailable"] = [dict(MARCH)]
    return fn


def _set(section: str, ident: str, **values: Any) -> Any:
    def fn(data: dict[str, Any]) -> None:
        record(data, section, ident).update(values)
    return fn


def _all(*fns: Any) -> Any:
    def fn(data: dict[str, Any]) -> None:
        for f in fns:
            f(data)
    return fn


def _top(**values: Any) -> Any:
    def fn(data: dict[str, Any]) -> None:
        data.update(values)
    return fn


def _april(data: dict[str, Any]) -> None:
    data["calendar"]["end"] = "2027-04-30"


def _osce(data: dict[str, Any]) -> None:
    data["organisations"].append({"id": "OSCE", "name": "OSCE", "kind": "international"})
    data["team_rules"] = {"required_organisations": ["IOM", "OSCE"]}


CASES = [
    # M2.T1 (2 days) in a one-day window.
    ("window", _set("programme", "M2.T1", earliest_start="2027-03-03", latest_end="2027-03-03"),
     "edition_window", {"M2.T1#1", "programme M2.T1 earliest_start 2027-03-03",
                        "programme M2.T1 latest_end 2027-03-03"}),
    # Mondays and Tuesdays only: no 3 consecutive working days for M1.T1.
    ("no_block", _all(_set("programme", "M1.T1", duration_days=3),
                      lambda d: d["calendar"].update(working_weekdays=["mon", "tue"])),
     "edition_window", {"M1.T1#1"}),
    # Only T1 can teach module 2; a team needs two.
    ("one_qualified", _all(*(_set("trainers", t, modules=[1]) for t in ("T2", "T3", "T4"))),
     "edition_team", {"M2.T1#1", "T1"}),
    # OSCE is required on every team but has no trainer.
    ("org_without_trainer", _osce, "edition_team", {"M1.T1#1", "T1", "T2", "T3", "T4"}),
    # No woman: the hard mixed-team rule cannot hold.
    ("no_woman", _all(_set("trainers", "T1", gender="man"), _set("trainers", "T3", gender="man")),
     "edition_team", {"M1.T1#1", "T1", "T2", "T3", "T4"}),
    # Teams of one, but IOM and UNHCR both required.
    ("team_too_small", _top(team_rules={"min_trainers": 1, "max_trainers": 1,
                                        "required_organisations": ["IOM", "UNHCR"]}),
     "edition_team", {"M1.T1#1", "T1", "T2", "T3", "T4"}),
    # Both IOM trainers away all March.
    ("iom_away", _away("T1", "T2"), "edition_availability",
     {"M1.T1#1", "T1", "T2", "T1 unavailable 2027-03-01..2027-03-31",
      "T2 unavailable 2027-03-01..2027-03-31"}),
    # M2.T1 (25 in person) fits only HALL, closed all March.
    ("room_closed", _all(_set("programme", "M2.T1", participants_in_person=25),
                         _set("rooms", "HALL", closures=[dict(MARCH)])),
     "edition_availability", {"M1.T1#1", "HALL", "room HALL closed 2027-03-01..2027-03-31"}),
    # Every trainer may teach 2 days a month; M1.T1 lasts 3.
    ("month_limit", _all(_set("programme", "M1.T1", duration_days=3),
                         *(_set("trainers", t, max_days_per_month=2) for t in ("T1", "T2", "T3", "T4"))),
     "edition_availability", {"M1.T1#1", "T1", "T2"}),
    # 30 free days after M1.T1 (3 days) before M2.T1, in March.
    ("prerequisite_chain", _all(_set("programme", "M1.T1", duration_days=3),
                                _top(prerequisites=[{"before": "M1.T1", "after": "M2.T1",
                                                     "min_gap_days": 30}])),
     "prerequisite_chain", {"M2.T1#1", "prerequisite M1.T1->M2.T1"}),
    # IOM is on every team: 3 + 2 trainer-days, but its quota is 3.
    ("quota", _all(_set("programme", "M1.T1", duration_days=3),
                   _set("organisations", "IOM", trainer_day_quota=3)),
     "organisation_quota", {"IOM", "M1.T1#1", "M2.T1#1"}),
    # T1, the only IOM trainer, is on every team (5 days at the least) but may teach 4.
    ("essential_trainer", _all(_set("programme", "M1.T1", duration_days=3),
                               _set("trainers", "T2", organisation="UNHCR"),
                               _set("trainers", "T1", max_days_per_year=4)),
     "trainer_year_limit", {"T1", "M1.T1#1", "M2.T1#1"}),
    # The cheapest calendar costs 2,080 USD.
    ("budget", _top(budget_usd=2000), "budget", {"budget"}),
    # The cheapest calendar (M1.T1#1 1,100 USD, M2.T1#1 980) starts in March, 2027-Q1.
    ("quarter_budget", _top(quarterly_budget_usd={"2027-Q1": 2079}), "quarter_budget",
     {"budget 2027-Q1", "M1.T1#1", "M2.T1#1"}),
    # Over March and April, M1.T1#1 pinned to start on 5 April: 1,100 at the least in 2027-Q2.
    ("quarter_budget_pinned", _all(_april, _top(quarterly_budget_usd={"2027-Q2": 1099},
                                                pins=[{"edition": "M1.T1#1", "start": "2027-04-05"}])),
     "quarter_budget", {"budget 2027-Q2", "M1.T1#1"}),
    # Over March and April, M1.T1#1 (1,100 at the least) above the cap of either quarter.
    ("quarter_budget_everywhere", _all(_april, _top(quarterly_budget_usd={"2027-Q1": 1099, "2027-Q2": 1099})),
     "quarter_budget", {"budget 2027-Q1", "budget 2027-Q2", "M1.T1#1"}),
    # Over March and April, each course fits one quarter's cap but both (2,080) not the two (2,000).
    ("quarter_budgets_together", _all(_april, _top(quarterly_budget_usd={"2027-Q1": 1100, "2027-Q2": 900})),
     "quarter_budget", {"budget 2027-Q1", "budget 2027-Q2", "M1.T1#1", "M2.T1#1"}),
    # A hard 40 % of women, and no woman qualified.
    ("women_share", _all(_set("trainers", "T1", modules=[]), _set("trainers", "T3", modules=[]),
                         _top(team_rules={"mixed_gender": "off"},
                              targets={"trainer_days_year": {"min_share": 0.4, "mode": "hard"}})),
     "women_share", {"the programme", "T2", "T4"}),
    # A pin on a Saturday.
    ("pin_start", _top(pins=[{"edition": "M1.T1#1", "start": "2027-03-06"}]), "pin_start",
     {"M1.T1#1", "pin M1.T1#1"}),
    # Two women pinned as the team of a mixed-team course.
    ("pin_team", _top(pins=[{"edition": "M1.T1#1", "trainers": ["T1", "T3"]}]), "pin_team",
     {"M1.T1#1", "pin M1.T1#1", "T1", "T3"}),
    # M1.T1 (hybrid) pinned to room B (not hybrid).
    ("pin_room", _top(pins=[{"edition": "M1.T1#1", "room": "B"}]), "pin_room",
     {"M1.T1#1", "pin M1.T1#1", "B"}),
]


def first_blocking(problem: Problem) -> Finding:
    found = blocking(doctor(problem))
    assert found, "the doctor found nothing"
    return found[0]


@pytest.mark.parametrize(("name", "edit", "check", "records"), CASES, ids=[c[0] for c in CASES])
def test_the_doctor_names_each_impossibility_with_its_records(name: str, edit: Any, check: str,
                                                              records: set[str]) -> None:
    finding = first_blocking(problem_of(tiny_with(edit)))
    assert finding.check == check
    assert set(finding.records) == records
    assert finding.line().startswith(finding.message + " (rule")


@pytest.mark.parametrize(("name", "edit", "check", "records"), CASES, ids=[c[0] for c in CASES])
def test_solve_stops_on_the_doctor_s_findings_before_building_a_model(monkeypatch, name: str, edit: Any,
                                                                      check: str, records: set[str]) -> None:
    import scheduler.solve

    def no_model(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model was built")

    monkeypatch.setattr(scheduler.solve, "build", no_model)
    monkeypatch.setattr(scheduler.solve, "Instance", no_model)
    problem = problem_of(tiny_with(edit))
    result = solve(problem, OPTIONS)
    assert result.status == "INFEASIBLE"
    assert result.report.diagnosis == [f.line() for f in blocking(doctor(problem))]
    assert {c.source for c in result.report.causes} == {"doctor"}
    assert set(result.report.causes[0].records) == records


@pytest.mark.parametrize(("name", "edit", "check", "records"), CASES, ids=[c[0] for c in CASES])
def test_every_impossibility_the_doctor_claims_is_real(name: str, edit: Any, check: str,
                                                      records: set[str]) -> None:
    problem = problem_of(tiny_with(edit))
    assert facts_hold(problem, list(build_fact_model(problem).facts)) is False


def test_the_doctor_reads_an_edition_too_big_for_every_room() -> None:
    # Validation rejects it first; a problem built without validation still gets a finding.
    problem = problem_of(tiny_data())
    item = problem.programme[1].model_copy(update={"participants_in_person": 99})
    fields = {name: getattr(problem, name) for name in Problem.model_fields}
    bigger = Problem.model_construct(**{**fields, "programme": [problem.programme[0], item]})
    finding = first_blocking(bigger)
    assert (finding.check, finding.records) == ("edition_room", ["M2.T1#1"])
    assert finding.message == "M2.T1#1 cannot be scheduled: no room fits it (it needs 99 seats)"


def test_an_optional_edition_that_can_never_run_is_a_note_not_a_stop() -> None:
    data = tiny_with(_all(_away("T1", "T2"), lambda d: d["programme"].pop(0),
                          _set("programme", "M2.T1", mandatory=False)))
    findings = doctor(problem_of(data))
    assert [(f.check, f.blocking) for f in findings] == [("edition_availability", False)]
    assert findings[0].message.startswith("optional M2.T1#1 cannot be scheduled")
    result = solve(problem_of(data), OPTIONS)
    assert result.status == "OPTIMAL"
    assert result.schedule.unscheduled[0].reason == findings[0].message


def test_the_default_and_every_shipped_scenario_pass_the_doctor() -> None:
    # How fast the doctor is (under 1 s on the default) is measured by `make explain-time`.
    from data import default_problem
    from scenarios.scenario import load

    problem = default_problem()
    # Nothing blocks; the notes are the requests of nominees who follow neither working language,
    # and the optional editions of the 8 topics fewer than 8 nominees could sit.
    assert blocking(doctor(problem)) == []
    notes = doctor(problem)
    assert {f.check for f in notes} == {"language_unserved", "edition_demand"}
    assert len([f for f in notes if f.check == "edition_demand"]) == 8
    for path in sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml")):
        _, _, changed = load(path)
        assert blocking(doctor(changed)) == [], path.name


# ------------------------------------------------------------------------ soundness, at random

MARCH_1 = date(2027, 3, 1)


@st.composite
def variants(draw: st.DrawFn) -> dict[str, Any]:
    """tiny with random absences, closures, windows, limits, quotas, team rules and a budget."""
    data = tiny_data()

    def period() -> dict[str, str]:
        first = draw(st.integers(0, 30))
        last = min(30, first + draw(st.integers(0, 20)))
        return {"start": (MARCH_1 + timedelta(days=first)).isoformat(),
                "end": (MARCH_1 + timedelta(days=last)).isoformat()}

    for t in ("T1", "T2", "T3", "T4"):
        tr = record(data, "trainers", t)
        tr["unavailable"] = [period() for _ in range(draw(st.integers(0, 1)))]
        tr["max_days_per_month"] = draw(st.sampled_from([None, 2, 3]))
        tr["gender"] = draw(st.sampled_from(["woman", "man", "man", "woman", "undisclosed"]))
    record(data, "rooms", "HALL")["closures"] = [period() for _ in range(draw(st.integers(0, 1)))]
    for topic in ("M1.T1", "M2.T1"):
        item = record(data, "programme", topic)
        if draw(st.booleans()):
            first = draw(st.integers(0, 25))
            item["earliest_start"] = (MARCH_1 + timedelta(days=first)).isoformat()
            last = min(30, first + draw(st.integers(0, 8)))
            item["latest_end"] = (MARCH_1 + timedelta(days=last)).isoformat()
    record(data, "organisations", "IOM")["trainer_day_quota"] = draw(st.sampled_from([None, 3, 5, 8]))
    low = draw(st.integers(1, 3))
    data["team_rules"] = {"min_trainers": low, "max_trainers": draw(st.integers(low, 3)),
                          "required_organisations": draw(st.sampled_from([["IOM"], ["IOM", "UNHCR"], []])),
                          "mixed_gender": draw(st.sampled_from(["hard", "off"]))}
    data["budget_usd"] = draw(st.sampled_from([None, 1500, 2100, 3000]))
    if draw(st.booleans()):
        gap = draw(st.integers(0, 20))
        data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": gap}]
    return data


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(variants())
def test_a_blocking_finding_is_always_confirmed_by_the_solver(data: dict[str, Any]) -> None:
    problem = problem_of(data)
    if blocking(doctor(problem)):
        assert facts_hold(problem, list(build_fact_model(problem).facts)) is False


def test_the_budget_minimum_counts_interpretation_and_required_guests() -> None:
    # M2.T1 (2 days) interpreted into Russian at 250 a day, and a required guest slot whose only
    # guest costs 100 and a 300 trip: the mandatory courses' floor counts both.
    data = tiny_data()
    record(data, "programme", "M2.T1")["interpretation"] = ["ru"]
    data["costs"] = {"interpretation_day_usd": 250}
    for room in data["venues"][0]["rooms"]:
        room["interpretation_booths"] = 1
    data["organisations"].append({"id": "COUNTRY", "name": "Country representatives", "kind": "government"})
    data["trainers"].append({"id": "G1", "name": "G1 (fictional)", "gender": "woman", "organisation": "COUNTRY",
                             "role": "guest", "modules": [2], "day_rate": 100, "travel_usd": 300})
    record(data, "programme", "M2.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"],
                                                          "required": True}]
    without = problem_of({**data, "budget_usd": 10**6})
    floor = sum(int(part.rsplit(" ", 1)[1].replace(",", "")) for part in
                _budget_parts(problem_of({**data, "budget_usd": 0})))
    # The floor includes 2 days x 250 of interpretation and the guest's 400.
    assert floor >= 500 + 400
    found = [f for f in doctor(problem_of({**data, "budget_usd": floor - 1})) if f.check == "budget"]
    assert found and f"{floor:,} USD that the mandatory courses cost at the least, 1 USD over" in found[0].message
    assert not [f for f in doctor(without) if f.check == "budget"]
    # A blocking finding is always right: no calendar at that budget.
    tight = problem_of({**data, "budget_usd": floor - 1})
    assert facts_hold(tight, list(build_fact_model(tight).facts)) is False


def _budget_parts(problem: Problem) -> list[str]:
    """The per-edition minimum costs the doctor's budget finding lists ('M1.T1#1 1,234')."""
    finding = next(f for f in doctor(problem) if f.check == "budget")
    return finding.message.rsplit(": ", 1)[1].rstrip(")").split("; ")


def test_a_quarter_s_cap_at_the_mandatory_courses_floor_is_no_finding() -> None:
    # 2,080 USD exactly: the cheapest calendar fits, and the solver finds it.
    problem = problem_of({**tiny_data(), "quarterly_budget_usd": {"2027-Q1": 2080}})
    assert not [f for f in doctor(problem) if f.check == "quarter_budget"]
    assert solve(problem, OPTIONS).found


# ------------------------------------------------------------------------------ a choice of modes


def test_an_edition_that_may_run_online_needs_no_room() -> None:
    # M2.T1 plans 99 in person: no room seats them, but it may run online (99 online seats of the
    # platform's 100): the doctor finds nothing.
    data = tiny_with(_set("topics", "M2.T1", modes=["in_person", "online"]))
    record(data, "programme", "M2.T1").update(modes=["in_person", "online"], participants_in_person=99)
    assert doctor(problem_of(data)) == []


def test_no_room_fits_names_what_each_room_mode_needs() -> None:
    # M1.T1 may run hybrid or in person, with 99 in person: no room holds it either way.
    # Validation rejects it first; a problem built without validation still gets a finding.
    problem = problem_of(tiny_with(_set("programme", "M1.T1", modes=["hybrid", "in_person"])))
    item = problem.programme[0].model_copy(update={"participants_in_person": 99})
    fields = {name: getattr(problem, name) for name in Problem.model_fields}
    bigger = Problem.model_construct(**{**fields, "programme": [item, problem.programme[1]]})
    finding = first_blocking(bigger)
    assert (finding.check, finding.records) == ("edition_room", ["M1.T1#1"])
    assert finding.message == ("M1.T1#1 cannot be scheduled: no room fits it (it needs 99 seats, hybrid "
                               "equipment and 10 online seats (hybrid) or 99 seats (in person))")


def test_the_budget_minimum_takes_each_edition_s_cheapest_mode() -> None:
    # M1.T1 (2 days) hybrid needs HALL: 2 x (450 + 100) = 1,100 USD; in person it fits B:
    # 2 x (450 + 40) = 980. With M2.T1's 980, the floor is 1,960 (2,080 when M1.T1 must be hybrid).
    data = tiny_with(_set("programme", "M1.T1", modes=["hybrid", "in_person"], duration_days=2))
    assert _budget_parts(problem_of({**data, "budget_usd": 0})) == ["M1.T1#1 980", "M2.T1#1 980"]
    assert not [f for f in doctor(problem_of({**data, "budget_usd": 1960})) if f.check == "budget"]
    # Pinned hybrid, it costs 1,100 again.
    pinned = {**data, "budget_usd": 0, "pins": [{"edition": "M1.T1#1", "mode": "hybrid"}]}
    assert _budget_parts(problem_of(pinned)) == ["M1.T1#1 1,100", "M2.T1#1 980"]


def test_an_edition_pinned_in_person_counts_only_the_nominees_who_come_in_person() -> None:
    # M1.T1 may run hybrid or in person, with a minimum of 8; its 8 nominees follow online only.
    # Hybrid seats them all; pinned in person, none of them can sit it: a blocking finding.
    data = tiny_with(_set("programme", "M1.T1", modes=["hybrid", "in_person"], min_participants=8))
    data["nominations"] = [{"id": f"N{i}", "country": "Georgia", "audience": "government", "topics": ["M1.T1"],
                            "mode": "online"} for i in range(1, 9)]
    assert blocking(doctor(problem_of(data))) == []
    data["pins"] = [{"edition": "M1.T1#1", "mode": "in_person"}]
    finding = first_blocking(problem_of(data))
    assert (finding.check, finding.rules) == ("edition_demand", ["edition_has_enough_requests"])
    assert finding.message.endswith("but in no month of its window are 8 of them free to sit it in person")
    assert not solve(problem_of(data), OPTIONS).found
