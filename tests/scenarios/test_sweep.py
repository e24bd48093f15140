"""The sweep runner on trivial work: items in order, progress, a stop keeps what finished, a crashed worker
process survived, bad settings refused. The work functions live here, at module level, so the worker
processes (and Ray's, in test_sweep_ray.py) import them by name; this module imports nothing heavy."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from model.errors import InputError
from scenarios.sweep import CRASHES, SweepProgress, check_backend, run_sweep

_SETUP: dict[str, int] = {}


def remember(offset: int) -> None:
    """Per-process setup: what the items add, and how often this process was set up."""
    _SETUP["offset"] = offset
    _SETUP["setups"] = _SETUP.get("setups", 0) + 1


def square(item: str) -> str:
    """An item's square plus the setup's offset, with this process's id and its count of setups."""
    n = json.loads(item)["n"]
    return json.dumps({"n": n, "value": n * n + _SETUP.get("offset", 0), "pid": os.getpid(),
                       "setups": _SETUP.get("setups", 0)})


def slow(item: str) -> str:
    """Half a second's work: long enough to stop a sweep in the middle."""
    time.sleep(0.5)
    return item


def crash_once(item: str) -> str:
    """Kill this process the first time an item naming a marker file runs (no marker yet), as a
    native crash of the solver would; run again, it returns."""
    marker = json.loads(item).get("marker")
    if marker and not Path(marker).exists():
        Path(marker).write_text("crashed", encoding="utf-8")
        os._exit(1)
    return item


def crash_always(item: str) -> str:
    os._exit(1)


def refuse(item: str) -> str:
    """The work's own error: it reaches the caller as it is."""
    raise ValueError(f"item {item} is refused")


def numbers(n: int) -> list[str]:
    return [json.dumps({"n": i}) for i in range(n)]


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_in_item_order_with_progress_and_one_setup_per_worker_process(workers: int) -> None:
    seen: list[SweepProgress] = []
    each: list[tuple[int, str]] = []

    def result(index: int, out: str) -> None:
        each.append((index, out))
        assert len(seen) == len(each)  # each result before the progress that counts it

    swept = run_sweep(square, numbers(6), setup=remember, setup_args=(100,), workers=workers,
                      on_progress=seen.append, on_result=result)
    assert sorted(each) == list(swept.results.items())  # each as it ended, whatever the order
    results = [json.loads(r) for r in swept.finished]
    assert [r["value"] for r in results] == [i * i + 100 for i in range(6)]
    assert list(swept.results) == list(range(6)) and not swept.cancelled and swept.total == 6
    assert [p.done for p in seen] == [0, 1, 2, 3, 4, 5, 6] and {p.total for p in seen} == {6}
    assert all(p.elapsed_s >= 0 for p in seen) and seen[0].estimate_s is None and seen[-1].estimate_s == 0
    assert seen[1].estimate_s == pytest.approx(seen[1].elapsed_s * 5)  # 5 items left at the first one's pace
    # Worker processes, never this one (one worker is a pool of one), each set up once however many
    # items it took.
    pids = {r["pid"] for r in results}
    assert os.getpid() not in pids and len(pids) <= workers
    assert {r["setups"] for r in results} == {1}


def test_a_stop_keeps_the_items_finished_and_drops_the_rest() -> None:
    stop = threading.Event()

    def progress(p: SweepProgress) -> None:
        if p.done >= 2:
            stop.set()

    t0 = time.perf_counter()
    swept = run_sweep(slow, numbers(40), workers=2, on_progress=progress, stop=stop)
    assert swept.cancelled and 2 <= len(swept.results) < 40
    assert swept.finished == [numbers(40)[i] for i in swept.results]
    # 40 half-second items on two processes take 10 s; the stop returns within a couple of seconds.
    assert time.perf_counter() - t0 < 8


def test_a_sweep_stopped_before_it_starts_runs_nothing() -> None:
    stop = threading.Event()
    stop.set()
    swept = run_sweep(square, numbers(3), workers=1, stop=stop)
    assert swept.cancelled and swept.results == {}


def test_a_worker_process_that_dies_costs_nothing_but_time(tmp_path: Path) -> None:
    items = [*numbers(4), json.dumps({"n": 4, "marker": str(tmp_path / "crashed")})]
    swept = run_sweep(crash_once, items, workers=2)
    assert (tmp_path / "crashed").exists()  # the process did die
    assert swept.finished == items and not swept.cancelled


def test_workers_dying_every_time_are_given_up() -> None:
    with pytest.raises(RuntimeError, match=f"died {CRASHES + 1} times"):
        run_sweep(crash_always, numbers(2), workers=2)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_works_own_error_reaches_the_caller(workers: int) -> None:
    with pytest.raises(ValueError, match="is refused"):
        run_sweep(refuse, numbers(3), workers=workers)


def test_bad_settings_are_refused_before_anything_runs() -> None:
    for kwargs, words in [({"backend": "dask"}, "backend is 'dask': one of local, ray"),
                          ({"workers": 0}, "workers is 0: at least 1"),
                          ({"address": "10.0.0.1:6379"}, "Ray address (10.0.0.1:6379) is given with the local")]:
        with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")) as e:
            run_sweep(crash_always, numbers(2), **kwargs)  # type: ignore[arg-type]
        assert e.value.source == "the sweep settings"
    check_backend("ray", 2, None)  # a local Ray instance needs no address


def test_nothing_to_do_is_done() -> None:
    swept = run_sweep(crash_always, [], workers=2)
    assert swept.results == {} and not swept.cancelled and swept.total == 0
