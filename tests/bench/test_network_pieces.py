"""The network's pieces (bench/network_pieces.py): each is its share of the ten-centre network over
its two years, and a run's figures are its calendar's, checked, with the additive rules scaled up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.generate import family_problem
from bench.network_pieces import ADDITIVE, main, piece
from data import default_problem
from tests.bench.networks import expert_copies
from tests.bench.runs import run_appended


def test_each_piece_is_its_share_of_the_ten_centres_over_their_two_years() -> None:
    base, ten = default_problem(), family_problem("network", 10)
    one, two = piece(1), piece(2)
    for p in (one, two):
        assert p.calendar.end == ten.calendar.end == date(2028, 12, 31)
        assert p.calendar.closures == ten.calendar.closures
    # One centre: the RTCM's own programme and people, each with a limit a year over two years.
    assert [i.topic for i in one.programme] == [i.topic for i in base.programme]
    assert one.platform.max_concurrent_streams == base.platform.max_concurrent_streams
    assert one.budget_usd == base.budget_usd
    limits = {t.id: t.max_days_per_year for t in base.trainers}
    assert {t.id: t.max_days_per_year for t in one.trainers} == {
        i: None if x is None else 2 * x for i, x in limits.items()}
    assert expert_copies(one) == set()
    # Two centres: twice the streams and the budget, and one copy of the experts between them.
    assert two.platform.max_concurrent_streams == 2 * base.platform.max_concurrent_streams
    assert two.budget_usd == 2 * base.budget_usd  # type: ignore[operator]
    assert expert_copies(two) == set() and expert_copies(ten) == {"P2", "P3", "P4", "P5"}
    assert len(two.programme) == 2 * len(base.programme)
    # Ten centres: the network itself.
    assert piece(10).model_dump() | {"name": ""} == ten.model_dump() | {"name": ""}


def test_a_run_reports_its_checked_calendar_s_points_with_the_additive_ones_scaled_to_ten_centres(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_appended(main, tmp_path / "network_pieces.json", monkeypatch,
                       ["bench.network_pieces", "--time-limit", "4", "--pieces", "1"])
    (row,) = run["rows"]
    assert (row["centres"], row["times_to_the_network"], row["expert_copies"]) == (1, 10, 1)
    assert row["hard_rules_broken"] == 0
    assert row["floor_of_the_rules_left_out"] == 20 * 6  # 116 days that must run, over 20 working months
    assert row["objective"] == pytest.approx(sum(row["points"].values()), abs=0.5)
    assert row["additive"] == pytest.approx(sum(row["points"].get(rule, 0) for rule in ADDITIVE), abs=0.2)
    assert row["additive_for_the_network"] == pytest.approx(10 * row["additive"], abs=1)
    assert run["median_additive_for_the_network"] == {"1": row["additive_for_the_network"]}


@pytest.mark.parametrize("pieces", [["3"], ["0"], ["20"]])
def test_a_piece_must_divide_the_ten_centres(pieces: list[str], monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setattr("sys.argv", ["bench.network_pieces", "--pieces", *pieces, "--out", str(tmp_path / "x.json")])
    with pytest.raises(SystemExit):
        main()
    assert not (tmp_path / "x.json").exists()
