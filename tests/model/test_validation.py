"""Invalid input: every error names the record and the field, and all come together."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from model.errors import InputError, validate_as
from model.problem import Problem
from tests.instances.tiny import tiny_problem

Raw = dict[str, Any]


def raw_tiny() -> Raw:
    return tiny_problem().model_dump(mode="json")


def _set(path: list[Any], value: Any) -> Callable[[Raw], None]:
    def change(d: Raw) -> None:
        node = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


def _append(path: list[Any], value: Any) -> Callable[[Raw], None]:
    def change(d: Raw) -> None:
        node = d
        for key in path:
            node = node[key]
        node.append(value)
    return change


CASES = [
    # A trainer from an organisation nobody declared.
    (_set(["trainers", 0, "organisation"], "UNESCO"), "trainer T1: organisation 'UNESCO' is unknown"),
    # A qualification for a topic outside the catalogue.
    (_set(["trainers", 1, "topics"], ["M9.T1"]), "trainer T2: topic 'M9.T1' is unknown"),
    # Gender must be one of the four values; the record is named by its id.
    (_set(["trainers", 2, "gender"], "F"), "trainer T3: gender 'F'"),
    # A typo in a field name is an error, not silently ignored.
    (_set(["trainers", 3, "colour"], "red"), "trainer T4: colour is not a known field"),
    # An unavailable period that ends before it starts.
    (_set(["trainers", 0, "unavailable"], [{"start": "2027-03-20", "end": "2027-03-01"}]),
     "trainer T1: unavailable period 1 ends (2027-03-01) before it starts (2027-03-20)"),
    # The horizon reversed.
    (_set(["calendar", "end"], "2027-02-01"), "calendar: horizon ends (2027-02-01) before it starts"),
    # A fixed duration outside the topic's range.
    (_set(["programme", 1, "duration_days"], 5), "programme M2.T1: duration_days (5) is outside the topic's range 2-2"),
    # More participants than the largest room seats.
    (_set(["programme", 0, "participants_in_person"], 50),
     "programme M1.T1: 50 in-person participants exceed the largest room (30 seats)"),
    # Nobody is qualified for a topic.
    (lambda d: [t.update(modules=[1]) for t in d["trainers"]], "programme M2.T1: no trainer can teach M2.T1"),
    # Nobody speaks the course's language.
    (_set(["programme", 1, "language"], "ru"), "programme M2.T1: no trainer can teach M2.T1 in 'ru'"),
    # A programme item for a topic the catalogue does not have.
    (_append(["programme"], {"topic": "M7.T9"}), "programme M7.T9: topic is not in the catalogue"),
    # Prerequisites must form a DAG; the cycle is named.
    (_set(["prerequisites"], [{"before": "M1.T1", "after": "M2.T1"}, {"before": "M2.T1", "after": "M1.T1"}]),
     "prerequisites: cycle M1.T1 -> M2.T1 -> M1.T1"),
    # A prerequisite naming an unknown topic.
    (_set(["prerequisites"], [{"before": "M1.T9", "after": "M2.T1"}]),
     "prerequisite M1.T9->M2.T1: before topic 'M1.T9' is unknown"),
    # A date window that closes before it opens.
    (_set(["programme", 0, "earliest_start"], "2027-03-20") , None),  # valid on its own
    (lambda d: d["programme"][0].update(earliest_start="2027-03-20", latest_end="2027-03-10"),
     "programme M1.T1: latest_end (2027-03-10) is before earliest_start (2027-03-20)"),
    # Two trainers with the same id.
    (lambda d: d["trainers"].append(copy.deepcopy(d["trainers"][0])), "trainer T1: id is used twice"),
    # A hybrid course that no hybrid room can host.
    (_set(["programme", 0, "participants_online"], 80),
     "programme M1.T1: no hybrid-equipped room has 20 seats and 80 online seats"),
    # Team rules upside down.
    (_set(["team_rules"], {"min_trainers": 3, "max_trainers": 2}),
     "team rules: max_trainers (2) is below min_trainers (3)"),
    # A room with online seats but no hybrid equipment.
    (_set(["venues", 0, "rooms", 1, "online_seats"], 10), "room B: has online_seats but is not hybrid-equipped"),
    # A missing required field.
    (lambda d: d["trainers"][0].pop("gender"), "trainer T1: gender is missing"),
    # An unknown holiday country.
    (_set(["calendar", "holiday_country"], "XX"), "calendar: holiday_country 'XX' is not a country"),
]


@pytest.mark.parametrize(("change", "expected"), CASES)
def test_invalid_input_is_named(change: Callable[[Raw], None], expected: str | None) -> None:
    raw = raw_tiny()
    change(raw)
    if expected is None:
        validate_as(Problem, raw)
        return
    with pytest.raises(InputError) as info:
        validate_as(Problem, raw, "tiny.yaml")
    text = "\n".join(info.value.messages)
    assert expected in text, text
    assert "tiny.yaml" in str(info.value)


def test_every_error_is_reported_together() -> None:
    raw = raw_tiny()
    raw["trainers"][0]["organisation"] = "UNESCO"
    raw["trainers"][1]["topics"] = ["M9.T1"]
    raw["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1"}, {"before": "M2.T1", "after": "M1.T1"}]
    with pytest.raises(InputError) as info:
        validate_as(Problem, raw)
    assert len(info.value.messages) == 3, info.value.messages


def test_field_errors_in_several_records_come_together() -> None:
    raw = raw_tiny()
    raw["trainers"][0]["gender"] = "F"
    raw["trainers"][3]["max_days_per_year"] = -1
    with pytest.raises(InputError) as info:
        validate_as(Problem, raw)
    text = "\n".join(info.value.messages)
    assert "trainer T1: gender" in text and "trainer T4: max_days_per_year -1" in text


def test_a_valid_problem_round_trips_through_json() -> None:
    p = tiny_problem()
    again = validate_as(Problem, p.model_dump(mode="json"))
    assert again.model_dump() == p.model_dump()


def test_a_bad_field_does_not_hide_a_bad_reference() -> None:
    from model.formats.files import problem_from_data

    raw = raw_tiny()
    raw["trainers"][0]["gender"] = "F"
    raw["trainers"][1]["organisation"] = "UNESCO"
    with pytest.raises(InputError) as info:
        problem_from_data(raw, "tiny.yaml")
    text = "\n".join(info.value.messages)
    assert "trainer T1: gender 'F'" in text and "trainer T2: organisation 'UNESCO' is unknown" in text
