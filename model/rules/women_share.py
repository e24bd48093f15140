"""Gender parity of trainers: the women's share of trainer-days by year, module and month.

One function per scope and kind would only repeat itself: the registry binds each of these
two to a scope (``functools.partial``), giving the three hard and the three soft rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from model.problem import ShareBand
from model.rules.reading import Breach, Charge, Reading
from model.shares import known_count, scope_label, share_gap, trainer_day_counts


def _groups(r: Reading, scope: str, mode: str) -> Iterator[tuple[str, int, int, ShareBand, int, int]]:
    """(label, women, known, band, short, over) for each group of the scope off its band."""
    band: ShareBand = getattr(r.problem.targets, f"trainer_days_{scope}")
    if band.mode != mode:
        return
    groups = trainer_day_counts(r.schedule)[scope]
    for key, counts in sorted(groups.items(), key=lambda kv: str(kv[0])):
        women, known = counts["woman"], known_count(counts)
        short, over = share_gap(women, known, band)
        if short or over:
            yield scope_label(scope, key), women, known, band, short, over


def women_share_within(scope: str, r: Reading) -> Iterator[Breach]:
    """Hard: each group's women's share of trainer-days inside the band."""
    for label, women, known, band, _, _ in _groups(r, scope, "hard"):
        share = f" ({100 * women / known:.0f} %)" if known else ""
        yield Breach([label], f"{label}: women give {women} of {known} trainer-days{share}; "
                              f"the target is {band.describe()}")


def trainer_days_off_band(scope: str, r: Reading) -> Iterator[Charge]:
    """Soft: trainer-days short of the band's minimum or over its maximum, per group."""
    for label, women, known, band, short, over in _groups(r, scope, "soft"):
        gap = f"{short} trainer-days short" if short else f"{over} trainer-days over"
        yield Charge(short + over, f"women's share of trainer-days in {label}: {women} of {known}, "
                                   f"band {band.describe()}: {gap}", records=[label])
