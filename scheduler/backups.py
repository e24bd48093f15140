"""Choose a backup for every role of a calendar: a small CP-SAT assignment.

Each team member of each edition may get one backup among their candidates
(:func:`model.backups.candidates`), each edition in a room one backup room that holds it in the
mode it is scheduled in (:func:`model.backups.room_candidates`); nobody and no room backs up
two roles on the same day (so never two editions that overlap). The most roles covered
wins, then the most editions complete. Every backup chosen is then re-tested with the
checker, substituted alone into the calendar (:func:`model.backups.breaks_if_used`): one that
would break a hard rule (a women's-share band, the budget) is dropped with that reason.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ortools.sat.python import cp_model

from model.backups import BackupReport, EditionBackups, MemberBackup, breaks_if_used, candidates, room_candidates
from model.check import check_calendar
from model.rules.reading import Reading
from model.schedule import Schedule

NO_ROOM = "no other room that fits it is open and free on those days"


def backups(schedule: Schedule, *, time_limit_s: float = 10.0) -> BackupReport:
    """Backups for every team member and room of ``schedule``'s editions.

    Parameters
    ----------
    schedule
        A calendar with its problem.
    time_limit_s
        For the assignment (deterministic time): a few hundred roles take well under a second.

    Returns
    -------
    BackupReport
        Each edition's members with their backup or the reason there is none, and its backup room.
    """
    r = Reading(schedule)
    model = cp_model.CpModel()
    people: dict[tuple[str, str], dict[str, cp_model.IntVar]] = {}
    why_nobody: dict[tuple[str, str], str] = {}
    rooms: dict[str, dict[str, cp_model.IntVar]] = {}
    busy: dict[tuple[str, date], list[cp_model.IntVar]] = defaultdict(list)
    taken: dict[tuple[str, date], list[cp_model.IntVar]] = defaultdict(list)
    complete = []
    for ed, se in r.placed:
        roles = []
        for member in dict.fromkeys(se.trainers):
            able, why_nobody[(se.edition, member)] = candidates(r, ed, se, member)
            options = {c: model.new_bool_var(f"backup[{se.edition},{member},{c}]") for c in able}
            model.add_at_most_one(options.values())
            people[(se.edition, member)] = options
            roles.append(sum(options.values()))
            for c, x in options.items():
                for d in se.days:
                    busy[(c, d)].append(x)
        if se.room is not None:
            options = {room: model.new_bool_var(f"backup_room[{se.edition},{room}]")
                       for room in room_candidates(r, ed, se)}
            model.add_at_most_one(options.values())
            rooms[se.edition] = options
            roles.append(sum(options.values()))
            for room, x in options.items():
                for d in se.days:
                    taken[(room, d)].append(x)
        whole = model.new_bool_var(f"complete[{se.edition}]")
        for role in roles:
            model.add(role >= whole)
        complete.append(whole)
    for xs in [*busy.values(), *taken.values()]:
        if len(xs) > 1:
            model.add_at_most_one(xs)
    chosen = [x for options in [*people.values(), *rooms.values()] for x in options.values()]
    # The people the calendar keeps free for an edition (its standbys) step in first, when they can.
    standbys = {se.edition: set(se.standbys) for _, se in r.placed}
    standing = [x for (eid, _), options in people.items() for c, x in options.items() if c in standbys[eid]]
    # A role covered outweighs every edition made complete, which outweighs every standby used.
    tie = len(standing) + 1
    model.maximize((len(complete) + 1) * tie * sum(chosen) + tie * sum(complete) + sum(standing))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = time_limit_s
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def pick(options: dict[str, cp_model.IntVar]) -> str | None:
        return next((c for c, x in options.items() if found and solver.value(x)), None)

    already = {v.message for v in check_calendar(schedule)}
    report = BackupReport(status=solver.status_name(status))
    for _, se in r.placed:
        members = []
        for member in dict.fromkeys(se.trainers):
            options = people[(se.edition, member)]
            backup = pick(options)
            reason = "" if backup else (why_nobody[(se.edition, member)] if not options else
                                        f"each who could ({', '.join(options)}) backs up a course on those days")
            if backup:
                broken = breaks_if_used(schedule, se.edition, already, member=member, backup=backup)
                if broken:
                    backup, reason = None, f"{pick(options)} would break: {'; '.join(broken)}"
            members.append(MemberBackup(trainer=member, backup=backup, reason=reason))
        room_options = rooms.get(se.edition, {})
        backup_room = pick(room_options)
        room_reason = ""
        if se.room is not None and backup_room is None:
            room_reason = NO_ROOM if not room_options else (
                f"each that could ({', '.join(room_options)}) backs up a course on those days")
        elif backup_room is not None:
            broken = breaks_if_used(schedule, se.edition, already, room=backup_room)
            if broken:
                backup_room, room_reason = None, f"{pick(room_options)} would break: {'; '.join(broken)}"
        report.editions.append(EditionBackups(edition=se.edition, members=members, room=se.room,
                                              backup_room=backup_room, room_reason=room_reason))
    return report
