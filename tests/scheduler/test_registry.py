"""The rule registries line up: every planner rule has its parts.

What each part does is proven by behaviour elsewhere: every hard rule's checker by a
calendar broken on purpose (tests/model/test_checker_mutations.py), every soft rule's
CP-SAT term against its evaluator (tests/scheduler/test_rule_terms.py).
"""

from __future__ import annotations

from model.problem import Weights
from model.rules import HARD_RULES, SOFT_RULES
from scheduler import facts
from scheduler import rules as engine
from scheduler.solve import RELAXABLE

# Enforced when the model is built, not by a constraint of their own: by each edition's
# options (scheduler/instance.py), by creating teaches[...] only for qualified trainers, or
# guest[...] only for a slot's candidates, with its day inside the course (scheduler/variables.py).
BY_CONSTRUCTION = {
    "course_on_consecutive_working_days",
    "course_length_within_range",
    "edition_within_its_window",
    "trainer_qualified",
    "guest_session_fits",
}
# Constraints that are not planner rules.
NOT_PLANNER_RULES = {"editions_in_number_order"}


def test_engine_registries_match_the_planner_rules() -> None:
    assert set(engine.HARD) | BY_CONSTRUCTION == {r.id for r in HARD_RULES} | NOT_PLANNER_RULES
    assert list(engine.SOFT) == [r.id for r in SOFT_RULES]
    assert set(RELAXABLE) <= set(engine.HARD)


def test_every_hard_rule_the_model_enforces_has_its_explanation_fact() -> None:
    # The explanation of an infeasible problem (scheduler/facts.py) makes each hard rule's input
    # facts assumptions; rules held by construction of the options are facts of the structure,
    # but a window is a planner's own date, so it is a fact of its own.
    fact_rules = [f.__name__ for f in facts.FACT_RULES]
    assert set(fact_rules) == set(engine.HARD) - NOT_PLANNER_RULES | {"edition_within_its_window"}


def test_every_rule_has_one_solver_free_function() -> None:
    for rule in HARD_RULES:
        assert rule.check is not None and rule.evaluate is None, rule.id
    for rule in SOFT_RULES:
        assert rule.evaluate is not None and rule.check is None, rule.id
        assert rule.weight_field in Weights.model_fields, rule.id
    assert len({r.id for r in HARD_RULES + SOFT_RULES}) == len(HARD_RULES) + len(SOFT_RULES)
