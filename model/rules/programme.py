"""Rules across the programme: prerequisites, pins, budget and cost, the published calendar."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from model.participants import gap_days
from model.problem import GuestSession, Prerequisite
from model.rules.reading import CALENDAR_COST_CATEGORIES, Breach, Charge, Reading, quarter_of
from model.schedule import ScheduledEdition

# ------------------------------------------------------------------------------ hard


def gap_allowed(pr: Prerequisite, gap: int) -> bool:
    """Whether ``gap`` free calendar days between the two courses meet the prerequisite's gap."""
    return pr.min_gap_days <= gap and (pr.max_gap_days is None or gap <= pr.max_gap_days)


def prerequisite_finished_first(r: Reading) -> Iterator[Breach]:
    by_topic: dict[str, list[ScheduledEdition]] = defaultdict(list)
    for ed, se in r.placed:
        by_topic[ed.topic.id].append(se)
    planned = {i.topic for i in r.problem.programme}
    for pr in r.problem.prerequisites:
        if pr.before not in planned or pr.after not in planned:
            continue
        for b in by_topic.get(pr.after, []):
            if not any(gap_allowed(pr, gap_days(a, b)) for a in by_topic.get(pr.before, [])):
                window = f"at least {pr.min_gap_days} days"
                if pr.max_gap_days is not None:
                    window += f" and at most {pr.max_gap_days} days"
                yield Breach([pr.before, b.edition], f"{b.edition} starts {b.start} without an edition of "
                                                     f"{pr.before} ending {window} before it")


def pinned_edition_kept(r: Reading) -> Iterator[Breach]:
    for pin in r.problem.pins:
        se = r.by_id.get(pin.edition)
        what = f"pinned {pin.edition}" + (f" ({pin.reason})" if pin.reason else "")
        if se is None:
            yield Breach([pin.edition], f"{what} is not scheduled")
            continue
        if pin.start is not None and se.start != pin.start:
            yield Breach([pin.edition], f"{what} starts {se.start}, not {pin.start}")
        if pin.room is not None and se.room != pin.room:
            yield Breach([pin.edition], f"{what} is in room {se.room}, not {pin.room}")
        if pin.mode is not None and se.mode != pin.mode:
            yield Breach([pin.edition], f"{what} runs {se.mode.replace('_', ' ')}, not {pin.mode.replace('_', ' ')}")
        if pin.trainers is not None and set(se.trainers) != set(pin.trainers):
            yield Breach([pin.edition], f"{what} has team {', '.join(se.trainers)}, not {', '.join(pin.trainers)}")
        if pin.guests is not None and set(se.guests) != set(pin.guests):
            yield Breach([pin.edition],
                         f"{what} has guest sessions {_sessions(se.guests)}, not {_sessions(pin.guests)}")


def budget_within_cap(r: Reading) -> Iterator[Breach]:
    budget = r.problem.budget_usd
    spent = r.cost_usd
    if budget is not None and spent > budget:
        yield Breach(["budget"], f"the calendar's costs and the participants' fares and allowances, {spent:,} USD, "
                                 "exceed the budget of "
                                 f"{budget:,} USD")


def budget_within_quarter_caps(r: Reading) -> Iterator[Breach]:
    """Each capped quarter: what the editions starting in it cost, participants' fares and
    allowances included (``Reading.quarter_costs``), within its cap."""
    caps = r.problem.quarterly_budget_usd
    if not caps:
        return
    spent = r.quarter_costs()
    calendar = r.quarter_costs(CALENDAR_COST_CATEGORIES)
    starting = Counter(quarter_of(se.start) for _, se in r.placed)
    for quarter, cap in sorted(caps.items()):
        if spent[quarter] > cap:
            yield Breach([f"budget {quarter}"],
                         f"the {starting[quarter]} edition(s) starting in {quarter} cost {spent[quarter]:,} USD "
                         f"({calendar[quarter]:,} the calendar's, {spent[quarter] - calendar[quarter]:,} the "
                         f"participants' fares and allowances), above the quarter's cap of {cap:,} USD")


# ------------------------------------------------------------------------------ soft


def cost(r: Reading) -> Iterator[Charge]:
    """Each edition's fees, travel, room cost and interpretation, in USD."""
    p = r.problem
    for ed, se in r.placed:
        n = len(se.days)
        fees = [(t, p.trainer_by_id[t].day_rate) for t in sorted(set(se.trainers)) if t in p.trainer_by_id]
        fee_usd = r.edition_fees(se)
        travel_usd = r.edition_travel_cost(se)
        room_usd = r.edition_room_cost(se)
        talk_usd = r.edition_interpretation_cost(se)
        total = fee_usd + travel_usd + room_usd + talk_usd
        if not total:
            continue
        guests = [(g.person, tr.day_rate) for g, tr in r.guests(se)]
        parts = [f"fees {fee_usd:,} USD (" + ", ".join(f"{t} {rate:,}" for t, rate in fees) + f" a day x {n}"
                 + "".join(f", guest {t} {rate:,}" for t, rate in guests) + ")"]
        if travel_usd:
            parts.append(f"travel {travel_usd:,} USD")
        if se.room in p.room_by_id:
            parts.append(f"room {se.room} {room_usd:,} USD ({p.room_by_id[se.room][1].day_cost:,} a day x {n})")
        if talk_usd:
            langs = ed.item.interpretation
            parts.append(f"interpretation into {', '.join(langs)} {talk_usd:,} USD "
                         f"({p.costs.interpretation_day_usd:,} a day x {len(langs)} x {n})")
        yield Charge(total, f"{se.edition}: " + " and ".join(parts) + f", {total:,} USD",
                     edition=se.edition, records=[se.edition, *(t for t, _ in fees), *(t for t, _ in guests),
                                                  *([se.room] if se.room else [])])


def edition_moved(r: Reading) -> Iterator[Charge]:
    """Published editions that start on another day, or are dropped."""
    for b in r.problem.baseline:
        se = r.by_id.get(b.edition)
        if se is None:
            yield Charge(1, f"published edition {b.edition} is dropped", edition=b.edition)
        elif se.start != b.start:
            yield Charge(1, f"published edition {b.edition} moves from {b.start} to {se.start}", edition=b.edition)


def room_changed(r: Reading) -> Iterator[Charge]:
    """Published editions (still on the calendar) in another room or another mode."""
    for b in r.problem.baseline:
        se = r.by_id.get(b.edition)
        if se is None:
            continue
        moved = b.room is not None and se.room != b.room
        switched = b.mode is not None and se.mode != b.mode
        if moved or switched:
            what = [f"from room {b.room} to {se.room or 'online'}"] if moved else []
            what += [f"from {b.mode.replace('_', ' ')} to {se.mode.replace('_', ' ')}"] if switched and b.mode else []
            yield Charge(1, f"{b.edition} moves {' and '.join(what)}", edition=b.edition)


def _sessions(guests: list[GuestSession]) -> str:
    return ", ".join(f"{g.slot} {g.person} {g.day}" for g in sorted(guests, key=lambda g: g.slot)) or "none"


def guest_changed(r: Reading) -> Iterator[Charge]:
    """Published guest sessions of an edition still on the calendar, given on another day or by
    someone else (or no longer given)."""
    for b in r.problem.baseline:
        se = r.by_id.get(b.edition)
        if se is None:
            continue
        now = {g.slot: g for g in se.guests}
        for g in b.guests:
            if now.get(g.slot) != g:
                then = now.get(g.slot)
                after = f"{then.person} on {then.day}" if then else "nobody"
                yield Charge(1, f"{b.edition}: guest slot '{g.slot}' moves from {g.person} on {g.day} to {after}",
                             edition=b.edition, records=[b.edition, g.person])


def trainer_changed(r: Reading) -> Iterator[Charge]:
    """Trainers taken off, or added to, the published team of an edition still on the calendar:
    each is someone to tell."""
    for b in r.problem.baseline:
        se = r.by_id.get(b.edition)
        if se is None:
            continue
        gone, added = sorted(set(b.trainers) - set(se.trainers)), sorted(set(se.trainers) - set(b.trainers))
        if gone:
            yield Charge(len(gone), f"{', '.join(gone)} taken off the published team of {b.edition}",
                         edition=b.edition, records=[b.edition, *gone])
        if added:
            yield Charge(len(added), f"{', '.join(added)} added to the published team of {b.edition}",
                         edition=b.edition, records=[b.edition, *added])
