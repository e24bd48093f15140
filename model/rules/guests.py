"""Rules of guest sessions: a day inside a course given by an agency's expert, a country's
representative, an academic or an NGO, besides the whole-course team."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from model.problem import Edition, GuestSlot, Trainer
from model.rules.reading import Breach, Charge, Reading

# ------------------------------------------------------------------------------ hard


def _why_not_a_guest(ed: Edition, slot: GuestSlot, tr: Trainer) -> str | None:
    """Why ``tr`` may not give ``slot`` of ``ed``, in words; None when they may."""
    if not tr.gives_sessions:
        return "teaches whole courses only"
    if tr.organisation not in slot.organisations:
        return f"is from {tr.organisation}, not {' or '.join(slot.organisations)}"
    if not tr.can_teach(ed.topic):
        return f"is not qualified for {ed.topic.id}"
    heard = [ed.item.language, *ed.item.interpretation]
    if not set(heard) & set(tr.languages):
        return f"speaks none of {', '.join(heard)}"
    return None


def guest_session_fits(r: Reading) -> Iterator[Breach]:
    """Each session fills a slot of its edition once, on a course day, by someone who may give it
    and gives no other session of it."""
    known = r.problem.trainer_by_id
    for ed, se in r.placed:
        slots = {s.id: s for s in ed.item.guest_slots}
        for slot_id, n in Counter(g.slot for g in se.guests).items():
            if slot_id in slots and n > 1:
                yield Breach([se.edition], f"{se.edition}: guest slot '{slot_id}' is filled {n} times")
        for person, n in Counter(g.person for g in se.guests).items():
            if n > 1:
                yield Breach([se.edition, person], f"{se.edition}: {person} gives {n} of its guest sessions; one each")
        for g in se.guests:
            slot = slots.get(g.slot)
            if slot is None:
                yield Breach([se.edition], f"{se.edition}: no guest slot '{g.slot}' in its programme")
                continue
            if g.day not in se.days:
                yield Breach([se.edition, g.person], f"{se.edition}: guest session '{g.slot}' on {g.day}, "
                                                     "not a day of the course")
            tr = known.get(g.person)
            if tr is None:
                yield Breach([se.edition, g.person], f"{se.edition}: guest {g.person} is unknown")
                continue
            why = _why_not_a_guest(ed, slot, tr)
            if why:
                yield Breach([se.edition, tr.id], f"{se.edition}: {tr.id} may not give guest slot '{slot.id}': {why}")


def guest_slot_filled(r: Reading) -> Iterator[Breach]:
    for ed, se in r.placed:
        filled = {g.slot for g in se.guests}
        for slot in ed.item.guest_slots:
            if slot.required and slot.id not in filled:
                yield Breach([se.edition], f"{se.edition}: required guest slot '{slot.id}' "
                                           f"({' or '.join(slot.organisations)}) is empty")


def country_presents_once_per_edition(r: Reading) -> Iterator[Breach]:
    for _, se in r.placed:
        countries = Counter(tr.country for _, tr in r.guests(se) if tr.country)
        for country, n in sorted(countries.items()):
            if n > 1:
                yield Breach([se.edition, country], f"{se.edition}: {country} presents in {n} guest sessions")


# ------------------------------------------------------------------------------ soft


def guest_slot_empty(r: Reading) -> Iterator[Charge]:
    """Optional guest slots of editions on the calendar left without a guest."""
    for ed, se in r.placed:
        filled = {g.slot for g in se.guests}
        for slot in ed.item.guest_slots:
            if not slot.required and slot.id not in filled:
                yield Charge(1, f"{se.edition}: guest slot '{slot.id}' ({' or '.join(slot.organisations)}) is empty",
                             edition=se.edition)


def country_sessions(r: Reading) -> Counter[str]:
    """Guest sessions given by each country's representatives."""
    return Counter(tr.country for _, se in r.placed for _, tr in r.guests(se) if tr.country)


def country_sessions_short(r: Reading) -> Iterator[Charge]:
    """Sessions each of the problem's countries gives below the team rules' minimum."""
    least = r.problem.team_rules.country_sessions_min
    if not least:
        return
    given = country_sessions(r)
    for country in r.problem.countries:
        short = least - given[country]
        if short > 0:
            yield Charge(short, f"{country} presents in {given[country]} guest session(s); the minimum is {least}",
                         records=[country])
