"""The embedded default covers the curriculum: its countries, lead agencies, audiences and order."""

from __future__ import annotations

import re

import pytest

from data import default_problem
from data.default import build_default
from model.doctor import blocking, doctor
from scenarios.scenario import load

# The curriculum's table of the RTCM region (L408), written out here apart from data/default.py.
RTCM_COUNTRIES = {"Azerbaijan", "Belarus", "Georgia", "Iran", "Kazakhstan", "Kyrgyzstan", "Moldova",
                  "Russian Federation", "Tajikistan", "Türkiye", "Turkmenistan", "Ukraine", "Uzbekistan"}


def test_the_nominations_come_from_the_13_countries_and_only_they() -> None:
    p = default_problem()
    assert set(p.countries) == RTCM_COUNTRIES
    assert {n.country for n in p.nominations} == RTCM_COUNTRIES


def test_each_country_has_a_representative() -> None:
    reps = [t for t in default_problem().trainers if t.organisation == "COUNTRY"]
    assert sorted(t.country for t in reps) == sorted(RTCM_COUNTRIES)
    assert all(t.fictional and "(fictional)" in t.name and t.country in t.name for t in reps)


def test_the_course_for_the_media_has_media_nominees() -> None:
    p = default_problem()
    assert "media" in p.topic_by_id["M2.T10"].target_audiences
    assert any(n.audience == "media" and "M2.T10" in n.topics for n in p.nominations)


@pytest.mark.parametrize("audience", ["trade_unions", "ombudspersons"])
def test_the_restored_audiences_are_nominated(audience: str) -> None:
    p = default_problem()
    before = {pr.before for pr in p.prerequisites}
    asked = [t for n in p.nominations if n.audience == audience for t in n.topics]
    # A nominee asks for topics meant for their audience, and sometimes for their prerequisites.
    assert asked and all(audience in p.topic_by_id[t].target_audiences or t in before for t in asked)
    assert any(audience in p.topic_by_id[t].target_audiences for t in asked)


def test_every_lead_agency_has_someone_who_can_teach_each_topic_it_leads_in_its_language() -> None:
    p = default_problem()
    assert any(t.lead_agencies for t in p.topics)
    for item in p.programme:
        topic = p.topic_by_id[item.topic]
        for org in topic.lead_agencies:
            assert any(t.organisation == org for t in p.trainers), f"{org} leads {topic.id} and has nobody"
        assert p.lead_agency_mode(item) == ("hard" if topic.lead_agencies else "off"), topic.id
    assert p.lead_agency_softened == {}
    assert not [f for f in doctor(p) if f.check == "lead_agency_pool"]


def test_the_default_is_possible_by_the_doctor() -> None:
    assert blocking(doctor(default_problem())) == []


def test_prerequisites_are_the_curriculums_each_citing_its_line() -> None:
    p = default_problem()
    pairs = {(pr.before, pr.after) for pr in p.prerequisites}
    # Part I before Part II; M7.T2 follows M7.T1 (L6514); M8.T1 is Module 8's Introductory Course (L6892).
    assert {("M3.T1", "M3.T2"), ("M4.T1", "M4.T2"), ("M4.T7", "M4.T8"), ("M7.T1", "M7.T2")} <= pairs
    assert {("M8.T1", f"M8.T{i}") for i in range(2, 6)} <= pairs
    # Module 1 names no introductory course the others must follow: that stricter reading is an option.
    assert not [pr for pr in p.prerequisites if pr.before.startswith("M1.")]
    assert all(re.search(r"\(L\d+(, L\d+)*\)$", pr.reason) for pr in p.prerequisites), [
        pr.reason for pr in p.prerequisites]


def test_module_introductions_first_is_a_scenario_off_by_default() -> None:
    _, base, stricter = load("scenarios/module-introductions-first.yaml")
    pairs = {(pr.before, pr.after) for pr in stricter.prerequisites}
    assert ("M1.T1", "M1.T2") in pairs and ("M1.T4", "M1.T5") in pairs and ("M1.T1", "M1.T7") not in pairs
    assert len(stricter.prerequisites) == len(base.prerequisites) + 11


def test_the_builder_is_deterministic() -> None:
    assert build_default() == build_default()


def test_no_nominee_lacks_a_prerequisite_the_programme_offers() -> None:
    # The centre enrols them in it (model.participants.enrol_in_prerequisites).
    p = default_problem()
    needs = {(pr.before, pr.after) for pr in p.prerequisites}
    lacking = [(n.id, after) for n in p.nominations for before, after in needs
               if after in n.topics and before not in n.topics and before not in n.completed]
    assert lacking == []


def test_most_who_ask_to_come_in_person_would_follow_online_when_unfunded() -> None:
    modes = {m: sum(1 for n in default_problem().nominations if n.mode == m)
             for m in ("in_person", "in_person_preferred", "online", "either")}
    assert modes["in_person_preferred"] > 2 * modes["in_person"] > 0 and min(modes.values()) > 0


def test_the_rollout_is_three_years_with_the_road_map_themes_due_by_the_second() -> None:
    r = default_problem().rollout
    assert r.years == 3 and r.dropped == []
    assert [(t.id, t.by_year) for t in r.themes] == [
        ("health", 2), ("crisis", 2), ("labour", 2), ("environment", 2), ("development", 2), ("return", 2),
        ("management", 2)]
    assert {"M4.T1", "M4.T14"} <= set(next(t for t in r.themes if t.id == "crisis").topics)
