"""The checker proven rule by rule: every hard rule, broken on purpose, is reported.

Each mutation (``tests/instances/mutations.py``) breaks one hard rule of a calendar that
breaks none, and works out which records a planner would look for in the report. They run
on two calendars: ``tiny`` (built by hand, every rule's record in it) and the default 2027
programme's greedy calendar with its nominees seated (built once, in well under a second).
The near misses set each limit exactly at what the calendar uses: nothing may break.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from model.check import Violation, check
from model.rules import HARD_RULES, PARTICIPANT_HARD_RULES
from model.schedule import Schedule
from tests.instances.mutations import (
    MUTATIONS,
    NEAR_MISSES,
    Breach,
    Mutation,
    NoRecord,
    rtcm_2027_calendar,
    tiny_calendar,
)

BASES = ("tiny", "rtcm_2027_greedy")
HARD_RULE_IDS = {r.id for r in HARD_RULES + PARTICIPANT_HARD_RULES}
Base = tuple[str, Schedule]  # a calendar that breaks no hard rule, by name
Outcomes = dict[tuple[str, str], tuple[Breach, list[Violation]]]


@pytest.fixture(scope="module")
def tiny() -> Schedule:
    return tiny_calendar()


@pytest.fixture(scope="module")
def rtcm_2027_greedy() -> Schedule:
    return rtcm_2027_calendar()


@pytest.fixture(params=BASES)
def base(request: pytest.FixtureRequest) -> Base:
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def outcomes() -> Outcomes:
    """Each (base, mutation)'s breach and verdict, worked out once for the tests that read them."""
    return {}


def slug(m: Mutation) -> str:
    return f"{m.rule}-" + re.sub(r"\W+", "-", m.name).strip("-")


def outcome(outcomes: Outcomes, m: Mutation, base: Base) -> tuple[Breach, list[Violation]]:
    """The mutation applied and the checker's verdict; a base without the record it needs is
    skipped, saying so (never ``tiny``, which holds every rule's record)."""
    name, schedule = base
    key = (name, slug(m))
    if key not in outcomes:
        try:
            breach = m.apply(schedule)
        except NoRecord as e:
            if name == "tiny":
                pytest.fail(f"the tiny calendar lacks the record to break {m.rule}: {e}")
            pytest.skip(f"{name} has no record to break {m.rule}: {e}")
        outcomes[key] = breach, check(breach.schedule)
    return outcomes[key]


def report(verdict: list[Violation]) -> str:
    return "\n".join(f"  {v.rule} {v.records}: {v.message}" for v in verdict) or "  (nothing)"


def test_the_bases_break_no_hard_rule(base: Base) -> None:
    name, schedule = base
    verdict = check(schedule)
    assert verdict == [], f"{name}:\n{report(verdict)}"
    assert schedule.allocations, f"{name} seats nobody: the participants' rules would have nothing to break"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=slug)
def test_the_checker_reports_the_breach_and_its_records(outcomes: Outcomes, base: Base, mutation: Mutation) -> None:
    name, schedule = base
    breach, verdict = outcome(outcomes, mutation, base)
    assert check(schedule) == [], f"{name} itself breaks a rule, or {mutation.name} changed it"
    named = {frozenset(v.records) for v in verdict if v.rule == mutation.rule}
    assert named, f"{mutation.name} on {name}: {mutation.rule} not reported; the verdict:\n{report(verdict)}"
    assert named == {frozenset(r) for r in breach.records}, (
        f"{mutation.name} on {name}: {mutation.rule} names {sorted(map(sorted, named))}, "
        f"expected {sorted(map(sorted, breach.records))}")


@pytest.mark.parametrize("mutation", MUTATIONS, ids=slug)
def test_no_other_rule_breaks(outcomes: Outcomes, base: Base, mutation: Mutation) -> None:
    _, verdict = outcome(outcomes, mutation, base)
    others = {v.rule for v in verdict} - {mutation.rule} - set(mutation.also)
    assert not others, f"{mutation.name} on {base[0]} also breaks {sorted(others)}:\n{report(verdict)}"


def test_every_hard_rule_has_a_mutation_the_checker_reports(tiny: Schedule) -> None:
    """By behaviour: every mutation of the table is run on ``tiny`` and its verdict read."""
    unknown = {m.rule for m in MUTATIONS} - HARD_RULE_IDS
    assert not unknown, f"mutations of rules that are not hard rules: {sorted(unknown)}"
    reported, unreported = set(), []
    for m in MUTATIONS:
        rules = {v.rule for v in check(m.apply(tiny).schedule)}
        if m.rule in rules:
            reported.add(m.rule)
        else:
            unreported.append(f"{m.name} ({m.rule}): the checker reports {sorted(rules)}")
    assert not unreported, "\n".join(unreported)
    assert HARD_RULE_IDS - reported == set(), "hard rules without a mutation"


# A checked schedule's copy with other editions (pydantic's model_copy copies what the first kept
# of its editions by id) is checked on its own editions.
def test_a_copy_with_other_editions_is_checked_on_its_own_editions() -> None:
    schedule = tiny_calendar()
    assert check(schedule) == []
    dropped = schedule.model_copy(update={"editions": [e for e in schedule.editions if e.edition != "M1.T2#1"]})
    seats = {tuple(v.records) for v in check(dropped) if v.rule == "participant_nominated_for_the_edition"}
    assert seats == {("N1", "M1.T2#1"), ("N4", "M1.T2#1")}


@pytest.mark.parametrize(("what", "near_miss"), NEAR_MISSES, ids=[re.sub(r"\W+", "-", w) for w, _ in NEAR_MISSES])
def test_at_the_limit_exactly_nothing_breaks(base: Base, what: str, near_miss: Callable[[Schedule], Schedule]) -> None:
    name, schedule = base
    try:
        at_the_limit = near_miss(schedule)
    except NoRecord as e:
        if name == "tiny":
            pytest.fail(f"the tiny calendar lacks the record for {what}: {e}")
        pytest.skip(f"{name} has no record for {what}: {e}")
    verdict = check(at_the_limit)
    assert verdict == [], f"{what} on {name}:\n{report(verdict)}"
