"""Team rules: size, required organisations, a woman and a man on every team of two or more."""

from __future__ import annotations

from typing import Any

import pytest

from model.check import soft_amounts
from model.doctor import doctor
from model.rules import RULES
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data
from tests.scheduler.solving import edition, infeasible, names_rule, optimal, overlap


def costed() -> dict[str, Any]:
    """Only cost counts (1 point per 100 USD); M1.T1 fixed at 3 days (HALL, 100 USD/day),
    M2.T1 2 days (room B, 40 USD/day). Rooms: 300 + 80 = 380 USD."""
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    data["weights"] = only_weights(cost=1)
    return data


def genders(problem_data: dict[str, Any], team: list[str]) -> set[str]:
    return {record(problem_data, "trainers", t)["gender"] for t in team}


# ------------------------------------------------------------------ team_size_within_limits


@pytest.mark.parametrize(
    ("min_trainers", "max_trainers", "size", "objective"),
    [
        # One trainer, who must be from IOM (250 a day); no gender rule for a team of one:
        # 3 x 350 + 2 x 290 = 1630 USD = 16.3.
        (1, 1, 1, 16.3),
        # One to three: one is cheapest, as above.
        (1, 3, 1, 16.3),
        # Two or three: IOM + UNHCR of the other gender, 450 a day: 2630 USD = 26.3.
        (2, 3, 2, 26.3),
        # Exactly three: one IOM (250) with T3 and T4 (200 each), 650 a day:
        # 3 x 750 + 2 x 690 = 3630 USD = 36.3.
        (3, 3, 3, 36.3),
    ],
)
def test_team_size_within_limits(min_trainers: int, max_trainers: int, size: int, objective: float) -> None:
    data = costed()
    data["team_rules"] = {"min_trainers": min_trainers, "max_trainers": max_trainers}
    result = optimal(problem_of(data))
    assert [len(se.trainers) for se in result.schedule.editions] == [size, size]
    assert result.objective == objective


def test_team_size_within_limits_infeasible_is_reported() -> None:
    # A team of at most one trainer must include both IOM and UNHCR.
    data = tiny_data()
    data["team_rules"] = {"min_trainers": 1, "max_trainers": 1, "required_organisations": ["IOM", "UNHCR"]}
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "team_size_within_limits")


# ------------------------------------------------------- team_covers_required_organisations


@pytest.mark.parametrize(
    ("team_orgs", "m2_orgs", "objective"),
    [
        # No organisation required: T3 + T4 (UNHCR, 400 a day) on both:
        # 3 x 500 + 2 x 440 = 2380 USD = 23.8.
        ([], None, 23.8),
        # IOM required: 450 a day, 2630 USD = 26.3.
        (["IOM"], None, 26.3),
        (["IOM", "UNHCR"], None, 26.3),
        # M2.T1 overrides the team rules with UNHCR only: T3 + T4 there, 880 USD;
        # M1.T1 keeps IOM: 1650 USD. 2530 USD = 25.3.
        (["IOM"], ["UNHCR"], 25.3),
        # M2.T1 overrides them with no organisation at all: the same 25.3.
        (["IOM"], [], 25.3),
    ],
)
def test_team_covers_required_organisations(team_orgs: list[str], m2_orgs: list[str] | None,
                                            objective: float) -> None:
    data = costed()
    data["team_rules"] = {"required_organisations": team_orgs}
    record(data, "programme", "M2.T1")["required_organisations"] = m2_orgs
    problem = problem_of(data)
    result = optimal(problem)
    for se in result.schedule.editions:
        orgs = {problem.trainer_by_id[t].organisation for t in se.trainers}
        assert set(problem.required_organisations(problem.edition_by_id[se.edition].item)) <= orgs
    assert result.objective == objective


def test_team_covers_required_organisations_infeasible_is_reported() -> None:
    # OSCE is required on every team but has no trainer.
    data = tiny_data()
    data["organisations"].append({"id": "OSCE", "name": "OSCE", "kind": "international"})
    data["team_rules"] = {"required_organisations": ["IOM", "OSCE"]}
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        f"{e} cannot be scheduled: no trainer of OSCE is qualified for {e[:5]} in 'en'; every team must "
        "include "
        "one (rules: Every trainer is qualified for the topic and speaks its language; A team includes a "
        "trainer of each required organisation)"
        for e in ("M1.T1#1", "M2.T1#1")
    ]


# ------------------------------------------------------------- team_includes_a_lead_agency


def led_by_ohchr(mode: str, weight: float = 0, staffed: bool = True) -> dict[str, Any]:
    """``costed`` where OHCHR leads M2.T1: T5 Olga (woman, OHCHR, 300 USD/day) can teach it.

    Without the rule the teams are IOM + UNHCR of the other gender, 450 a day: 26.3 (above).
    With OHCHR on M2.T1's team: T5 with an IOM man (T2), 550 a day, 2 x (550 + 40) = 1180 USD
    there, 1650 on M1.T1: 2830 USD = 28.3. Soft, missing it costs ``weight`` points instead.
    """
    data = costed()
    data["organisations"].append({"id": "OHCHR", "name": "OHCHR", "kind": "un_agency"})
    if staffed:
        data["trainers"].append({"id": "T5", "name": "Olga (fictional)", "gender": "woman", "organisation": "OHCHR",
                                 "topics": ["M2.T1"], "day_rate": 300, "fictional": True})
    record(data, "topics", "M2.T1")["lead_agencies"] = ["OHCHR"]
    data["team_rules"] = {"lead_agency": mode}
    data["weights"]["edition_without_lead_agency"] = weight
    return data


@pytest.mark.parametrize(
    ("mode", "weight", "objective", "ohchr_on_m2"),
    [
        ("hard", 0, 28.3, True),
        # 26.3 + 1 point for the edition without its lead agency beats 28.3.
        ("soft", 1, 27.3, False),
        # 26.3 + 5 does not.
        ("soft", 5, 28.3, True),
        ("off", 0, 26.3, False),
    ],
)
def test_team_includes_a_lead_agency(mode: str, weight: float, objective: float, ohchr_on_m2: bool) -> None:
    problem = problem_of(led_by_ohchr(mode, weight))
    result = optimal(problem)
    assert ("T5" in edition(result, "M2.T1#1").trainers) == ohchr_on_m2
    assert "T5" not in edition(result, "M1.T1#1").trainers
    assert result.objective == objective
    assert soft_amounts(result.schedule)["edition_without_lead_agency"] == (
        0 if ohchr_on_m2 or mode != "soft" else 1)


def test_a_lead_agency_nobody_can_represent_softens_the_rule_with_a_warning_and_a_note() -> None:
    # OHCHR has nobody: the hard rule becomes soft for M2.T1 (1 point missing): 26.3 + 1.
    problem = problem_of(led_by_ohchr("hard", 1, staffed=False))
    assert problem.lead_agency_mode(problem.programme[1]) == "soft"
    result = optimal(problem)
    assert result.objective == 27.3
    assert "M2.T1: no person of OHCHR can teach it in 'en': its lead-agency rule is soft" in result.report.warnings
    notes = [f for f in doctor(problem) if f.check == "lead_agency_pool"]
    assert [(f.blocking, f.records) for f in notes] == [(False, ["OHCHR", "M2.T1"])]
    assert "lead agency OHCHR has nobody in the pool; it leads M2.T1" in notes[0].message


def test_team_includes_a_lead_agency_infeasible_is_reported() -> None:
    # T5, OHCHR's only person, is away all March: M2.T1 has no team.
    data = led_by_ohchr("hard")
    record(data, "trainers", "T5")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "team_includes_a_lead_agency"), diagnosis
    assert any("no person of its lead agencies (OHCHR) qualified for it is free" in line for line in diagnosis)


# ------------------------------------------------------------------------ team_mixed_gender


def one_woman(data: dict[str, Any]) -> dict[str, Any]:
    """T3 is a man: T1 (IOM) is the only woman, so every mixed team includes her."""
    record(data, "trainers", "T3")["gender"] = "man"
    return data


@pytest.mark.parametrize(
    ("team_rules", "objective"),
    [
        # race_data with one woman: both teams need T1, so the courses cannot run
        # together: M2.T1 Mon 1-Tue 2, then M1.T1 Wed 3-Fri 5: 2 working days late.
        ({"mixed_gender": "hard"}, 2),
        # Teams of one allowed, but IOM and UNHCR both required: every team has two,
        # so it needs T1 too: 2.
        ({"min_trainers": 1, "required_organisations": ["IOM", "UNHCR"]}, 2),
        # Teams of one allowed and only IOM required: T1 alone and T2 alone, both Mon 1: 0.
        ({"min_trainers": 1}, 0),
        # The rule off: T1 + T4 and T2 + T3 (two men), both Mon 1: 0.
        ({"mixed_gender": "off"}, 0),
    ],
)
def test_team_mixed_gender(team_rules: dict[str, Any], objective: int) -> None:
    data = one_woman(race_data())
    data["team_rules"] = team_rules
    result = optimal(problem_of(data))
    mode = team_rules.get("mixed_gender", "hard")
    for se in result.schedule.editions:
        if mode == "hard" and len(se.trainers) >= 2:
            assert genders(data, se.trainers) >= {"woman", "man"}
    if objective:
        assert not overlap(edition(result, "M1.T1#1"), edition(result, "M2.T1#1"))
    assert result.objective == objective
    assert soft_amounts(result.schedule)["team_without_mixed_gender"] == 0  # counted only when soft


def test_team_mixed_gender_infeasible_names_the_rule_to_relax() -> None:
    # No woman at all: T1 and T3 are men. Only relaxing the mixed-gender rule helps.
    data = tiny_data()
    for t in ("T1", "T3"):
        record(data, "trainers", t)["gender"] = "man"
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        f"{e} cannot be scheduled: no woman is qualified for {e[:5]} in 'en'; a team of two or more needs a "
        "woman and a man (rules: Every trainer is qualified for the topic and speaks its language; A team of "
        "two or more has at least one woman and one man)"
        for e in ("M1.T1#1", "M2.T1#1")
    ]
    assert names_rule(diagnosis, "team_mixed_gender")
    assert RULES["team_mixed_gender"].name == "A team of two or more has at least one woman and one man"
