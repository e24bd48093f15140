"""The Ray backend: the same results as the local one (the robustness report, a scenario comparison, a
frontier, compared as JSON), progress, a stop, a crashed worker, an existing cluster joined by its address,
and an unreachable address refused in seconds with nothing written.

One local Ray instance serves the module (:func:`scenarios.sweep.session`: the sweeps inside use it and
leave it running); test_sweep_ray_instance.py covers the instance a sweep starts and shuts down itself.
``tiny_schedule`` as in tests/scenarios/test_robustness.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from typer.testing import CliRunner

from cli.app import app
from model.errors import InputError
from model.formats.files import schedule_json
from model.robustness import AbsenceRates, RobustnessReport
from scenarios.robustness import robustness
from scenarios.run import run_scenarios
from scenarios.sweep import ADDRESS_ENV, CONNECT_TIMEOUT_S, SweepProgress, run_sweep, session
from scheduler.solve import SolveOptions
from tests.instances.tiny import tiny_data
from tests.scenarios.test_sweep import crash_once, numbers, refuse, remember, slow, square
from tests.test_excel import tiny_schedule

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def ray_instance() -> Iterator[str]:
    """A local Ray instance of two CPUs for the module (the sweeps inside use it); yields its head's address."""
    with session("ray", cpus=2):
        yield ray.get_runtime_context().gcs_address
    assert not ray.is_initialized()


def test_results_come_in_item_order_with_progress_and_one_setup_per_worker() -> None:
    seen: list[SweepProgress] = []
    each: list[tuple[int, str]] = []
    swept = run_sweep(square, numbers(8), setup=remember, setup_args=(100,), workers=2, backend="ray",
                      on_progress=seen.append, on_result=lambda i, r: each.append((i, r)))
    assert sorted(each) == list(swept.results.items())  # each as it ended
    results = [json.loads(r) for r in swept.finished]
    assert [r["value"] for r in results] == [i * i + 100 for i in range(8)] and not swept.cancelled
    assert [p.done for p in seen] == list(range(9)) and seen[0].estimate_s is None and seen[-1].estimate_s == 0
    assert os.getpid() not in {r["pid"] for r in results}  # Ray's worker processes, not this one
    assert {r["setups"] for r in results} == {1}  # each worker set up once, however many items it took
    assert ray.is_initialized()  # the module's instance, left running


def test_a_stop_keeps_the_items_finished_and_cancels_the_rest() -> None:
    stop = threading.Event()

    def progress(p: SweepProgress) -> None:
        if p.done >= 2:
            stop.set()

    t0 = time.perf_counter()
    swept = run_sweep(slow, numbers(40), workers=2, backend="ray", on_progress=progress, stop=stop)
    assert swept.cancelled and 2 <= len(swept.results) < 40
    assert swept.finished == [numbers(40)[i] for i in swept.results]
    assert time.perf_counter() - t0 < 8  # 40 half-second items on two CPUs would take 10 s


def test_a_worker_that_dies_is_retried(tmp_path: Path) -> None:
    items = [*numbers(3), json.dumps({"n": 3, "marker": str(tmp_path / "crashed")})]
    swept = run_sweep(crash_once, items, workers=2, backend="ray")
    assert (tmp_path / "crashed").exists() and swept.finished == items


def test_the_works_own_error_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="is refused"):
        run_sweep(refuse, numbers(3), workers=2, backend="ray")


def test_robustness_gives_the_same_report_on_both_backends() -> None:
    rates = AbsenceRates(day=0.4, week=0.02)
    local = robustness(tiny_schedule(), 4, rates, seed=3, processes=2, time_limit_s=5)
    seen: list[SweepProgress] = []
    on_ray = robustness(tiny_schedule(), 4, rates, seed=3, processes=2, time_limit_s=5, backend="ray",
                        on_progress=seen.append)
    assert local.model_dump_json(exclude={"runtime_s"}) == on_ray.model_dump_json(exclude={"runtime_s"})
    assert on_ray.samples == on_ray.requested == 4 and [p.done for p in seen] == [0, 1, 2, 3, 4]
    assert on_ray.broken.most >= 1  # something broke, so something was re-planned
    # Re-plans proven optimal are what makes the two equal (a time limit reached would say FEASIBLE).
    statuses = {f.without_backups.status for f in on_ray.futures} | {f.with_backups.status for f in on_ray.futures}
    assert statuses <= {"OPTIMAL", "UNCHANGED", "NO_CALENDAR"}


def test_a_stopped_robustness_run_reports_the_futures_finished() -> None:
    stop = threading.Event()

    def progress(p: SweepProgress) -> None:
        if p.done >= 3:
            stop.set()

    report = robustness(tiny_schedule(), 400, AbsenceRates(day=0.3), seed=1, processes=2, time_limit_s=5,
                        backend="ray", on_progress=progress, stop=stop)
    assert report.requested == 400 and 3 <= report.samples < 400 == report.requested
    assert len(report.futures) == report.samples and [f.sample for f in report.futures] == sorted(
        f.sample for f in report.futures)


def _tiny_scenarios(folder: Path) -> list[str | Path]:
    """The tiny problem as a file, and two scenarios of it: T4 away the first fortnight, T1 the third week."""
    (folder / "tiny.json").write_text(json.dumps(tiny_data()), encoding="utf-8")
    files: list[str | Path] = []
    for name, trainer, start, end in (("T4 away", "T4", "2027-03-01", "2027-03-12"),
                                      ("T1 away", "T1", "2027-03-15", "2027-03-19")):
        path = folder / f"{trainer}.yaml"
        path.write_text(f"name: {name}\nbase: tiny.json\nchanges:\n  - type: trainer_unavailable\n"
                        f"    trainer: {trainer}\n    start: {start}\n    end: {end}\n", encoding="utf-8")
        files.append(path)
    return files


def test_a_scenario_comparison_is_the_same_on_both_backends(tmp_path: Path) -> None:
    files = _tiny_scenarios(tmp_path)
    options = SolveOptions(time_limit_s=5, workers=2, deterministic=True)
    local, _, _ = run_scenarios(files, options)
    on_ray, _, _ = run_scenarios(files, options, backend="ray")
    assert local.model_dump_json() == on_ray.model_dump_json()
    assert [s.name for s in on_ray.scenarios] == ["T4 away", "T1 away"]
    assert all(s.kpis.status == "OPTIMAL" for s in on_ray.scenarios)


def test_the_frontier_command_writes_the_same_json_on_both_backends(tmp_path: Path) -> None:
    (tmp_path / "tiny.json").write_text(json.dumps(tiny_data()), encoding="utf-8")
    written = {}
    for backend in ("local", "ray"):
        js = tmp_path / f"{backend}.json"
        r = runner.invoke(app, ["frontier", str(tmp_path / "tiny.json"), "--budgets", "2000,4000,100000",
                                "--time-limit", "5", "--backend", backend, "--json", str(js)])
        assert r.exit_code == 0, r.output
        assert "3/3 budgets solved" in r.output  # the progress, in lines off a terminal
        written[backend] = js.read_text(encoding="utf-8")
    assert written["local"] == written["ray"]
    assert len(json.loads(written["ray"])["points"]) == 3


def test_an_existing_cluster_is_joined_by_its_address(ray_instance: str, tmp_path: Path) -> None:
    # Another process, as a planner's would be: RTCM_RAY_ADDRESS names this module's instance.
    code = ("import json\n"
            "from scenarios.sweep import run_sweep\n"
            "from tests.scenarios.test_sweep import numbers, remember, square\n"
            "swept = run_sweep(square, numbers(3), setup=remember, setup_args=(7,), backend='ray')\n"
            "print(json.dumps(swept.finished))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, ADDRESS_ENV: ray_instance, "PYTHONPATH": os.getcwd()})
    assert done.returncode == 0, done.stderr
    assert [json.loads(r)["value"] for r in json.loads(done.stdout)] == [7, 8, 11]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def not_ray() -> Iterator[str]:
    """The address of a server that answers, but not as Ray does (an HTTP/1 server's refusal)."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_an_unreachable_address_is_refused_in_seconds(not_ray: str) -> None:
    for address, why in ((f"127.0.0.1:{_closed_port()}", "refused"), (not_ray, "not a Ray cluster"),
                         ("no-such-host.invalid:6379", "cannot be reached")):
        t0 = time.perf_counter()
        with pytest.raises(InputError, match=why) as e:
            run_sweep(square, numbers(2), backend="ray", address=address)
        assert time.perf_counter() - t0 < CONNECT_TIMEOUT_S + 2
        assert address in e.value.messages[0] and ADDRESS_ENV in e.value.messages[0]
        assert e.value.issues[0].field == ("ray_address",)


def test_the_command_refuses_an_unreachable_address_and_writes_nothing(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(schedule_json(tiny_schedule()), encoding="utf-8")
    address = f"127.0.0.1:{_closed_port()}"
    js, out = tmp_path / "r.json", tmp_path / "r.xlsx"
    common = ["robustness", str(path), "--samples", "3", "--json", str(js), "--out", str(out)]
    for args in (["--backend", "ray", "--ray-address", address], ["--backend", "local", "--ray-address", address]):
        r = runner.invoke(app, [*common, *args])
        assert r.exit_code == 2 and address in r.output, r.output
    monkeypatch.setenv(ADDRESS_ENV, address)
    r = runner.invoke(app, [*common, "--backend", "ray"])
    assert r.exit_code == 2 and address in r.output and ADDRESS_ENV in r.output, r.output
    assert not js.exists() and not out.exists()
    # The local backend leaves the environment's Ray address alone.
    r = runner.invoke(app, [*common, "--backend", "local", "--workers", "1", "--time-limit", "5"])
    assert r.exit_code == 0 and js.exists(), r.output
    assert RobustnessReport.model_validate_json(js.read_text(encoding="utf-8")).requested == 3
