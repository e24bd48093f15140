"""Scenario files: each change type applied to the tiny problem, and bad files named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.errors import InputError
from model.participants import enrol_in_prerequisites
from scenarios.scenario import Scenario, apply_changes, load, read_scenario
from scheduler.solve import solve
from tests.instances.tiny import record, tiny_data, tiny_problem
from tests.scheduler.solving import OPTIONS, checked

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def changed(*changes: dict) -> object:
    return apply_changes(tiny_problem(), Scenario.model_validate({"name": "t", "changes": list(changes)}))


def test_trainer_unavailable() -> None:
    p = changed({"type": "trainer_unavailable", "trainer": "T1", "start": "2027-03-01", "end": "2027-03-05"})
    assert [(u.start.day, u.end.day) for u in p.trainer_by_id["T1"].unavailable] == [(1, 5)]


def test_organisation_unavailable_reaches_every_trainer_of_it() -> None:
    p = changed({"type": "organisation_unavailable", "organisation": "UNHCR", "start": "2027-03-08",
                 "end": "2027-03-12"})
    assert [len(p.trainer_by_id[t].unavailable) for t in ("T1", "T2", "T3", "T4")] == [0, 0, 1, 1]


def test_trainer_and_organisation_removed() -> None:
    assert "T3" not in changed({"type": "trainer_removed", "trainer": "T3"}).trainer_by_id
    p = changed({"type": "organisation_removed", "organisation": "UNHCR"})
    assert sorted(p.trainer_by_id) == ["T1", "T2"]


def test_room_and_venue_closed() -> None:
    p = changed({"type": "room_closed", "room": "B", "start": "2027-03-01", "end": "2027-03-31"})
    assert p.room_by_id["B"][1].closures[0].end.day == 31
    p = changed({"type": "venue_closed", "venue": "RTCM", "start": "2027-03-15", "end": "2027-03-19"})
    assert p.venues[0].closures[0].start.day == 15


def test_editions_added_and_removed() -> None:
    p = changed({"type": "editions_added", "topics": ["M1.T1"], "editions": 2})
    assert [e.id for e in p.editions] == ["M1.T1#1", "M1.T1#2", "M1.T1#3", "M2.T1#1"]
    p = changed({"type": "editions_removed", "module": 2})
    assert [e.id for e in p.editions] == ["M1.T1#1"]


def test_weight_horizon_streams_budget_and_team_rules() -> None:
    p = changed(
        {"type": "weight_changed", "weight": "cost", "value": 3},
        {"type": "horizon_changed", "end": "2027-03-20"},
        {"type": "stream_limit_changed", "streams": 1},
        {"type": "budget_cap", "usd": 5000},
        {"type": "team_rule_changed", "mixed_gender": "soft", "max_trainers": 2},
    )
    assert p.weights.cost == 3
    assert p.calendar.end.day == 20
    assert p.platform.max_concurrent_streams == 1
    assert p.budget_usd == 5000
    assert (p.team_rules.mixed_gender, p.team_rules.max_trainers, p.team_rules.min_trainers) == ("soft", 2, 2)


def test_mode_changed_moves_courses_online_and_widens_their_formats() -> None:
    # tiny: M1.T1 hybrid (20 in person, 10 online), M2.T1 in person (15); M2.T1 pinned to room B.
    data = tiny_data()
    data["pins"] = [{"edition": "M2.T1#1", "room": "B"}]
    base = tiny_problem().model_validate(data)
    p = apply_changes(base, Scenario.model_validate(
        {"name": "t", "changes": [{"type": "mode_changed", "mode": "online", "everything": True}]}))
    assert [(i.topic, i.mode, i.participants_in_person, i.participants_online) for i in p.programme] == [
        ("M1.T1", "online", 0, 30), ("M2.T1", "online", 0, 15)]
    assert all("online" in t.modes for t in p.topics)
    assert p.pins[0].room is None
    p = changed({"type": "mode_changed", "mode": "in_person", "topics": ["M1.T1"]})
    assert (p.programme[0].mode, p.programme[0].participants_online) == ("in_person", 0)


def test_mode_changed_forces_its_one_mode_on_a_course_of_several() -> None:
    # M1.T1 may run hybrid or in person, its pin in person; M2.T1 in person alone, pinned to room B.
    # Moved to hybrid, M1.T1 runs hybrid alone and its pin keeps no other mode; M2.T1, untouched,
    # keeps its pin.
    data = tiny_data()
    data["programme"][0]["modes"] = ["hybrid", "in_person"]
    data["pins"] = [{"edition": "M1.T1#1", "mode": "in_person"}, {"edition": "M2.T1#1", "room": "B",
                                                                  "mode": "in_person"}]
    base = tiny_problem().model_validate(data)
    assert base.programme[0].allowed_modes == ("hybrid", "in_person")
    p = apply_changes(base, Scenario.model_validate(
        {"name": "t", "changes": [{"type": "mode_changed", "mode": "hybrid", "topics": ["M1.T1"]}]}))
    item = p.programme[0]
    assert (item.mode, item.modes, item.allowed_modes) == ("hybrid", [], ("hybrid",))
    assert [(pin.mode, pin.room) for pin in p.pins] == [(None, None), ("in_person", "B")]
    # Moved in person, the pin already in person keeps its mode.
    p = apply_changes(base, Scenario.model_validate(
        {"name": "t", "changes": [{"type": "mode_changed", "mode": "in_person", "topics": ["M1.T1"]}]}))
    assert (p.programme[0].allowed_modes, p.programme[0].participants_online, p.pins[0].mode) == (
        ("in_person",), 0, "in_person")


def test_modes_allowed_lets_the_solver_choose_keeping_the_programme_s_mode_first() -> None:
    # tiny: M1.T1 hybrid, M2.T1 in person; both topics offer hybrid and in person. Every course
    # may then run either way, each keeping its own mode first; a mode a topic lacks is refused.
    p = changed({"type": "modes_allowed", "everything": True})
    assert [i.allowed_modes for i in p.programme] == [("hybrid", "in_person"), ("in_person", "hybrid")]
    p = changed({"type": "modes_allowed", "modes": ["in_person", "hybrid"], "topics": ["M1.T1"]})
    assert (p.programme[0].allowed_modes, p.programme[1].allowed_modes) == (("hybrid", "in_person"), ("in_person",))
    with pytest.raises(InputError, match=r"topic 'M1\.T1' is not offered online"):
        changed({"type": "modes_allowed", "modes": ["hybrid", "online"], "topics": ["M1.T1"]})


def test_one_stream_sends_courses_in_person_when_they_may_run_so() -> None:
    # tiny with one stream and both courses hybrid, on 1-2 March: only one can be streamed. With
    # modes_allowed, the other runs in person the same days instead of leaving the calendar.
    data = tiny_data()
    record(data, "programme", "M2.T1").update(mode="hybrid", earliest_start="2027-03-01",
                                              latest_end="2027-03-02")
    record(data, "programme", "M1.T1").update(duration_days=2, earliest_start="2027-03-01",
                                              latest_end="2027-03-02")
    record(data, "rooms", "B").update(hybrid=True, online_seats=10)
    data["platform"] = {"max_concurrent_streams": 1}
    base = tiny_problem().model_validate(data)
    assert not solve(base, OPTIONS).found
    p = apply_changes(base, Scenario.model_validate({"name": "t", "changes": [
        {"type": "modes_allowed", "everything": True}]}))
    result = checked(solve(p, OPTIONS))
    assert sorted(se.mode for se in result.schedule.editions) == ["hybrid", "in_person"]


def test_editions_added_of_a_new_topic_run_in_the_topic_s_modes() -> None:
    # M2.T2, not in the programme: in the topic's modes (hybrid, in person: the default), hybrid
    # preferred; with a mode, in that one alone; online alone, its participants online.
    data = tiny_data()
    data["topics"].append({"id": "M2.T2", "module": 2, "title": "Return", "duration_min": 2,
                           "duration_max": 2})
    base = tiny_problem().model_validate(data)

    def added(**change: object) -> object:
        p = apply_changes(base, Scenario.model_validate(
            {"name": "t", "changes": [{"type": "editions_added", "topics": ["M2.T2"], **change}]}))
        item = p.programme[-1]
        return item.allowed_modes, item.participants_in_person, item.participants_online

    assert added() == (("hybrid", "in_person"), 20, 0)
    assert added(mode="in_person") == (("in_person",), 20, 0)
    data["topics"][-1]["modes"] = ["online"]
    base = tiny_problem().model_validate(data)
    assert added() == (("online",), 0, 30)


def test_nominations_withdrawn_by_country() -> None:
    data = tiny_data()
    data["nominations"] = [{"id": f"N{i}", "country": c, "audience": "csos", "topics": ["M1.T1"]}
                           for i, c in enumerate(["Georgia", "Moldova", "Georgia"])]
    base = tiny_problem().model_validate(data)
    p = apply_changes(base, Scenario.model_validate(
        {"name": "t", "changes": [{"type": "nominations_withdrawn", "countries": ["Georgia"]}]}))
    assert [n.id for n in p.nominations] == ["N1"]


def test_prerequisites_added_enrols_the_nominees_who_lack_the_course_that_now_comes_first() -> None:
    # M1.T1 before M2.T1: N1 (M2.T1 only) is nominated for M1.T1 just ahead of it; N2 took it
    # before; N3 asked for it already; with enrol off, nobody's list changes.
    data = tiny_data()
    data["nominations"] = [
        {"id": "N1", "country": "Georgia", "audience": "csos", "topics": ["M2.T1"]},
        {"id": "N2", "country": "Georgia", "audience": "csos", "topics": ["M2.T1"], "completed": ["M1.T1"]},
        {"id": "N3", "country": "Georgia", "audience": "csos", "topics": ["M2.T1", "M1.T1"]},
    ]
    base = tiny_problem().model_validate(data)
    change = {"type": "prerequisites_added", "before": "M1.T1", "after": ["M2.T1"]}
    p = apply_changes(base, Scenario.model_validate({"name": "t", "changes": [change]}))
    assert [n.topics for n in p.nominations] == [["M1.T1", "M2.T1"], ["M2.T1"], ["M2.T1", "M1.T1"]]
    assert [(pr.before, pr.after) for pr in p.prerequisites] == [("M1.T1", "M2.T1")]
    p = apply_changes(base, Scenario.model_validate({"name": "t", "changes": [{**change, "enrol": False}]}))
    assert [n.topics for n in p.nominations] == [["M2.T1"], ["M2.T1"], ["M2.T1", "M1.T1"]]


def test_enrolment_follows_a_chain_of_prerequisites() -> None:
    # A before B before C: a nominee for C alone is enrolled in A and B, in that order, ahead of
    # C; one who took A is enrolled in B only.
    nominations = [{"topics": ["X", "C"]}, {"topics": ["C"], "completed": ["A"]}]
    assert enrol_in_prerequisites(nominations, [("A", "B"), ("B", "C")]) == 3
    assert [n["topics"] for n in nominations] == [["X", "A", "B", "C"], ["B", "C"]]


def test_a_change_leaves_the_base_untouched() -> None:
    base = tiny_problem()
    before = base.model_dump()
    apply_changes(base, Scenario.model_validate(
        {"name": "t", "changes": [{"type": "trainer_removed", "trainer": "T1"}]}))
    assert base.model_dump() == before


BAD = [
    # An unknown trainer is named with the change that refers to it.
    ({"type": "trainer_unavailable", "trainer": "T99", "start": "2027-03-01", "end": "2027-03-02"},
     "change 1 (trainer_unavailable): trainer 'T99' is unknown"),
    # A period that ends before it starts.
    ({"type": "room_closed", "room": "B", "start": "2027-03-09", "end": "2027-03-02"},
     "change 1 (room_closed): ends (2027-03-02) before it starts (2027-03-09)"),
    # A misspelt field.
    ({"type": "room_closed", "rooom": "B", "start": "2027-03-01", "end": "2027-03-02"},
     "change 1 (room_closed): rooom is not a known field"),
    # A missing field.
    ({"type": "trainer_removed"}, "change 1 (trainer_removed): trainer is missing"),
    # An unknown change type.
    ({"type": "trainer_cloned", "trainer": "T1"}, "change 1 (trainer_cloned)"),
    # A weight that does not exist.
    ({"type": "weight_changed", "weight": "happiness", "value": 2},
     "change 1 (weight_changed): weight 'happiness' is not one of"),
    # A country with no nominee (tiny has none).
    ({"type": "nominations_withdrawn", "countries": ["Atlantis"]},
     "change 1 (nominations_withdrawn): no nominee comes from 'Atlantis'"),
    # A mode change naming neither topics, a module nor everything.
    ({"type": "mode_changed", "mode": "online"}, "change 1 (mode_changed): name topics or a module"),
    # An unknown organisation.
    ({"type": "organisation_removed", "organisation": "NASA"},
     "change 1 (organisation_removed): organisation 'NASA' is unknown"),
    # A change that leaves an invalid problem: the validation names the record.
    ({"type": "team_rule_changed", "min_trainers": 4}, "team rules: max_trainers (3) is below min_trainers (4)"),
]


@pytest.mark.parametrize(("change", "expected"), BAD)
def test_bad_scenario_files_are_named_precisely(tmp_path, change: dict, expected: str) -> None:
    problem = tmp_path / "tiny.yaml"
    problem.write_text(yaml.safe_dump(tiny_data()))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "base": "tiny.yaml", "changes": [change]}))
    with pytest.raises(InputError) as info:
        load(path)
    text = str(info.value)
    assert "bad.yaml" in text and expected in text, text


def test_a_scenario_without_a_name_is_rejected(tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("changes: []\n")
    with pytest.raises(InputError, match="name is missing"):
        read_scenario(path)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_applies_to_the_default(path: Path) -> None:
    scenario, base, problem = load(path)
    assert scenario.changes and problem.model_dump() != base.model_dump()
