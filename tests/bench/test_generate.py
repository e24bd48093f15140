"""The scaled instances of bench/generate.py: valid, seeded, and in the RTCM programme's proportions."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bench.generate import SHARED_KINDS, family_problem, network_data, scaled_data, scaled_problem
from data import default_problem
from model.check import check
from model.problem import Trainer
from scheduler.greedy import greedy_schedule


def test_1x_is_the_default_2027_calendar_problem_whatever_the_seed() -> None:
    # The calendar problem: the nominations (seated after the calendar, apart from it) are left out.
    default = default_problem().model_dump(mode="json", exclude={"nominations"})
    for seed in (1, 99):
        p = scaled_problem(1, seed=seed)
        assert not p.nominations
        assert p.model_dump(mode="json", exclude={"nominations"}) == default


def test_the_same_seed_gives_the_same_instance() -> None:
    first, again = scaled_problem(3, seed=7), scaled_problem(3, seed=7)
    assert first.model_dump(mode="json") == again.model_dump(mode="json")


def test_another_seed_draws_other_absences_but_the_same_programme() -> None:
    a, b = scaled_problem(3, seed=7), scaled_problem(3, seed=8)
    assert [t.unavailable for t in a.trainers] != [t.unavailable for t in b.trainers]
    assert a.programme == b.programme and len(a.trainers) == len(b.trainers)


def test_3x_is_three_centres_in_the_programme_s_proportions() -> None:
    base, p = default_problem(), scaled_problem(3)
    # Every edition, the 70 trainers and the 4 rooms x 3; 2 streams x 3; still one year.
    assert (len(p.editions), len(p.trainers), len(p.rooms)) == (3 * len(base.editions), 210, 12)
    assert p.budget_usd == 3 * base.budget_usd
    assert p.platform.max_concurrent_streams == 6
    assert p.calendar == base.calendar
    assert len(p.editions) / len(p.trainers) == pytest.approx(len(base.editions) / len(base.trainers))
    # A copy keeps what the original can do (organisation, gender, topics, limits, rate).
    copies = Counter(_abilities(t) for t in p.trainers)
    assert copies == Counter({k: 3 * n for k, n in Counter(_abilities(t) for t in base.trainers).items()})
    assert len({t.name for t in p.trainers}) == len(p.trainers)


def _abilities(t: Trainer) -> tuple[object, ...]:
    return (t.organisation, t.gender, tuple(t.topics), tuple(t.modules), tuple(t.languages),
            t.max_days_per_month, t.max_days_per_year, t.day_rate)


def test_10x_plans_two_years_with_the_breaks_of_both() -> None:
    data = scaled_data(10)
    cal = data["calendar"]
    assert (cal["start"], cal["end"]) == ("2027-01-01", "2028-12-31")
    summers = [c["start"] for c in cal["closures"] if c["reason"] == "summer break"]
    assert summers == ["2027-07-01", "2028-07-01"]
    p = scaled_problem(10)
    assert (len(p.editions), len(p.trainers), len(p.rooms)) == (10 * len(default_problem().editions), 700, 40)
    assert any(u.start >= date(2028, 1, 1) for t in p.trainers for u in t.unavailable)


def test_the_greedy_calendar_at_3x_breaks_no_rule() -> None:
    problem = scaled_problem(3)
    schedule = greedy_schedule(problem)
    assert check(schedule) == []
    assert len(schedule.editions) == 3 * len(default_problem().editions)


# ------------------------------------------------------------------------ the network family


def test_network_1x_is_the_default_calendar_problem_and_a_seed_repeats_the_network() -> None:
    default = default_problem().model_dump(mode="json", exclude={"nominations"})
    assert family_problem("network", 1).model_dump(mode="json", exclude={"nominations"}) == default
    assert network_data(3, seed=5) == network_data(3, seed=5)
    with pytest.raises(ValueError, match="family"):
        family_problem("grid", 3)


def test_network_3x_gives_each_centre_its_courses_rooms_and_regional_trainers() -> None:
    base, p = default_problem(), family_problem("network", 3)
    assert len(p.editions) == 3 * len(base.editions) and len(p.rooms) == 3 * len(base.rooms)
    assert len(p.prerequisites) == 3 * len(base.prerequisites)
    kinds = {o.id: o.kind for o in base.organisations}
    centre_of_venue = {v.id: (int(v.id.rpartition("-C")[2]) if "-C" in v.id else 1) for v in p.venues}

    def centre_of_topic(topic: str) -> int:
        return int(topic.split(".T")[1]) // 100 or 1

    for item in p.programme:  # each centre's courses are held at its own venues
        assert {centre_of_venue[v] for v in item.venues} == {centre_of_topic(item.topic)}
    for pr in p.prerequisites:  # and come after its own prerequisites
        assert centre_of_topic(pr.before) == centre_of_topic(pr.after)
    shared = [t for t in p.trainers if kinds[t.organisation] in SHARED_KINDS]
    regional = [t for t in p.trainers if kinds[t.organisation] not in SHARED_KINDS]
    base_shared = sum(kinds[t.organisation] in SHARED_KINDS for t in base.trainers)
    assert len(shared) == 2 * base_shared  # one pool for every two centres
    assert len(regional) == 3 * (len(base.trainers) - base_shared)
    for t in regional:  # a regional trainer teaches at one centre
        assert t.topics and len({centre_of_topic(x) for x in t.topics}) == 1 and not t.modules
    assert all({centre_of_topic(x) for x in t.topics} == {1, 2, 3} for t in shared if t.topics)
    assert len({t.name for t in p.trainers}) == len(p.trainers)


def test_the_greedy_network_calendar_at_3x_breaks_no_rule() -> None:
    problem = family_problem("network", 3)
    schedule = greedy_schedule(problem)
    assert check(schedule) == []
    assert len(schedule.editions) >= 3 * len(default_problem().editions) - 5


def test_the_rollout_runs_the_whole_curriculum_once_a_year_with_every_day_planned() -> None:
    base, p = default_problem(), family_problem("rollout", 3)
    assert (p.calendar.start, p.calendar.end) == (date(2027, 1, 1), date(2029, 12, 31))
    assert {i.topic for i in p.programme} == {t.id for t in base.topics}  # the whole curriculum
    assert len(p.editions) == 3 * len(base.editions)
    mandatory = Counter(e.topic.id for e in p.editions if e.mandatory)
    once = Counter(e.topic.id for e in base.editions if e.mandatory)
    assert mandatory == Counter({t: 3 * n for t, n in once.items()})
    assert p.rollout.years == 1  # every year planned in full, none left to the quarterly plan
    # The same people, with a limit a year over three years, away in every year.
    before = {t.id: t for t in base.trainers}
    assert set(before) == {t.id for t in p.trainers}
    for t in p.trainers:
        if before[t.id].max_days_per_year is not None:
            assert t.max_days_per_year == 3 * before[t.id].max_days_per_year
        assert {a.start.year for a in t.unavailable} >= {2028, 2029}
    assert p.budget_usd == 3 * (base.budget_usd or 0)
    assert p.venues == base.venues and p.prerequisites == base.prerequisites
    assert family_problem("rollout", 1).model_dump(mode="json", exclude={"nominations"}) == default_problem(
    ).model_dump(mode="json", exclude={"nominations"})
    # Every mandatory edition of the three years has a place: the greedy calendar breaks no rule.
    assert check(greedy_schedule(p)) == []
    with pytest.raises(ValueError, match="1 to 3 years"):
        family_problem("rollout", 4)
