"""Invalid targets and nominations: every error names the record and the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from model.errors import InputError
from model.formats.files import problem_from_data
from model.problem import Targets
from tests.instances.tiny import tiny_data, tiny_problem

Raw = dict[str, Any]


def with_nominee(**fields: Any) -> Callable[[Raw], None]:
    def change(d: Raw) -> None:
        d["nominations"] = [{"id": "N0123", "country": "Georgia", "audience": "csos", "topics": ["M1.T1"],
                             **fields}]
    return change


CASES = [
    # A topic outside the catalogue.
    (with_nominee(topics=["M9.T1"]), "nomination N0123: topic 'M9.T1' is unknown"),
    # A topic asked for twice.
    (with_nominee(topics=["M1.T1", "M1.T1"]), "nomination N0123: topic 'M1.T1' is listed twice"),
    # No topic at all.
    (with_nominee(topics=[]), "nomination N0123: topics is empty"),
    # A completed prerequisite outside the catalogue.
    (with_nominee(completed=["M7.T9"]), "nomination N0123: completed topic 'M7.T9' is unknown"),
    # A month that is not YYYY-MM.
    (with_nominee(unavailable_months=["May"]),
     "nomination N0123: unavailable month 'May' is not of the form YYYY-MM"),
    # Gender is one of the four values (missing is fine: undisclosed).
    (with_nominee(gender="F"), "nomination N0123: gender 'F'"),
    # A mode the allocation does not know.
    (with_nominee(mode="hybrid"), "nomination N0123: mode 'hybrid'"),
    # A country is required.
    (lambda d: d.update(nominations=[{"id": "N1", "audience": "csos", "topics": ["M1.T1"]}]),
     "nomination N1: country is missing"),
    # Two nominations with one id.
    (lambda d: d.update(nominations=[{"id": "N1", "country": "Georgia", "audience": "csos",
                                      "topics": ["M1.T1"]}] * 2),
     "nomination N1: id is used twice"),
    # A band upside down.
    (lambda d: d.update(targets={"participants_edition": {"min_share": 0.6, "max_share": 0.4}}),
     "targets participants_edition: max_share (0.4) is below min_share (0.6)"),
    # A share above 1.
    (lambda d: d.update(targets={"trainer_days_year": {"min_share": 1.5}}),
     "targets: trainer_days_year.min_share 1.5"),
    # A mode that is not hard, soft or off.
    (lambda d: d.update(targets={"country_cap_edition": {"mode": "strict"}}),
     "targets: country_cap_edition.mode"),
]


@pytest.mark.parametrize(("change", "expected"), CASES)
def test_invalid_targets_and_nominations_are_named(change: Callable[[Raw], None], expected: str) -> None:
    raw = tiny_data()
    change(raw)
    with pytest.raises(InputError) as info:
        problem_from_data(raw, "tiny.yaml")
    text = "\n".join(info.value.messages)
    assert expected in text, text


def test_problems_without_targets_or_nominations_stay_valid() -> None:
    p = tiny_problem()
    assert p.nominations == [] and p.targets == Targets()
    assert (p.targets.trainer_days_year.mode, p.targets.trainer_days_module.mode) == ("soft", "off")
    assert p.targets.participants_edition.describe() == "40-60 %"


def test_a_missing_gender_is_undisclosed_never_guessed() -> None:
    raw = tiny_data()
    with_nominee()(raw)
    assert problem_from_data(raw).nominations[0].gender == "undisclosed"
