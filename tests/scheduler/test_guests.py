"""Guest sessions: the engine picks the person and the day inside the course, and every rule
that reads people's days reads the guests' too.

Each calendar goes through the solver-free checker (:func:`tests.scheduler.solving.optimal`).
"""

from __future__ import annotations

from typing import Any

import pytest

from model.errors import InputError
from model.problem import Problem
from model.rules.guests import country_sessions
from model.rules.reading import Reading
from scheduler.greedy import greedy_schedule
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import d, edition, explained_facts, infeasible, names_rule, optimal

Raw = dict[str, Any]


def _guest(gid: str, gender: str, country: str | None, **more: Any) -> Raw:
    rec: Raw = {"id": gid, "name": f"{gid} (fictional)", "gender": gender, "organisation": "COUNTRY",
                "role": "guest", "modules": [1, 2], "travel_usd": 300}
    if country:
        rec["country"] = country
    return {**rec, **more}


def guest_data() -> Raw:
    """``tiny`` with country representatives: G1 and G2 of Georgia, G3 of Moldova, all
    qualified for both modules; M2.T1 has a required slot for a representative."""
    data = tiny_data()
    data["organisations"].append({"id": "COUNTRY", "name": "Country representatives", "kind": "government"})
    data["countries"] = ["Georgia", "Moldova"]
    data["trainers"] += [_guest("G1", "woman", "Georgia"), _guest("G2", "man", "Georgia"),
                         _guest("G3", "woman", "Moldova")]
    record(data, "programme", "M2.T1")["guest_slots"] = [
        {"id": "country", "organisations": ["COUNTRY"], "required": True, "title": "Regional best practice"}]
    return data


def _pin(data: Raw, topic: str, start: str, days: int) -> None:
    record(data, "programme", topic).update(duration_days=days, earliest_start=start)
    record(data, "programme", topic)["latest_end"] = start[:-2] + f"{int(start[-2:]) + days - 1:02d}"


def test_a_required_slot_gets_a_guest_on_a_day_of_the_course() -> None:
    result = optimal(problem_of(guest_data()))
    se = edition(result, "M2.T1#1")
    assert len(se.guests) == 1
    g = se.guests[0]
    assert g.slot == "country" and g.person in {"G1", "G2", "G3"} and g.day in se.days
    assert g.person not in se.trainers


def test_a_guest_away_part_of_the_course_gives_the_day_they_are_free() -> None:
    data = guest_data()
    _pin(data, "M2.T1", "2027-03-01", 2)
    # Only G3 may give it, and G3 is away on the first day.
    record(data, "programme", "M2.T1")["guest_slots"][0]["organisations"] = ["COUNTRY"]
    for gid in ("G1", "G2"):
        record(data, "trainers", gid)["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    record(data, "trainers", "G3")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-01"}]
    se = edition(optimal(problem_of(data)), "M2.T1#1")
    assert [(g.person, g.day) for g in se.guests] == [("G3", d(2))]


def test_one_guest_for_two_courses_at_once_gives_a_day_to_each() -> None:
    data = guest_data()
    _pin(data, "M1.T1", "2027-03-01", 2)
    _pin(data, "M2.T1", "2027-03-01", 2)
    record(data, "programme", "M1.T1")["guest_slots"] = [
        {"id": "country", "organisations": ["COUNTRY"], "required": True}]
    for gid in ("G1", "G2"):
        record(data, "trainers", gid)["role"] = "trainer"  # whole courses only: not guests
    result = optimal(problem_of(data))
    days = {se.edition: [(g.person, g.day) for g in se.guests] for se in result.schedule.editions}
    assert {p for gs in days.values() for p, _ in gs} == {"G3"}
    assert days["M1.T1#1"][0][1] != days["M2.T1#1"][0][1]


def test_a_guest_of_a_lead_agency_meets_the_lead_agency_rule() -> None:
    data = guest_data()
    data["organisations"].append({"id": "WHO", "name": "World Health Organization", "kind": "un_agency"})
    record(data, "topics", "M1.T1")["lead_agencies"] = ["WHO"]
    data["trainers"].append({"id": "W1", "name": "W1 (fictional)", "gender": "man", "organisation": "WHO",
                             "role": "guest", "topics": ["M1.T1"], "day_rate": 300, "travel_usd": 800})
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "agency", "organisations": ["WHO"]}]
    problem = problem_of(data)
    assert problem.lead_agency_mode(problem.programme[0]) == "hard"
    se = edition(optimal(problem), "M1.T1#1")
    assert [g.person for g in se.guests] == ["W1"]
    assert not set(se.trainers) & {"W1"}


def test_no_country_presents_twice_in_one_edition() -> None:
    data = guest_data()
    slot = record(data, "programme", "M2.T1")["guest_slots"][0]
    record(data, "programme", "M2.T1")["guest_slots"] = [slot, {**slot, "id": "second"}]
    se = edition(optimal(problem_of(data)), "M2.T1#1")
    p = problem_of(data)
    countries = [p.trainer_by_id[g.person].country for g in se.guests]
    assert len(countries) == 2 and set(countries) == {"Georgia", "Moldova"}


def test_countries_take_turns_when_the_minimum_asks_it() -> None:
    data = guest_data()
    record(data, "programme", "M2.T1")["guest_slots"][0]["required"] = False
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"]}]
    record(data, "trainers", "G3")["travel_usd"] = 900  # Moldova's representative costs more
    data["weights"] = only_weights(cost=1, guest_slot_empty=100, country_sessions_short=20)
    cheap = optimal(problem_of(data))
    assert country_sessions(Reading(cheap.schedule)) == {"Georgia": 2}
    data["team_rules"] = {"country_sessions_min": 1}
    fair = optimal(problem_of(data))
    assert country_sessions(Reading(fair.schedule)) == {"Georgia": 1, "Moldova": 1}


def test_guest_days_count_in_the_women_s_share_of_trainer_days() -> None:
    data = guest_data()
    # Teams of two men (8 trainer-days) and M2.T1's guest: only a woman's guest day reaches a tenth.
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["role"] = "guest"
    data["trainers"] += [{"id": "T5", "name": "T5 (fictional)", "gender": "man", "organisation": "UNHCR",
                          "modules": [1, 2], "day_rate": 200}]
    data["team_rules"] = {"mixed_gender": "off"}
    _pin(data, "M1.T1", "2027-03-01", 2)
    _pin(data, "M2.T1", "2027-03-08", 2)
    data["targets"] = {"trainer_days_year": {"min_share": 0.1, "mode": "hard"}}
    se = edition(optimal(problem_of(data)), "M2.T1#1")
    p = problem_of(data)
    assert [p.trainer_by_id[g.person].gender for g in se.guests] == ["woman"]


def test_the_greedy_start_fills_the_slots_and_breaks_no_rule() -> None:
    from model.check import check

    data = guest_data()
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"]}]
    schedule = greedy_schedule(problem_of(data))
    assert check(schedule) == []
    assert all(len(se.guests) == 1 for se in schedule.editions)


def test_a_required_slot_nobody_can_give_is_explained() -> None:
    data = guest_data()
    record(data, "programme", "M2.T1")["guest_slots"][0]["organisations"] = ["UNHCR"]
    for tid in ("T3", "T4"):
        record(data, "trainers", tid)["role"] = "trainer"
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "guest_slot_filled"), diagnosis
    assert any("guest slot 'country'" in line for line in diagnosis), diagnosis


@pytest.mark.parametrize(("change", "expected"), [
    (lambda p: p["guest_slots"][0]["organisations"].append("UNESCO"),
     "guest slot 'country': organisation 'UNESCO' is unknown"),
    (lambda p: p["guest_slots"].append(dict(p["guest_slots"][0])), "guest slot 'country' is listed twice"),
    (lambda p: p["guest_slots"][0].update(organisations=[]), "organisations"),
])
def test_a_bad_guest_slot_is_named(change: Any, expected: str) -> None:
    data = guest_data()
    change(record(data, "programme", "M2.T1"))
    with pytest.raises(InputError) as info:
        problem_of(data)
    text = "\n".join(info.value.messages)
    assert expected in text and "M2.T1" in text, text


def test_an_unknown_country_on_a_guest_is_named() -> None:
    data = guest_data()
    record(data, "trainers", "G3")["country"] = "Atlantis"
    with pytest.raises(InputError) as info:
        problem_of(data)
    assert any("G3" in m and "Atlantis" in m for m in info.value.messages), info.value.messages


def test_problem_round_trip_keeps_the_slots() -> None:
    p = problem_of(guest_data())
    again = Problem.model_validate(p.model_dump(mode="json"))
    assert again.programme[1].guest_slots == p.programme[1].guest_slots


def test_one_guest_needed_by_two_one_day_courses_on_one_day_is_explained() -> None:
    data = guest_data()
    record(data, "topics", "M1.T1").update(duration_min=1)
    record(data, "topics", "M2.T1").update(duration_min=1, duration_max=1)
    _pin(data, "M1.T1", "2027-03-01", 1)
    _pin(data, "M2.T1", "2027-03-01", 1)
    record(data, "programme", "M1.T1")["guest_slots"] = [
        {"id": "country", "organisations": ["COUNTRY"], "required": True}]
    for gid in ("G1", "G2"):
        record(data, "trainers", gid)["role"] = "trainer"
    diagnosis = infeasible(problem_of(data))
    assert "trainer G3 G3 (fictional) gives one course or session at a time" in explained_facts(diagnosis), diagnosis
    assert names_rule(diagnosis, "guest_slot_filled"), diagnosis


def test_a_re_plan_keeps_the_frozen_guests_and_stays_close_to_the_published_ones() -> None:
    from scenarios.replan import replan

    data = guest_data()
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"]}]
    published = optimal(problem_of(data)).schedule
    first, later = sorted(published.editions, key=lambda se: se.start)
    # The first course has happened. The later course's guest now costs 2,000 USD more to
    # bring: 20 points, less than the 100 a changed published session costs, so they stay;
    # with that weight at 0 someone else comes.
    guest = later.guests[0].person
    record(data, "trainers", guest)["travel_usd"] += 2000
    for weight, stays in ((100, True), (0, False)):
        data["weights"] = {"guest_changed": weight}
        result, _ = replan(problem_of(data), published, freeze_before=later.start)
        assert result.found
        again = result.schedule.by_edition
        assert again[first.edition].guests == first.guests
        assert (again[later.edition].guests == later.guests) is stays, (weight, again[later.edition].guests)


def test_a_pinned_guest_session_that_breaks_a_rule_is_refused_with_its_reason() -> None:
    data = guest_data()
    record(data, "trainers", "G3")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    data["pins"] = [{"edition": "M2.T1#1", "guests": [{"slot": "country", "person": "G3", "day": "2027-03-02"}]}]
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "pinned_edition_kept") or names_rule(diagnosis, "trainer_available"), diagnosis


def test_a_pin_naming_an_unknown_slot_or_person_is_refused() -> None:
    data = guest_data()
    data["pins"] = [{"edition": "M2.T1#1", "guests": [{"slot": "keynote", "person": "G9", "day": "2027-03-02"}]}]
    with pytest.raises(InputError) as info:
        problem_of(data)
    text = "\n".join(info.value.messages)
    assert "guest slot 'keynote' is not in its programme item" in text and "guest 'G9' is unknown" in text, text


def test_the_greedy_start_keeps_a_pinned_guest_session() -> None:
    from model.check import check

    data = guest_data()
    data["pins"] = [{"edition": "M2.T1#1", "start": "2027-03-03",
                     "guests": [{"slot": "country", "person": "G3", "day": "2027-03-04"}]}]
    schedule = greedy_schedule(problem_of(data))
    assert check(schedule) == []
    assert [(g.person, g.day) for g in schedule.by_edition["M2.T1#1"].guests] == [("G3", d(4))]


def test_the_greedy_start_of_a_re_plan_keeps_the_published_guest_sessions() -> None:
    # The published calendar's sessions were not the greedy's own first picks (the day after or
    # the other representative): a re-plan's start keeps them as they were while they still fit,
    # instead of choosing its own, and chooses anew for the one whose guest is now away.
    from model.check import check
    from scenarios.replan import with_baseline

    data = guest_data()
    record(data, "programme", "M1.T1")["guest_slots"] = [{"id": "country", "organisations": ["COUNTRY"]}]
    published = greedy_schedule(problem_of(data))
    own = {se.edition: se.guests[0] for se in published.editions}
    swapped = {"G1": "G3", "G2": "G3", "G3": "G1"}
    for se in published.editions:
        g = se.guests[0]
        day = next((x for x in se.days if x != g.day), g.day)
        se.guests = [g.model_copy(update={"person": swapped[g.person], "day": day})]
    assert check(published) == []
    kept = greedy_schedule(with_baseline(problem_of(data), published), start_from=published)
    assert check(kept) == []
    for se in published.editions:
        assert kept.by_edition[se.edition].guests == se.guests != [own[se.edition]]
    # The later course's guest away on their day: that session alone is chosen anew.
    later = max(published.editions, key=lambda se: se.start)
    g = later.guests[0]
    record(data, "trainers", g.person)["unavailable"] = [{"start": g.day.isoformat(), "end": g.day.isoformat()}]
    again = greedy_schedule(with_baseline(problem_of(data), published), start_from=published)
    assert check(again) == []
    assert again.by_edition[later.edition].guests != later.guests
    first = min(published.editions, key=lambda se: se.start)
    if first.guests[0].day != g.day or first.guests[0].person != g.person:
        assert again.by_edition[first.edition].guests == first.guests
