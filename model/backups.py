"""Backups: who could step in for each trainer of a calendar, and which room could take each course.

A backup for a team member of an edition is a person who could replace that member alone, the
rest of the calendar as it is: qualified for the topic and speaking its language, available and
not teaching on those days, within their monthly and yearly limits and their organisation's
quota once the edition's days are added, keeping what the team must include (its required
organisations, a lead agency) and a woman and a man when that rule is hard. A backup room holds
the edition in the mode it is scheduled in and is open and free on its days. :func:`candidates`
and :func:`room_candidates` list them; the engine (``scheduler/backups.py``) chooses one per role
so that nobody, and no room, backs up two editions on the same day; :func:`breaks_if_used`
re-tests a backup with the checker itself, so a backup named never breaks a hard rule if used.
A schedule carries its backups (``Schedule.backups``); :func:`verify_backups` re-tests those of a
calendar perhaps edited since, for ``rtcm check`` and the service's check of a calendar.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from model.check import check_calendar
from model.occupancy import Occupancy
from model.problem import ROOM_MODES, Edition, Trainer
from model.rules.reading import Reading, Violation
from model.rules.trainers import mixed_team

# The report's models live with the schedule, which carries them; imported from here too.
from model.schedule import BackupReport, EditionBackups, MemberBackup, Schedule, ScheduledEdition

__all__ = ["BACKUPS_RULE", "BackupReport", "EditionBackups", "MemberBackup", "breaks_if_used", "candidates",
           "room_candidates", "substituted", "verify_backups"]

BACKUPS_RULE = "backups_can_step_in"
BACKUPS_RULE_NAME = "Each backup can step in"


def candidates(r: Reading, ed: Edition, se: ScheduledEdition, member: str) -> tuple[list[str], str]:
    """Who could replace ``member`` on ``se`` alone, by the rules a person and a team must meet;
    when nobody, why (the first test that leaves nobody)."""
    p = r.problem
    team = [t for t in r.team(se) if t.id != member]
    occ = Occupancy(r.schedule, [o for _, o in r.placed if o.edition != se.edition])
    needs = p.team_needs(ed.item)
    mixed = p.team_rules.mixed_gender == "hard"

    guest_orgs = {tr.organisation for _, tr in r.guests(se)}

    def keeps_the_team(t: Trainer) -> bool:
        orgs = {x.organisation for x in [*team, t]}
        return all((orgs | guest_orgs if need.guests_count else orgs) & set(need.organisations) for need in needs) and (
            not mixed or mixed_team([x.gender for x in [*team, t]]))

    taken = set(se.trainers) | {g.person for g in se.guests}  # a guest of the course teaches on its day
    others = [t for t in p.qualified_trainers(ed) if t.id not in taken]
    free = [t for t in others if occ.trainer_free(t, se.days)]
    within = [t for t in free if occ.within_limits(t, se.days)]
    able = [t.id for t in within if keeps_the_team(t)]
    if able:
        return able, ""
    if not others:
        return [], f"nobody else is qualified for {ed.topic.id} in '{ed.item.language}'"
    if not free:
        return [], f"the {len(others)} others qualified are away or teaching on those days"
    if not within:
        ids = ", ".join(t.id for t in free)
        return [], f"those free ({ids}) would pass a monthly or yearly limit or their organisation's quota"
    left = {x.organisation for x in team}
    wants = [f"a person of {need.describe()}" for need in needs if not left & set(need.organisations)]
    genders = {x.gender for x in team}
    if mixed and team:
        wants += [f"a {g}" for g in ("woman", "man") if g not in genders]
    ids = ", ".join(t.id for t in within)
    return [], f"a backup must bring {' and '.join(wants)}; none of those free and within their limits ({ids}) does"


def room_candidates(r: Reading, ed: Edition, se: ScheduledEdition) -> list[str]:
    """Rooms that hold the edition in the mode it is scheduled in and are open and free on its days
    (its own left out); none online."""
    if se.mode not in ROOM_MODES:
        return []
    occ = Occupancy(r.schedule, [o for _, o in r.placed if o.edition != se.edition])
    return [room.id for venue, room in r.problem.suitable_rooms(ed, se.mode)
            if room.id != se.room and occ.room_free(venue, room, se.days) is None]


def substituted(schedule: Schedule, edition: str, *, member: str | None = None, backup: str | None = None,
                room: str | None = None) -> Schedule:
    """The calendar with one backup used: ``backup`` in place of ``member``, or the edition in ``room``."""
    p = schedule.problem
    editions = []
    for se in schedule.editions:
        if se.edition == edition:
            if member is not None and backup is not None:
                se = se.model_copy(update={"trainers": [backup if t == member else t for t in se.trainers]})
            if room is not None:
                se = se.model_copy(update={"room": room, "venue": p.room_by_id[room][0].id})
        editions.append(se)
    return schedule.model_copy(update={"editions": editions})


def breaks_if_used(schedule: Schedule, edition: str, already: set[str], **use: str) -> list[str]:
    """The hard rules a backup would break if used (beyond ``already``, the calendar's own), by the checker."""
    return sorted({v.message for v in check_calendar(substituted(schedule, edition, **use))} - already)


def verify_backups(schedule: Schedule) -> list[Violation]:
    """What is wrong with the backups ``schedule`` carries (nothing when it carries none), perhaps
    edited by hand since they were chosen.

    Each backup named must be a trainer (a room) of the problem, not on the team (not the edition's
    room) already, and break no hard rule when used alone (:func:`breaks_if_used`, beyond those the
    calendar breaks anyway); a member backed up must still be on the team, an edition backed up still
    on the calendar; and nobody, no room, backs up two roles on the same day.

    Parameters
    ----------
    schedule
        A calendar with its problem and, perhaps, its backups.

    Returns
    -------
    list of Violation
        One per wrong or stale backup, under :data:`BACKUPS_RULE`, naming the edition, the member
        (or the room) and the backup; empty when each could step in.
    """
    report = schedule.backups
    if report is None:
        return []
    p = schedule.problem
    already = {v.message for v in check_calendar(schedule)}
    wrong: list[Violation] = []

    def flag(records: list[str], message: str) -> None:
        wrong.append(Violation(rule=BACKUPS_RULE, name=BACKUPS_RULE_NAME, records=records, message=message))

    # (person or room, backup, day) -> the roles backed up that day: (edition, member; None for its room)
    roles: dict[tuple[str, str, date], list[tuple[str, str | None]]] = defaultdict(list)
    for eb in report.editions:
        se = schedule.by_edition.get(eb.edition)
        if se is None:
            flag([eb.edition], f"{eb.edition} has backups but is not on the calendar")
            continue
        for m in eb.members:
            records = [eb.edition, m.trainer, *([m.backup] if m.backup else [])]
            named = f"{eb.edition}: {m.backup}, the backup of {m.trainer},"
            if m.trainer not in se.trainers:
                flag(records, f"{eb.edition}: {m.trainer} has a backup ({m.backup or 'none'}) but is not on the "
                              f"team ({', '.join(se.trainers) or 'nobody'})")
                continue
            if m.backup is None:
                continue
            if m.backup not in p.trainer_by_id:
                flag(records, f"{named} is not a trainer of the problem")
            elif m.backup in se.trainers:
                flag(records, f"{named} is on the team already")
            elif broken := breaks_if_used(schedule, eb.edition, already, member=m.trainer, backup=m.backup):
                flag(records, f"{named} would break: {'; '.join(broken)}")
            for d in se.days:
                roles[("person", m.backup, d)].append((eb.edition, m.trainer))
        if eb.backup_room is None:
            continue
        records = [eb.edition, eb.backup_room]
        named = f"{eb.edition}: {eb.backup_room}, its backup room,"
        if se.room is None:
            flag(records, f"{named} is named, yet the course runs online")
            continue
        if eb.backup_room not in p.room_by_id:
            flag(records, f"{named} is not a room of the problem")
        elif eb.backup_room == se.room:
            flag(records, f"{named} is its room already")
        elif broken := breaks_if_used(schedule, eb.edition, already, room=eb.backup_room):
            flag(records, f"{named} would break: {'; '.join(broken)}")
        for d in se.days:
            roles[("room", eb.backup_room, d)].append((eb.edition, None))
    first_day: dict[tuple[str, str, tuple[tuple[str, str | None], ...]], date] = {}
    for (kind, backup, day), that_day in sorted(roles.items()):
        if len(that_day) > 1:
            first_day.setdefault((kind, backup, tuple(that_day)), day)
    for (kind, backup, clash), day in first_day.items():
        what = " and ".join(f"{m} on {e}" if m else e for e, m in clash)
        flag([backup, *dict.fromkeys(e for e, _ in clash), *(m for _, m in clash if m)],
             f"{backup} {'backs up' if kind == 'person' else 'is the backup room of'} {what} on the same day "
             f"({day.isoformat()}), and could not {'step in for' if kind == 'person' else 'take'} "
             f"{'both' if len(clash) == 2 else 'all of them'}")
    return wrong
