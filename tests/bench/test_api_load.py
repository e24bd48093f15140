"""The load script's figures and its RESULTS.md section, on made-up runs (no server involved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aiohttp")  # the `bench` extra

from bench.api_load import SECTION, over_runs, percentile, run_figures, target_met, write_markdown


def test_percentiles_are_nearest_rank() -> None:
    values = [float(x) for x in range(1, 101)]  # 1..100: the q-th percentile is q itself
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0  # rank ceil(1.5) = 2


def test_a_run_counts_errors_as_requests_and_charges_cpu_to_every_request() -> None:
    # 4 served in 10, 20, 30, 40 ms and 1 error over 2 s: 5 requests, 2.5 req/s; 0.01 s CPU / 5 = 2 ms each.
    r = run_figures([0.04, 0.01, 0.03, 0.02], {"HTTP 503": 1}, 2.0, 0.01, 0.005)
    assert (r["requests"], r["ok"], r["errors"], r["requests_per_s"]) == (5, 4, 1, 2.5)
    assert (r["p50_ms"], r["p99_ms"], r["max_ms"], r["mean_ms"]) == (20.0, 40.0, 40.0, 25.0)
    assert r["server_cpu_ms_per_request"] == 2.0 and r["client_cpu_ms_per_request"] == 1.0


def test_a_run_with_nothing_served_has_no_latency() -> None:
    r = run_figures([], {"ClientConnectorError": 3}, 1.0, None, 0.0)
    assert r["p50_ms"] is None and r["max_ms"] is None and r["server_cpu_ms_per_request"] is None


def _run(n: int, rps: float, p99: float, errors: int = 0) -> dict[str, Any]:
    return {"run": n, "load_average_before": [2.5, 3.0, 3.0], "requests": int(rps * 3), "ok": int(rps * 3) - errors,
            "errors": errors, "error_kinds": {"HTTP 503": errors} if errors else {}, "elapsed_s": 3.0,
            "requests_per_s": rps, "p50_ms": p99 / 2, "p90_ms": p99 * 0.8, "p99_ms": p99, "max_ms": p99 * 2,
            "mean_ms": p99 / 2, "server_cpu_ms_per_request": None, "client_cpu_ms_per_request": 0.4,
            "solves_at_end": [{"state": "running", "solutions": 2, "elapsed_s": 9.0}] * 2}


def test_p99_is_judged_on_the_median_and_errors_on_every_run() -> None:
    runs = [_run(1, 500.0, 80.0), _run(2, 300.0, 250.0), _run(3, 450.0, 90.0)]
    median = over_runs(runs)
    assert median["p99_ms"] == {"median": 90.0, "min": 80.0, "max": 250.0}
    assert median["server_cpu_ms_per_request"] == {"median": None, "min": None, "max": None}  # not on Linux
    assert target_met(median)  # one slow run does not decide
    with_errors = over_runs([_run(1, 500.0, 80.0), _run(2, 300.0, 250.0, errors=4), _run(3, 450.0, 90.0)])
    assert with_errors["errors"]["median"] == 0 and not target_met(with_errors)  # any error does
    assert not target_met(over_runs([_run(1, 500.0, 80.0), _run(2, 300.0, 120.0)]))  # median p99 100: not under


def _result(runs: list[dict[str, Any]]) -> dict[str, Any]:
    median = over_runs(runs)
    return {"when": "2027-01-01T00:00:00+00:00", "machine": {"cores": 2},
            "setup": {"clients": 50, "runs": len(runs), "schedule_bytes": 304925, "solve_restarts": 0},
            "client_processes": 2, "runs": runs, "median": median,
            "target": {"p99_ms": 100.0}, "target_met": target_met(median)}


def test_the_section_has_a_row_per_run_then_the_median(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmarks\n\n" + SECTION + "\n\nold figures\n\n## Explanations\n\nkept\n")
    write_markdown(_result([_run(1, 500.0, 80.0), _run(2, 300.0, 250.0, errors=4), _run(3, 450.0, 90.0)]), path)
    text = path.read_text()
    assert "old figures" not in text and "kept" in text and text.count(SECTION) == 1
    assert "| 2 | 2.5 | 900 | 300 | 125 | 200 | 250 | 500 | 4 | n/a | 0.4 |" in text
    assert "| **median** | | **1350** | **450** | **45** | **72** | **90** |" in text
    assert "| min-max | | 900-1500 | 300-500 |" in text
    assert "median p99 under 100 ms): **not met**. Errors over all runs: HTTP 503: 4." in text
