"""Women's share of trainer-days: the year's, each module's and each month's, hard or soft.

All on ``tiny`` with the mixed-team rule off and only cost counting (1 point per 100 USD),
with day rates that make an all-male team cheapest:

- T1 woman IOM 250, T2 man IOM 240, T3 woman UNHCR 200, T4 man UNHCR 100 (USD a day).
- M1.T1 fixed at 3 days in HALL (100 USD/day), M2.T1 2 days in room B (40 USD/day):
  rooms 380 USD. Teams of two with one IOM trainer.
- Cheapest: T2 + T4 on both, 340 a day: 5 x 340 + 380 = 2080 USD = 20.8. Trainer-days
  10, women 0.
- The cheapest way to add women: T1 for T2 (+10 a day): on M1.T1 +30 USD (3 women-days),
  on M2.T1 +20 (2), on both +50 (5). Every other swap costs 100 a day or more.

So a minimum share p of the 10 trainer-days needs ceil(10p) women-days: 30 % -> 3 (T1 on
M1.T1: 21.1), 40 % or 50 % -> 4 or 5 (T1 on both: 21.3).
"""

from __future__ import annotations

from typing import Any

import pytest

from model.check import soft_amounts
from model.parity import parity_report
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import edition, infeasible, names_rule, optimal


def all_male_cheapest(**weights: float) -> dict[str, Any]:
    data = tiny_data()
    for tid, rate in (("T1", 250), ("T2", 240), ("T3", 200), ("T4", 100)):
        record(data, "trainers", tid)["day_rate"] = rate
    record(data, "programme", "M1.T1")["duration_days"] = 3
    data["team_rules"] = {"mixed_gender": "off"}
    data["weights"] = only_weights(cost=1, **weights)
    data["targets"] = {"trainer_days_year": {"mode": "off"}, "participants_edition": {"mode": "off"}}
    return data


def women_cheapest(**weights: float) -> dict[str, Any]:
    """The mirror image: T1 and T3 (women) 100 a day, T2 250, T4 200.

    Cheapest: T1 + T3 on both, 200 a day: 1000 + 380 = 1380 USD = 13.8, all 10 trainer-days
    by women. A man instead of T3 (T4, +100 a day): on M1.T1 +300 USD, on M2.T1 +200.
    """
    data = all_male_cheapest(**weights)
    for tid, rate in (("T1", 100), ("T2", 250), ("T3", 100), ("T4", 200)):
        record(data, "trainers", tid)["day_rate"] = rate
    return data


def target(data: dict[str, Any], scope: str, **band: Any) -> dict[str, Any]:
    data["targets"][f"trainer_days_{scope}"] = band
    return data


def women_on(result: Any, edition_id: str) -> int:
    genders = {"T1": "woman", "T2": "man", "T3": "woman", "T4": "man"}
    return sum(1 for t in edition(result, edition_id).trainers if genders[t] == "woman")


def april_split(data: dict[str, Any]) -> dict[str, Any]:
    """March and April 2027: M1.T1 ends in March, M2.T1 starts in April (one month each)."""
    data["calendar"]["end"] = "2027-04-30"
    record(data, "programme", "M1.T1")["latest_end"] = "2027-03-31"
    record(data, "programme", "M2.T1")["earliest_start"] = "2027-04-01"
    return data


def test_no_target_gives_the_all_male_teams() -> None:
    result = optimal(problem_of(all_male_cheapest()))
    assert result.objective == 20.8
    assert women_on(result, "M1.T1#1") == women_on(result, "M2.T1#1") == 0


# --------------------------------------------------------------- trainer_days_women_share_year


@pytest.mark.parametrize(
    ("min_share", "objective", "m1_women", "m2_women"),
    [
        # 30 % of 10 trainer-days: 3 women-days, T1 on M1.T1 (+30 USD).
        (0.3, 21.1, 1, 0),
        # 40 %: 4 women-days; M1.T1 alone gives 3, so T1 on both (+50 USD).
        (0.4, 21.3, 1, 1),
        # 50 %: 5, the same.
        (0.5, 21.3, 1, 1),
    ],
)
def test_trainer_days_women_share_year_binds(min_share: float, objective: float, m1_women: int,
                                             m2_women: int) -> None:
    data = target(all_male_cheapest(), "year", min_share=min_share, max_share=None, mode="hard")
    result = optimal(problem_of(data))
    assert result.objective == objective
    assert (women_on(result, "M1.T1#1"), women_on(result, "M2.T1#1")) == (m1_women, m2_women)


def test_trainer_days_women_share_year_binds_at_the_top_too() -> None:
    # At most 60 % women when women are cheapest: 10 women-days must drop to 6. A man (T4 for
    # T3) on M1.T1 only leaves 7, too many; on both editions: 1380 + 500 = 1880 USD; so does
    # an all-male M2.T1 (T2 + T4, +250 a day): 6 of 10. Either way 18.8.
    data = target(women_cheapest(), "year", min_share=None, max_share=0.6, mode="hard")
    result = optimal(problem_of(data))
    assert result.objective == 18.8
    assert (women_on(result, "M1.T1#1"), women_on(result, "M2.T1#1")) in ((1, 1), (2, 0))
    assert parity_report(result.schedule).row("trainers", "year", "year").share in (0.5, 0.6)


def test_trainer_days_women_share_year_infeasible_when_no_woman_is_qualified() -> None:
    data = target(all_male_cheapest(), "year", min_share=0.4, mode="hard")
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["modules"] = []
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "trainer_days_women_share_year")
    assert any("the programme: no woman trainer or guest is qualified for its topics (M1.T1, M2.T1)" in line
               for line in diagnosis), diagnosis


# ------------------------------------------------------------ trainer_days_women_share_module


def test_trainer_days_women_share_module_binds() -> None:
    # 30 % of each module: module 1 (M1.T1, 6 trainer-days) needs 2 women-days, module 2
    # (M2.T1, 4) needs 2: a woman on both (+50 USD), where the year's 30 % needed M1.T1 only.
    data = target(all_male_cheapest(), "module", min_share=0.3, max_share=None, mode="hard")
    result = optimal(problem_of(data))
    assert result.objective == 21.3
    assert (women_on(result, "M1.T1#1"), women_on(result, "M2.T1#1")) == (1, 1)


def test_trainer_days_women_share_module_infeasible_without_a_woman_for_module_2() -> None:
    data = target(all_male_cheapest(), "module", min_share=0.4, mode="hard")
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["modules"] = [1]
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "trainer_days_women_share_module")
    assert any(line.startswith("module 2: no woman trainer or guest is qualified for its topics (M2.T1)")
               for line in diagnosis), diagnosis


# ------------------------------------------------------------- trainer_days_women_share_month


def test_trainer_days_women_share_month_binds() -> None:
    # March holds M1.T1 (6 trainer-days), April M2.T1 (4): 30 % of each month needs a woman
    # on both (21.3), where the year's 30 % is met by M1.T1 alone (21.1).
    year = optimal(problem_of(target(april_split(all_male_cheapest()), "year", min_share=0.3, mode="hard")))
    month = optimal(problem_of(target(april_split(all_male_cheapest()), "month", min_share=0.3, mode="hard")))
    assert (year.objective, month.objective) == (21.1, 21.3)
    assert edition(month, "M2.T1#1").start.month == 4
    assert (women_on(month, "M1.T1#1"), women_on(month, "M2.T1#1")) == (1, 1)


def test_trainer_days_women_share_month_infeasible_when_april_has_no_woman() -> None:
    data = target(april_split(all_male_cheapest()), "month", min_share=0.4, mode="hard")
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["modules"] = [1]
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "trainer_days_women_share_month")


# ------------------------------------------------------------------ soft: trainer-days off band


def test_trainer_days_off_women_share_year_trades_cost_for_women_days() -> None:
    # At least 40 %: ceil(4) - women-days short, 0.15 a trainer-day. No woman: 20.8 + 4 x 0.15
    # = 21.4; T1 on M2.T1: 21.0 + 2 x 0.15 = 21.3; on M1.T1: 21.1 + 0.15 = 21.25; on both:
    # 21.3. The best stays one trainer-day short.
    data = target(all_male_cheapest(trainer_days_off_women_share_year=0.15), "year",
                  min_share=0.4, max_share=0.6, mode="soft")
    result = optimal(problem_of(data))
    assert result.objective == 21.25
    assert soft_amounts(result.schedule)["trainer_days_off_women_share_year"] == 1
    assert (women_on(result, "M1.T1#1"), women_on(result, "M2.T1#1")) == (1, 0)


def test_trainer_days_off_women_share_year_counts_women_over_the_band() -> None:
    # At most 60 % when women are cheapest: over = women-days - floor(6). All women: 4 over,
    # 13.8 + 4 x 1.5 = 19.8; a man on M2.T1: 15.8 + 2 x 1.5 = 18.8; on M1.T1: 16.8 + 1.5 = 18.3;
    # on both: 18.8.
    data = target(women_cheapest(trainer_days_off_women_share_year=1.5), "year",
                  min_share=0.4, max_share=0.6, mode="soft")
    result = optimal(problem_of(data))
    assert result.objective == 18.3
    assert soft_amounts(result.schedule)["trainer_days_off_women_share_year"] == 1
    assert (women_on(result, "M1.T1#1"), women_on(result, "M2.T1#1")) == (1, 2)


def test_trainer_days_off_women_share_year_when_no_woman_is_qualified_says_why() -> None:
    # Soft, and no woman can teach: the shortfall is all 4 trainer-days (4 x 0.15 = 0.6
    # on top of 20.8), and the parity report gives the reason found in the pool.
    data = target(all_male_cheapest(trainer_days_off_women_share_year=0.15), "year", min_share=0.4,
                  mode="soft")
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["modules"] = []
    result = optimal(problem_of(data))
    assert result.objective == 21.4
    row = parity_report(result.schedule).row("trainers", "year", "year")
    assert (row.status, row.women, row.men, row.share) == ("fail", 0, 10, 0.0)
    assert row.reason.startswith("the year: women are 0 of the 2 trainers qualified for its topics")
    assert "no woman on M1.T1#1: no woman trainer is qualified for M1.T1" in row.reason


def test_trainer_days_off_women_share_module_is_per_module() -> None:
    # 30 % of each module, 0.15 a trainer-day: no woman: module 1 short 2, module 2 short 2:
    # 20.8 + 0.6 = 21.4; T1 on M1.T1: 21.1 + 0.3 = 21.4; on M2.T1: 21.0 + 0.3 = 21.3;
    # on both: 21.3. Tie at 21.3; either way 21.3.
    data = target(all_male_cheapest(trainer_days_off_women_share_module=0.15), "module",
                  min_share=0.3, max_share=None, mode="soft")
    result = optimal(problem_of(data))
    assert result.objective == 21.3
    assert women_on(result, "M2.T1#1") == 1


def test_trainer_days_off_women_share_month_is_per_month() -> None:
    # As per module, with March and April in the roles of modules 1 and 2.
    data = target(april_split(all_male_cheapest(trainer_days_off_women_share_month=0.15)), "month",
                  min_share=0.3, max_share=None, mode="soft")
    result = optimal(problem_of(data))
    assert result.objective == 21.3
    assert women_on(result, "M2.T1#1") == 1


def test_undisclosed_trainers_count_in_no_share() -> None:
    # T4 (the cheap man) does not disclose his gender: his days count in no share, so
    # T2 + T4 on both editions is 0 women-days of 5 known: 40 % needs 2 women-days; T1 for
    # T2 on M2.T1 (+20 USD) gives 2 of 5: 21.0.
    data = target(all_male_cheapest(), "year", min_share=0.4, max_share=None, mode="hard")
    record(data, "trainers", "T4")["gender"] = "undisclosed"
    result = optimal(problem_of(data))
    assert result.objective == 21.0
    row = parity_report(result.schedule).row("trainers", "year", "year")
    assert (row.women, row.men, row.undisclosed, row.share) == (2, 3, 5, 0.4)
