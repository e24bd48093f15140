"""End to end on the real catalogue: the default 2027 programme, solved and checked."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from cli.app import app
from model.check import check, kpis
from model.formats.files import read_schedule, schedule_json
from model.schedule import Schedule
from scheduler.solve import Result

pytestmark = pytest.mark.slow


def test_every_edition_is_scheduled_and_no_rule_is_broken(rtcm_2027: Result) -> None:
    s = rtcm_2027.schedule
    assert rtcm_2027.status in ("OPTIMAL", "FEASIBLE")
    # 71 editions sized by demand: those of the 8 topics fewer than 8 nominees could sit cannot
    # run, and an optional edition the seating leaves below its minimum is cancelled.
    assert len(s.problem.editions) == 71 and 58 <= len(s.editions) <= 63
    assert all(not u.mandatory and u.reason for u in s.unscheduled)
    assert check(s) == []
    assert rtcm_2027.bound is not None and rtcm_2027.bound <= rtcm_2027.objective + 1e-6
    # 1 when the search proved no bound above 0 in its time (a busy machine): sound, if loose.
    assert rtcm_2027.gap is not None and 0 <= rtcm_2027.gap <= 1


def test_the_calendar_respects_the_summer_break_and_holidays(rtcm_2027: Result) -> None:
    for e in rtcm_2027.schedule.editions:
        assert not any(date(2027, 7, 1) <= d <= date(2027, 8, 31) for d in e.days), e.edition
        assert date(2027, 3, 20) not in e.days and date(2027, 3, 22) not in e.days  # Novruz
        assert all(d.weekday() < 5 for d in e.days)


def test_part_one_runs_before_part_two(rtcm_2027: Result) -> None:
    by = rtcm_2027.schedule.by_edition
    pairs = [(a, b) for a, b in (("M3.T1#1", "M3.T2#1"), ("M4.T1#1", "M4.T2#1"), ("M4.T7#1", "M4.T8#1"))
             if b in by]
    assert len(pairs) >= 2  # M3.T2 has too few nominees to run in 2027
    for first, second in pairs:
        assert by[first].end < by[second].start


def test_penalties_recomputed_from_the_schedule_match_the_solver(rtcm_2027: Result) -> None:
    # The objective is CP-SAT's own for the calendar it returned (its search's, or its value
    # of the start it did not improve on), not recomputed: the checker must find the same.
    k = kpis(rtcm_2027.schedule)
    # "checker" when an edition the seating left below its minimum was cancelled afterwards.
    assert rtcm_2027.objective_source in ("search", "start", "checker")
    assert rtcm_2027.objective is not None and rtcm_2027.bound is not None
    assert round(rtcm_2027.objective, 2) == round(k.objective, 2)
    assert rtcm_2027.bound <= rtcm_2027.objective  # CP-SAT's bound as it reported it, not clipped
    if rtcm_2027.status == "OPTIMAL":
        assert rtcm_2027.bound == rtcm_2027.objective
    assert {p.rule for p in rtcm_2027.report.penalties} == {p.rule for p in k.penalties}
    assert k.trainer_days_by_gender["woman"] > 0 and k.trainer_days_by_gender["man"] > 0


def test_the_json_is_self_contained_and_checks_on_its_own(rtcm_2027: Result, tmp_path) -> None:
    path = tmp_path / "rtcm-2027.json"
    path.write_text(schedule_json(rtcm_2027.schedule))
    raw = json.loads(path.read_text())
    assert raw["format"] == "rtcm-schedule/1"
    first = raw["editions"][0]
    assert {"edition", "topic", "number", "start", "end", "room", "venue", "mode", "trainers"} <= set(first)
    again = read_schedule(path)
    assert again.model_dump() == rtcm_2027.schedule.model_dump()
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "No hard rule broken" in result.output
    # The costs, recomputed by category from the JSON alone, within the budget the rule checked.
    k = kpis(again)
    said = " ".join(result.output.split())
    assert f"cost recomputed: {k.cost_usd:,} USD of a {again.problem.budget_usd:,} USD budget" in said
    assert k.cost_usd <= (again.problem.budget_usd or 0)
    for label, usd in (("fees", k.fees_usd), ("travel", k.travel_usd), ("rooms", k.room_cost_usd),
                       ("interpretation", k.interpretation_usd), ("participants' fares", k.participant_fares_usd),
                       ("allowances", k.participant_allowances_usd)):
        assert f"{label} {usd:,}" in said


def test_a_hand_edited_schedule_lists_every_broken_rule(rtcm_2027: Result, tmp_path) -> None:
    raw = json.loads(schedule_json(rtcm_2027.schedule))
    eds = raw["editions"]
    # Move the second edition onto the first one's days, room and team; drop a mandatory one.
    eds[1].update(start=eds[0]["start"], end=eds[0]["end"], days=eds[0]["days"],
                  room=eds[0]["room"], venue=eds[0]["venue"], trainers=eds[0]["trainers"])
    by_id = rtcm_2027.schedule.problem.edition_by_id
    dropped = eds.pop(next(i for i, e in enumerate(eds) if i > 2 and by_id[e["edition"]].mandatory))["edition"]
    eds[2]["trainers"] = ["T99", *eds[2]["trainers"][1:]]
    s = Schedule.model_validate(raw)
    rules = {v.rule for v in check(s)}
    assert {"room_not_double_booked", "trainer_not_double_booked", "mandatory_edition_scheduled",
            "trainer_qualified"} <= rules
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(raw))
    out = CliRunner().invoke(app, ["check", str(path)])
    assert out.exit_code == 1
    assert dropped in out.output and "T99" in out.output


# Read from the curriculum's JSON apart from data/lead_agencies.py: a theme in a topic's title,
# and the agency whose mandate it is, wherever the topic's resource persons name that agency.
THEMES = [
    (r"REFUGEE PROTECTION", "UNHCR", r"\bUNHCR\b"),
    (r"^(?!.*CRISIS).*HEALTH", "WHO", r"\bWHO\b"),
    (r"LABOUR MIGRATION", "ILO", r"\bILO\b"),
    (r"^(?!.*MEDIA).*(SMUGGLING|TRAFFICKING)", "UNODC", r"\bUNODC\b"),
    (r"CHILDREN", "UNICEF", r"\bUNICEF\b|\bUNICEL\b"),
    (r"WOMEN", "UN-WOMEN", r"UN ?WOMEN|UN Women|UNIFEM"),
]
NOT_AGENCIES = {"IOM", "RTCM-POOL", "TOT", "COUNTRY", "ACADEMIA", "NGO"}
# How the source spells an organisation, where not by its id (misspellings included).
SPELLINGS = {
    "OHCHR": r"OHCHR|UNOCHR", "UN-WOMEN": r"UN ?WOMEN|UN Women|UNIFEM", "UNICEF": r"UNICEF|UNICEL",
    "COE": r"Council of Europe|\bCOE\b|ECRI", "WB": r"World Bank|\bWB\b", "OECD": r"OECD|OCED|OCDE",
    "CAREC": r"Regional Environmental Center|CAREC", "EU": r"\bEU\b|\bEMN\b", "UNDP": r"UNDP|UNCT",
    "MEDIA": r"(?i:media)",
}


def _curriculum_topics() -> dict[str, dict]:
    from importlib import resources

    raw = json.loads(resources.files("data").joinpath("rtcm_curriculum.json").read_text(encoding="utf-8"))
    return {t["id"]: t for m in raw["modules"] for t in m["topics"]}


def test_each_topic_of_a_theme_has_the_agency_of_its_mandate_on_the_team(rtcm_2027: Result) -> None:
    s = rtcm_2027.schedule
    orgs = {se.edition: {s.problem.trainer_by_id[t].organisation for t in se.trainers} for se in s.editions}
    checked_topics = []
    for tid, raw in _curriculum_topics().items():
        persons = " | ".join(raw.get("resource_persons") or [])
        for title, agency, named in THEMES:
            if re.search(title, raw["title"]) and re.search(named, persons):
                checked_topics.append(tid)
                for se in s.editions:
                    if se.edition.startswith(f"{tid}#"):
                        assert agency in orgs[se.edition], (se.edition, agency, orgs[se.edition])
    assert len(checked_topics) >= 12, checked_topics


def test_every_led_topic_has_an_agency_the_curriculum_names_for_it(rtcm_2027: Result) -> None:
    s = rtcm_2027.schedule
    topics = _curriculum_topics()
    for se in s.editions:
        topic = s.problem.edition_by_id[se.edition].topic
        if not topic.lead_agencies:
            continue
        persons = " ".join(topics[topic.id]["resource_persons"])
        # On the team or giving a guest session: both deliver part of the edition.
        people = [*se.trainers, *(g.person for g in se.guests)]
        agencies = {s.problem.trainer_by_id[t].organisation for t in people} - NOT_AGENCIES
        named = [o for o in agencies if re.search(SPELLINGS.get(o, rf"\b{o}\b"), persons)]
        assert named and set(named) & set(topic.lead_agencies), (se.edition, agencies, topic.lead_agencies)
