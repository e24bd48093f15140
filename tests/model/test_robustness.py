"""Sampled futures without a solver: drawing, what breaks, what backups save, the figures.

``tiny_schedule``: M1.T1#1 on 2-4 March 2027 in HALL with T1 (IOM, woman) + T4 (UNHCR, man); M2.T1#1
on 18-19 March in room B with T2 (IOM, man) + T3 (UNHCR, woman). Its backups (``rtcm backups``):
T2 for T4 on M1.T1#1 and T1 for T3 on M2.T1#1; T1 and T2 have none (the team would lose its IOM
trainer or its woman or man).
"""

from __future__ import annotations

from datetime import date

import pytest

from model.backups import BackupReport, EditionBackups, MemberBackup
from model.check import check_calendar
from model.errors import InputError
from model.robustness import (
    ABSENCE_REASON,
    AbsenceRates,
    Future,
    FutureOutcome,
    Replanned,
    at_fault,
    check_settings,
    draw_future,
    saved_by_backups,
    spread,
    summarise,
    with_absences,
)
from model.schedule import Schedule
from tests.test_excel import tiny_schedule

BACKUPS = BackupReport(editions=[
    EditionBackups(edition="M1.T1#1", room="HALL", members=[MemberBackup(trainer="T1", reason="none"),
                                                             MemberBackup(trainer="T4", backup="T2")]),
    EditionBackups(edition="M2.T1#1", room="B", backup_room="HALL",
                   members=[MemberBackup(trainer="T2", reason="none"), MemberBackup(trainer="T3", backup="T1")]),
])


def away(**days: list[int]) -> Future:
    """A future with each person away on the given days of March 2027."""
    return Future(sample=0, away={p: [date(2027, 3, d) for d in ds] for p, ds in days.items()})


def test_the_same_seed_and_sample_draw_the_same_future():
    s = tiny_schedule()
    rates = AbsenceRates(day=0.3, week=0.05)
    futures = [draw_future(s, rates, 7, i) for i in range(20)]
    assert futures == [draw_future(s, rates, 7, i) for i in range(20)]
    assert len({f.model_dump_json() for f in futures}) > 10
    assert draw_future(s, rates, 8, 0) != futures[0] or draw_future(s, rates, 8, 1) != futures[1]


def test_absences_fall_on_course_days_and_whole_weeks():
    s = tiny_schedule()
    course_days = {d for se in s.editions for d in se.days}
    assert draw_future(s, AbsenceRates(day=0.0), 0, 0).away == {}
    every = draw_future(s, AbsenceRates(day=1.0), 0, 0)
    assert {p: set(d) for p, d in every.away.items()} == {t.id: course_days for t in s.problem.trainers}
    weeks = draw_future(s, AbsenceRates(day=0.0, week=1.0), 0, 0)
    march = {date(2027, 3, d) for d in range(1, 32)}  # the whole horizon, nothing outside it
    assert all(set(days) == march for days in weeks.away.values())


def test_an_edition_breaks_when_a_member_is_away_on_one_of_its_days():
    s = tiny_schedule()
    assert at_fault(s, away(T4=[3])) == {"M1.T1#1": ["T4"]}
    assert at_fault(s, away(T4=[5], T1=[1])) == {}  # the day after, the day before
    assert at_fault(s, away(T1=[2], T4=[4], T2=[19])) == {"M1.T1#1": ["T1", "T4"], "M2.T1#1": ["T2"]}


def test_absences_join_into_periods_of_consecutive_days():
    problem = with_absences(tiny_schedule().problem, away(T4=[3, 4, 5, 9]))
    t4 = problem.trainer_by_id["T4"]
    assert [(p.start, p.end, p.reason) for p in t4.unavailable] == [
        (date(2027, 3, 3), date(2027, 3, 5), ABSENCE_REASON), (date(2027, 3, 9), date(2027, 3, 9), ABSENCE_REASON)]


def under(future: Future) -> Schedule:
    s = tiny_schedule()
    return s.model_copy(update={"problem": with_absences(s.problem, future)})


def test_a_backup_who_is_there_saves_the_edition():
    future = away(T4=[3])
    saved = saved_by_backups(under(future), future, at_fault(tiny_schedule(), future), BACKUPS)
    assert saved == {"M1.T1#1": ["T1", "T2"]}
    trial = under(future)
    trial = trial.model_copy(update={"editions": [
        se.model_copy(update={"trainers": saved[se.edition]}) if se.edition in saved else se for se in trial.editions]})
    assert check_calendar(trial) == []  # the saved calendar breaks no hard rule in that future


@pytest.mark.parametrize("future", [
    away(T4=[3], T2=[4]),  # the backup is away too
    away(T1=[3]),  # T1 has no backup
])
def test_no_backup_no_save(future):
    assert saved_by_backups(under(future), future, at_fault(tiny_schedule(), future), BACKUPS) == {}


def test_spread_mean_95th_percentile_and_most():
    assert spread([]).model_dump() == {"mean": 0.0, "p95": 0.0, "most": 0}
    assert spread([0] * 19 + [10]).model_dump() == {"mean": 0.5, "p95": 0.0, "most": 10}  # rank 19 of 20
    assert spread(list(range(1, 21))).model_dump() == {"mean": 10.5, "p95": 19.0, "most": 20}


@pytest.mark.parametrize(("samples", "day", "week", "field"), [
    (0, 0.03, 0.0, "samples"),  # no future
    (10_001, 0.03, 0.0, "samples"),  # above the stated limit
    (10, 1.5, 0.0, "absence_rate"),  # not a probability
    (10, -0.1, 0.0, "absence_rate"),
    (10, float("nan"), 0.0, "absence_rate"),
    (10, 0.03, 2.0, "week_rate"),
])
def test_settings_out_of_range_name_the_setting(samples, day, week, field):
    with pytest.raises(InputError) as e:
        check_settings(samples, day=day, week=week)
    assert field in str(e.value)


def outcome(sample: int, broken: dict[str, list[str]], without: Replanned, saved=(), with_=None) -> FutureOutcome:
    return FutureOutcome(sample=sample, days_away=len(broken), broken=broken, without_backups=without,
                         saved=list(saved), with_backups=with_ or without)


def test_the_report_sums_the_futures_up():
    untouched = Replanned(status="UNCHANGED")
    futures = [
        outcome(2, {}, untouched),
        outcome(0, {"A#1": ["T1"], "B#1": ["T1", "T2"]}, Replanned(status="OPTIMAL", changed=["A#1", "B#1"],
                                                                     moved=["A#1"]),
                saved=["B#1"], with_=Replanned(status="OPTIMAL", changed=["A#1"], moved=["A#1"])),
        outcome(1, {"A#1": ["T3"]}, Replanned(status="OPTIMAL", dropped=["A#1"])),
    ]
    r = summarise(futures, rates=AbsenceRates(day=0.03), seed=4, editions=2)
    assert [f.sample for f in r.futures] == [0, 1, 2]
    assert (r.without_backups.all_delivered, r.without_backups.untouched) == (round(2 / 3, 4), round(1 / 3, 4))
    assert r.without_backups.changed.mean == round(2 / 3, 3) and r.with_backups.changed.mean == round(1 / 3, 3)
    assert r.without_backups.dropped.most == 1 and r.saved.most == 1 and r.broken.most == 2
    assert [(f.id, f.futures) for f in r.editions_at_fault] == [("A#1", 2), ("B#1", 1)]
    assert [(f.id, f.futures) for f in r.people_at_fault] == [("T1", 1), ("T2", 1), ("T3", 1)]
