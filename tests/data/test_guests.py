"""Guest sessions in the default: the slots the curriculum asks for, and people who can fill them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from data import default_problem
from data.guests import GUEST_AGENCIES, PRACTICES, TRAINERS_ONLY
from data.lead_agencies import lead_agencies
from model.problem import Problem
from tests.data.test_default import RTCM_COUNTRIES

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
# The curriculum as data beside the repository, else the project's copy of the same file.
CURRICULUM = next(p for p in (SHARED / "curriculum" / "rtcm_curriculum.json",
                              Path(__file__).resolve().parents[2] / "data" / "rtcm_curriculum.json") if p.is_file())
# A resource person presenting a regional best practice: "Regional Best Practices presented by
# Country Representative(s)", "... by (Asylum) Authorities in Region", "Best practice from country
# representative of government of Moldova". Not "EU Country Representative/Expert ... EU best
# Practices": an expert of an EU member state.
BEST_PRACTICE = re.compile(
    r"(?i)best practices?\b.*\b(presented by|from)\b.*\b(country representative|authorities in region)")


def _curriculum_topics() -> list[dict[str, Any]]:
    raw = json.loads(CURRICULUM.read_text(encoding="utf-8"))
    return [t for m in raw["modules"] for t in m["topics"]]


def _slots(p: Problem, slot: str) -> dict[str, list[str]]:
    """Topic -> the organisations of its guest slot ``slot``, for the topics that have one."""
    return {item.topic: g.organisations for item in p.programme for g in item.guest_slots if g.id == slot}


def test_country_slots_are_exactly_where_the_curriculum_asks_for_a_regional_best_practice() -> None:
    asked = {t["id"] for t in _curriculum_topics() if any(BEST_PRACTICE.search(line)
                                                           for line in t["resource_persons"] or [])}
    # 48 topics in the curriculum's standard wording, 6 by the region's (asylum) authorities, M5.T3 by name.
    assert len(asked) == 55
    slots = _slots(default_problem(), "country")
    assert set(slots) == asked
    assert all(orgs == ["COUNTRY"] for orgs in slots.values())


def test_agency_slots_ask_for_a_lead_agency_that_comes_for_sessions() -> None:
    p = default_problem()
    guests = {t.organisation for t in p.trainers if t.role == "guest"}
    slots = _slots(p, "agency")
    leads = lead_agencies()
    assert set(slots) == {tid for tid, orgs in leads.items() if set(orgs) & guests}
    for tid, orgs in slots.items():
        assert orgs == list(leads[tid]), tid


def test_an_edition_has_at_most_two_optional_slots_each_titled() -> None:
    p = default_problem()
    assert any(len(item.guest_slots) == 2 for item in p.programme)
    for item in p.programme:
        assert len(item.guest_slots) <= 2, item.topic
        assert all(not g.required and g.title for g in item.guest_slots), item.topic


def test_every_slot_has_someone_who_can_fill_it() -> None:
    p = default_problem()
    for ed in p.editions:
        for slot in ed.item.guest_slots:
            people = p.guest_candidates(ed, slot)
            assert any(t.max_days_per_year != 0 for t in people), f"{ed.id}: nobody can give '{slot.id}'"
            if slot.id == "country":  # a few countries to choose among, not one
                assert len({t.country for t in people}) >= 3, ed.id


def test_each_country_has_a_guest_representative_with_travel_from_its_capital() -> None:
    reps = [t for t in default_problem().trainers if t.organisation == "COUNTRY"]
    assert sorted(t.country or "" for t in reps) == sorted(RTCM_COUNTRIES)
    for t in reps:
        assert t.role == "guest" and not t.on_teams, t.id
        # The representative of the host country is in Baku already.
        assert (t.travel_usd == 0) == (t.country == "Azerbaijan"), (t.id, t.travel_usd)
        assert t.travel_usd <= 1500, (t.id, t.travel_usd)


def test_each_country_can_meet_its_minimum_of_sessions() -> None:
    p = default_problem()
    least = p.team_rules.country_sessions_min
    assert least >= 1
    slots = [(ed, g) for ed in p.editions for g in ed.item.guest_slots if g.organisations == ["COUNTRY"]]
    assert len(slots) >= least * len(p.countries)
    for t in p.trainers:
        if t.country:
            can = [ed.id for ed, g in slots if t in p.guest_candidates(ed, g)]
            # A fair share of the country slots, and room in the year for the minimum.
            assert len(can) >= 15 and (t.max_days_per_year or 0) >= least, (t.country, len(can))


def test_every_organisation_that_leads_a_topic_has_a_person() -> None:
    p = default_problem()
    people = {t.organisation for t in p.trainers}
    for topic in p.topics:
        assert set(topic.lead_agencies) <= people, topic.id


def test_teams_and_guests_by_organisation() -> None:
    p = default_problem()
    for t in p.trainers:
        if t.organisation in TRAINERS_ONLY:
            assert t.role == "trainer", t.id
        elif t.organisation in GUEST_AGENCIES:
            assert t.role == "guest" and t.travel_usd > 0, t.id
        elif t.organisation != "COUNTRY":
            assert t.role == "both" and t.travel_usd == 0, t.id
    # Every topic still has people who can be on its team.
    for ed in p.editions:
        assert len(p.qualified_trainers(ed)) >= p.team_rules.min_trainers, ed.id


def test_a_countrys_practice_the_curriculum_names_is_among_its_topics() -> None:
    p = default_problem()
    country_slots = set(_slots(p, "country"))
    reps = {t.country: t for t in p.trainers if t.country}
    for practice in PRACTICES:
        assert practice.country in RTCM_COUNTRIES and practice.why.strip()
        assert set(practice.topics) <= country_slots, practice
        assert set(practice.topics) <= set(reps[practice.country].topics), practice


def test_each_practice_cites_a_line_naming_its_country() -> None:
    found = sorted((SHARED / "seeds").glob("004_*.txt")) if (SHARED / "seeds").is_dir() else []
    if not found:
        pytest.skip("the curriculum text is not beside the repository")
    lines = found[0].read_text(encoding="utf-8").split("\n")
    for practice in PRACTICES:
        name = "Turkey" if practice.country == "Türkiye" else practice.country
        assert name in lines[practice.line - 1], (practice.country, practice.line)
