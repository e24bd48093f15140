"""Invalid input: every error names the record and the field, and all come together."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from model.errors import KINDS, InputError, Issue, validate_as
from model.problem import Problem, Venue, problem_errors
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
    # Modes to choose from: the stated mode must be one of them, none twice, each offered by the topic.
    (_set(["programme", 0, "modes"], ["in_person", "online"]),
     "programme M1.T1: mode 'hybrid' is not among its modes (in_person, online)"),
    (_set(["programme", 0, "modes"], ["hybrid", "hybrid"]), "programme M1.T1: mode 'hybrid' is listed twice"),
    (_set(["programme", 0, "modes"], ["hybrid", "online"]),
     "programme M1.T1: mode 'online' is not offered for this topic (hybrid, in_person)"),
    # A mode no room can hold is fine while another can; an error once none can (said once when
    # the same for every mode).
    (lambda d: d["programme"][0].update(modes=["hybrid", "in_person"], participants_online=80), None),
    (lambda d: d["programme"][0].update(modes=["hybrid", "in_person"], participants_in_person=50),
     "programme M1.T1: 50 in-person participants exceed the largest room (30 seats)"),
    # A pinned mode must be one of the edition's, and a pinned room rules out online.
    (_set(["pins"], [{"edition": "M2.T1#1", "mode": "hybrid"}]),
     "pin M2.T1#1: mode 'hybrid' is not among the edition's modes (in_person)"),
    # Team rules upside down.
    (_set(["team_rules"], {"min_trainers": 3, "max_trainers": 2}),
     "team rules: max_trainers (2) is below min_trainers (3)"),
    # A room with online seats but no hybrid equipment.
    (_set(["venues", 0, "rooms", 1, "online_seats"], 10), "room B: has online_seats but is not hybrid-equipped"),
    # A missing required field.
    (lambda d: d["trainers"][0].pop("gender"), "trainer T1: gender is missing"),
    # An unknown holiday country.
    (_set(["calendar", "holiday_country"], "XX"), "calendar: holiday_country 'XX' is not a country"),
    # Interpretation into the course's own language, or twice into one.
    (_set(["programme", 1, "interpretation"], ["en"]),
     "programme M2.T1: interpretation into 'en', the course's own language"),
    (_set(["programme", 1, "interpretation"], ["ru", "ru"]),
     "programme M2.T1: interpretation into 'ru' is listed twice"),
    # No room has a booth for it.
    (_set(["programme", 1, "interpretation"], ["ru"]),
     "programme M2.T1: no room that fits it has booths for 1 language(s) of interpretation"),
    # A hybrid course interpreted online needs a channel on the platform.
    (lambda d: d["programme"][0].update(interpretation=["ru"]) or d["venues"][0]["rooms"][0].update(
        interpretation_booths=1), "programme M1.T1: interpretation into 1 language(s) online; the platform "
                                  "carries 0 channel(s) besides the course's"),
    # The problem names its languages: every language a record names must be one of them.
    (lambda d: d.update(languages=["en", "ru"]) or d["trainers"][0].update(languages=["en", "kk"]),
     "trainer T1: language 'kk' is not among the problem's languages"),
    (lambda d: d.update(languages=["ru"]), "programme M1.T1: language 'en' is not among the problem's languages"),
    # A lead agency nobody declared.
    (_set(["topics", 1, "lead_agencies"], ["UNHCR", "OHCHR"]), "topic M2.T1: lead agency 'OHCHR' is unknown"),
    # The problem names its countries: a nominee's country must be one of them...
    (lambda d: d.update(countries=["Georgia"], nominations=[{"id": "N1", "country": "Armenia",
                                                             "audience": "csos", "topics": ["M1.T1"]}]),
     "nomination N1: country 'Armenia' is not among the problem's countries"),
    # ... and a country representative's.
    (lambda d: d.update(countries=["Georgia"]) or d["trainers"][0].update(country="Armenia"),
     "trainer T1: country 'Armenia' is not among the problem's countries"),
    # A country listed twice.
    (_set(["countries"], ["Georgia", "Moldova", "Georgia"]), "country Georgia: is listed twice"),
    # Without a list of countries, any country is accepted.
    (lambda d: d["trainers"][0].update(country="Armenia"), None),
    # More editions required than planned.
    (_set(["programme", 0, "min_editions"], 2), "programme M1.T1: min_editions (2) is above editions (1)"),
    # As many as planned is fine, and so is none.
    (lambda d: d["programme"][0].update(editions=2, min_editions=2), None),
    (_set(["programme", 0, "min_editions"], 0), None),
    # A minimum of participants above the seats the course plans, in person and online together.
    (_set(["programme", 1, "min_participants"], 16),
     "programme M2.T1: min_participants (16) is above the seats planned (15 in person, 0 online)"),
    (_set(["programme", 0, "min_participants"], 30), None),  # 20 in person + 10 online
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


# Each issue as data: its kind, its record (type and id, or position where it has none), the
# field inside the record and the JSON pointer into the document.
STRUCTURE = [
    # A record's own rule: the period's end, inside the trainer.
    (_set(["trainers", 0, "unavailable"], [{"start": "2027-03-20", "end": "2027-03-01"}]),
     ("out_of_order", "trainer", "T1", None, ("unavailable", 0, "end"), "/trainers/0/unavailable/0/end")),
    # A cross-reference, on the item of the list that names nothing.
    (_set(["trainers", 1, "topics"], ["M1.T1", "M9.T1"]),
     ("unknown_reference", "trainer", "T2", None, ("topics", 1), "/trainers/1/topics/1")),
    # pydantic's own check of a field, placed by its loc.
    (_set(["trainers", 2, "gender"], "F"),
     ("invalid_value", "trainer", "T3", None, ("gender",), "/trainers/2/gender")),
    (lambda d: d["trainers"][0].pop("gender"),
     ("missing", "trainer", "T1", None, ("gender",), "/trainers/0/gender")),
    (_set(["trainers", 3, "colour"], "red"),
     ("unknown_field", "trainer", "T4", None, ("colour",), "/trainers/3/colour")),
    # A room is its own record, inside its venue.
    (_set(["venues", 0, "rooms", 1, "seats"], -1),
     ("out_of_range", "room", "B", None, ("seats",), "/venues/0/rooms/1/seats")),
    (_set(["venues", 0, "rooms", 1, "online_seats"], 10),
     ("conflict", "room", "B", None, ("online_seats",), "/venues/0/rooms/1/online_seats")),
    # A section of the problem: no id.
    (_set(["calendar", "end"], "2027-02-01"), ("out_of_order", "calendar", None, None, ("end",), "/calendar/end")),
    (_set(["team_rules"], {"min_trainers": 3, "max_trainers": 2}),
     ("out_of_order", "team_rules", None, None, ("max_trainers",), "/team_rules/max_trainers")),
    # A prerequisite has no id: its position stands in.
    (_set(["prerequisites"], [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 5, "max_gap_days": 1}]),
     ("out_of_order", "prerequisite", None, 0, ("max_gap_days",), "/prerequisites/0/max_gap_days")),
    (_set(["prerequisites"], [{"before": "M1.T1", "after": "M2.T1"}, {"before": "M2.T1", "after": "M1.T1"}]),
     ("cycle", "prerequisite", None, 0, (), "/prerequisites/0")),
    # Capacity: the field that asks too much.
    (_set(["programme", 0, "participants_in_person"], 50),
     ("no_resource", "programme", "M1.T1", None, ("participants_in_person",), "/programme/0/participants_in_person")),
    (_set(["programme", 1, "language"], "ru"),
     ("no_resource", "programme", "M2.T1", None, ("language",), "/programme/1/language")),
    (_set(["programme", 1, "duration_days"], 5),
     ("out_of_range", "programme", "M2.T1", None, ("duration_days",), "/programme/1/duration_days")),
    (lambda d: d["trainers"].append(copy.deepcopy(d["trainers"][0])),
     ("duplicate", "trainer", "T1", None, ("id",), "/trainers/4/id")),
    # Where an item's editions are held: a venue that is not there, or twice, or none that holds it.
    (_set(["programme", 1, "venues"], ["RTCM", "ANNEX"]),
     ("unknown_reference", "programme", "M2.T1", None, ("venues", 1), "/programme/1/venues/1")),
    (_set(["programme", 1, "venues"], ["RTCM", "RTCM"]),
     ("duplicate", "programme", "M2.T1", None, ("venues",), "/programme/1/venues")),
    (lambda d: (d["venues"].append({"id": "ANNEX", "name": "Annex", "rooms": [
        {"id": "X", "name": "Room X", "seats": 30}]}), d["programme"][0].update(venues=["ANNEX"])),
     ("no_resource", "programme", "M1.T1", None, ("participants_in_person",),
      "/programme/0/participants_in_person")),
    # Demand: the item and the field that asks too much.
    (_set(["programme", 0, "min_editions"], 2),
     ("out_of_order", "programme", "M1.T1", None, ("min_editions",), "/programme/0/min_editions")),
    (_set(["programme", 1, "min_participants"], 16),
     ("conflict", "programme", "M2.T1", None, ("min_participants",), "/programme/1/min_participants")),
    # A band of the targets: the field is a path inside the section.
    (_set(["targets"], {"trainer_days_year": {"min_share": 0.7, "max_share": 0.6}}),
     ("out_of_order", "targets", None, None, ("trainer_days_year", "max_share"),
      "/targets/trainer_days_year/max_share")),
]


@pytest.mark.parametrize(("change", "expected"), STRUCTURE)
def test_every_issue_has_kind_record_field_and_pointer(change: Callable[[Raw], None], expected: tuple) -> None:
    raw = raw_tiny()
    change(raw)
    with pytest.raises(InputError) as info:
        validate_as(Problem, raw)
    [issue] = info.value.issues
    assert (issue.kind, issue.record, issue.id, issue.index, issue.field, issue.pointer) == expected
    assert issue.kind in KINDS
    assert issue.message == info.value.messages[0]


def test_cross_check_issues_carry_their_place_in_the_problem() -> None:
    # A third room named like the first: a cross-record rule, so problem_errors finds it.
    tiny = tiny_problem()
    venue = tiny.venues[0].model_dump()
    venue["rooms"].append({"id": "HALL", "name": "Annex hall", "seats": 10})
    sections = {name: getattr(tiny, name) for name in Problem.model_fields}
    problem = Problem.model_construct(**{**sections, "venues": [Venue.model_validate(venue)]})
    [issue] = problem_errors(problem)
    assert (issue.kind, issue.record, issue.id, issue.at, issue.field) == \
        ("duplicate", "room", "HALL", ("venues", 0, "rooms", 2), ("id",))
    assert issue.message == "room HALL: id is used twice"


def test_input_error_takes_plain_messages_too() -> None:
    err = InputError(["not valid YAML at line 3", Issue("missing", "gender is missing", "trainer", "T1",
                                                       field=("gender",), at=("trainers", 0))], "p.yaml")
    assert err.messages == ["not valid YAML at line 3", "trainer T1: gender is missing"]
    assert [i.kind for i in err.issues] == ["invalid_value", "missing"]
    assert str(err) == "p.yaml: 2 error(s)\n  - not valid YAML at line 3\n  - trainer T1: gender is missing"


def test_a_pointer_escapes_slashes_and_tildes() -> None:
    issue = Issue("invalid_value", "x", field=("a/b", "c~d", 0), at=())
    assert issue.pointer == "/a~1b/c~0d/0"
    assert Issue("unreadable", "not valid JSON").pointer is None
    assert Issue("invalid_value", "not a mapping", at=()).pointer == ""  # the whole document


def test_modes_without_a_mode_prefer_the_first_and_read_back_alike() -> None:
    data = tiny_problem().model_dump(mode="json")
    item = data["programme"][0]
    del item["mode"]
    item["modes"] = ["in_person", "hybrid"]
    p = validate_as(Problem, data)
    assert p.programme[0].allowed_modes == ("in_person", "hybrid")
    again = validate_as(Problem, p.model_dump(mode="json"))
    assert again.programme[0].allowed_modes == ("in_person", "hybrid")
    assert again.model_dump() == p.model_dump()


def test_a_problem_is_cross_checked_once_and_an_unchecked_one_when_a_schedule_takes_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import model.problem
    from model.schedule import Schedule

    calls: list[str] = []
    real = model.problem.problem_errors

    def counted(p: Problem) -> list[Issue]:
        calls.append(p.name)
        return real(p)

    data = raw_tiny()
    monkeypatch.setattr(model.problem, "problem_errors", counted)
    problem = Problem.model_validate(data)
    assert len(calls) == 1
    # Pydantic runs the problem's after-validator again when a schedule takes it: it does not check again.
    for _ in range(3):
        Schedule(problem=problem, editions=[])
    assert len(calls) == 1
    # One built without validation is checked when a schedule takes it, and its errors are raised.
    unchecked = Problem.model_construct(**dict(problem))
    Schedule(problem=unchecked, editions=[])
    assert len(calls) == 2
    bad = Problem.model_construct(**{**dict(problem), "trainers": []})
    with pytest.raises(ValueError, match=r"programme M1\.T1: no trainer can teach M1\.T1 in 'en'"):
        Schedule(problem=bad, editions=[])
