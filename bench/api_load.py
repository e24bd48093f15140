"""The HTTP API under load: many clients read a schedule while two solves run.

    .venv/bin/python -m bench.api_load [--clients 50] [--duration 20] [--runs 3] [--max-requests 50000]

Starts the service (``python -m api``) in a subprocess on 127.0.0.1, a free port, a fresh
SQLite file and a random API token (so every request also passes the token check).
Then: one short solve of a four-course problem gives a finished job; two solves of the
embedded default problem start (``RTCM_MAX_CONCURRENT=2``, one CP-SAT worker each, so
both run, not one queued; each in a child process of the server); and ``--runs`` times,
``--clients`` concurrent aiohttp clients read ``GET /jobs/{id}/schedule`` of the finished
job in a loop until ``--duration`` seconds or ``--max-requests`` requests. The solves run
through every timed window (they are restarted between windows if their time limit would
end inside the next one). Reports, per run and as the median over the runs, requests per
second, p50/p90/p99/max latency, errors and CPU per request; the target is judged on the
medians. Writes ``bench/results/api_load.json`` and the "API under load" section of
``bench/RESULTS.md`` (other sections are kept). Traffic goes to 127.0.0.1 only, and the
run stops by itself: the solves are cancelled and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from bench.report import replace_section

HOST = "127.0.0.1"  # loopback only: nothing here may send traffic elsewhere
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SECTION = "## API under load"
TARGET_P99_MS = 100.0
MAX_SOLVE_S = 600.0  # the API's upper bound on a solve's time limit
RUN_OVERHEAD_S = 30.0  # a run besides its timed window: client processes starting, warming up, reporting
# The figures of a run that are summarised over the runs (median, min, max).
FIGURES = ("requests", "requests_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms", "errors",
           "server_cpu_ms_per_request", "client_cpu_ms_per_request")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m api`` in a subprocess, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, workdir: Path, token: str, max_concurrent: int) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = workdir / "server.log"
        env = {
            **os.environ,
            "RTCM_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "RTCM_API_TOKEN": token,
            "RTCM_MAX_CONCURRENT": str(max_concurrent),
            "RTCM_HOST": HOST,
            "RTCM_PORT": str(self.port),
        }
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}): {self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def wait_job(client: httpx.Client, job_id: str, until: Any, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/jobs/{job_id}").json()
        if until(job):
            return job
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} still {job['state']} after {timeout:.0f} s")
        time.sleep(0.2)


def searching(job: dict[str, Any]) -> bool:
    if job["state"] == "queued":  # for a moment, until a worker of the server takes it
        return False
    if job["state"] != "running":
        raise RuntimeError(f"a background solve is {job['state']}, not running: {job.get('message')}")
    return bool((job["progress"] or {}).get("solutions"))


def ended(job: dict[str, Any]) -> bool:
    return job["state"] in ("done", "failed", "cancelled", "interrupted")


class BackgroundSolves:
    """Solves of the default programme that must be running throughout every timed window."""

    def __init__(self, http: httpx.Client, n: int, time_limit_s: float) -> None:
        self.http, self.n, self.time_limit_s = http, n, time_limit_s
        self.ids: list[str] = []
        self.started = 0.0
        self.restarts = 0

    def running_for(self, seconds: float) -> None:
        """Make sure every solve searches now and will not reach its time limit within ``seconds``."""
        left = self.time_limit_s - (time.monotonic() - self.started)
        if self.ids and left > seconds and all(job["state"] == "running" for job in self.jobs()):
            return
        if self.ids:
            self.cancel()
            self.restarts += 1
        self.started = time.monotonic()  # before the requests: the time left is underestimated, never over
        solve = {"time_limit_s": self.time_limit_s, "workers": 1}
        self.ids = [self.http.post("/problems/default/solve", json=solve).raise_for_status().json()["id"]
                    for _ in range(self.n)]
        # From when both search (model built, a first calendar found): the steady state.
        for job_id in self.ids:
            wait_job(self.http, job_id, searching, 120)

    def jobs(self) -> list[dict[str, Any]]:
        return [self.http.get(f"/jobs/{job_id}").raise_for_status().json() for job_id in self.ids]

    def states(self) -> list[dict[str, Any]]:
        """Each solve's state and calendars found so far."""
        return [{"state": j["state"], "solutions": (j["progress"] or {}).get("solutions", 0),
                 "elapsed_s": (j["progress"] or {}).get("elapsed_s")} for j in self.jobs()]

    def cancel(self) -> None:
        for job_id in self.ids:
            self.http.delete(f"/jobs/{job_id}")
        for job_id in self.ids:
            wait_job(self.http, job_id, ended, 60)
        self.ids = []


async def _clients(base: str, headers: dict[str, str], path: str, size: int, n: int, budget: int, start: Any,
                   out: Any) -> None:
    """``n`` clients, each a session with its own connection: warmed up, then reading ``path`` from the start.

    A response counts as served when it is a 200 whose body, read in full and decompressed, has
    ``size`` bytes; anything else, and any exception, is an error.
    """
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    left = [budget]
    timeout = aiohttp.ClientTimeout(total=30)
    sessions = [aiohttp.ClientSession(base_url=base, headers=headers, timeout=timeout,
                                      connector=aiohttp.TCPConnector(limit=1)) for _ in range(n)]
    try:
        # Untimed: opening a connection costs the client, not the server. The warm-up read also
        # checks that the schedule comes gzip-compressed and decompresses to the expected size.
        async def warm_up(session: aiohttp.ClientSession) -> str:
            async with session.get(path) as r:
                body = await r.read()
                return f"{r.status} {r.headers.get('Content-Encoding')} {len(body)}"

        seen = set(await asyncio.gather(*(warm_up(s) for s in sessions)))
        expected = f"200 gzip {size}"
        out.send("ready" if seen == {expected} else f"warm-up answers {sorted(seen)}, not {expected!r}")
        loop = asyncio.get_running_loop()
        deadline = await loop.run_in_executor(None, start.recv)  # the same monotonic clock in every process
        cpu0 = sum(os.times()[:2])

        async def one(session: aiohttp.ClientSession) -> None:
            while time.monotonic() < deadline and left[0] > 0:
                left[0] -= 1
                t0 = time.perf_counter()
                try:
                    async with session.get(path) as r:
                        body = await r.read()
                    elapsed = time.perf_counter() - t0
                    if r.status != 200:
                        errors[f"HTTP {r.status}"] += 1
                    elif len(body) != size:
                        errors["wrong body size"] += 1
                    else:
                        latencies.append(elapsed)
                except (aiohttp.ClientError, TimeoutError) as err:
                    errors[type(err).__name__] += 1

        await asyncio.gather(*(one(s) for s in sessions))
        cpu = sum(os.times()[:2]) - cpu0
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    out.send((latencies, dict(errors), cpu))


def _client_process(*args: Any) -> None:
    asyncio.run(_clients(*args))


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process (Linux), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def load(server: Server, headers: dict[str, str], path: str, size: int, clients: int, duration: float,
         max_requests: int, processes: int) -> dict[str, Any]:
    """One timed window: clients spread over ``processes`` (one event loop each), started together."""
    ctx = multiprocessing.get_context("spawn")
    procs, starts, outs = [], [], []
    for i in range(processes):
        n = clients // processes + (1 if i < clients % processes else 0)
        start_recv, start_send = ctx.Pipe(duplex=False)
        out_recv, out_send = ctx.Pipe(duplex=False)
        args = (server.base, headers, path, size, n, max_requests // processes, start_recv, out_send)
        proc = ctx.Process(target=_client_process, args=args, daemon=True)
        proc.start()
        procs.append(proc)
        starts.append(start_send)
        outs.append(out_recv)
    finished = False
    try:
        for out in outs:  # each process has warmed its clients up and waits for the start
            if not out.poll(120):
                raise RuntimeError("a client process did not get ready")
            if (message := out.recv()) != "ready":
                raise RuntimeError(f"a client process: {message}")
        server_cpu0 = _cpu_seconds(server.proc.pid)
        t0 = time.monotonic()
        for start in starts:
            start.send(t0 + duration)
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        client_cpu = 0.0
        for out in outs:
            if not out.poll(duration + 120):
                raise RuntimeError("a client process did not report")
            lat, errs, cpu = out.recv()
            latencies += lat
            errors.update(errs)
            client_cpu += cpu
        elapsed = time.monotonic() - t0
        server_cpu1 = _cpu_seconds(server.proc.pid)
        finished = True
    finally:
        for proc in procs:
            proc.join(30 if finished else 0)
            if proc.is_alive():  # a client process left waiting after a failure
                proc.kill()
    server_cpu = None if server_cpu0 is None or server_cpu1 is None else server_cpu1 - server_cpu0
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed,
            "server_cpu_s": server_cpu, "client_cpu_s": client_cpu}


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q * len(sorted_values) / 100)))
    return sorted_values[rank - 1]


def run_figures(latencies_s: list[float], errors: Counter[str] | dict[str, int], elapsed_s: float,
                server_cpu_s: float | None, client_cpu_s: float) -> dict[str, Any]:
    """The figures of one timed window: throughput, latency percentiles (ms), errors, CPU per request."""
    lat = sorted(x * 1000 for x in latencies_s)
    total = len(lat) + sum(errors.values())

    def per_request_ms(cpu_s: float | None) -> float | None:
        return round(1000 * cpu_s / total, 3) if cpu_s is not None and total else None

    def ms(x: float | None) -> float | None:
        return round(x, 2) if x is not None and x == x else None  # NaN (no latency at all) -> None

    return {
        "requests": total, "ok": len(lat), "errors": sum(errors.values()), "error_kinds": dict(errors),
        "elapsed_s": round(elapsed_s, 2),
        "requests_per_s": round(total / elapsed_s, 1) if elapsed_s else None,
        "p50_ms": ms(percentile(lat, 50)), "p90_ms": ms(percentile(lat, 90)), "p99_ms": ms(percentile(lat, 99)),
        "max_ms": ms(lat[-1] if lat else None), "mean_ms": ms(statistics.fmean(lat) if lat else None),
        "server_cpu_ms_per_request": per_request_ms(server_cpu_s),
        "client_cpu_ms_per_request": per_request_ms(client_cpu_s),
    }


def over_runs(runs: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Median, min and max of each figure over the runs (runs without the figure left out)."""
    summary: dict[str, dict[str, float | None]] = {}
    for name in FIGURES:
        values = [r[name] for r in runs if r.get(name) is not None]
        summary[name] = {
            "median": round(statistics.median(values), 3) if values else None,
            "min": min(values) if values else None, "max": max(values) if values else None,
        }
    return summary


def target_met(median: dict[str, dict[str, float | None]]) -> bool:
    """Zero errors in every run, and the median p99 over the runs under the target."""
    p99 = median["p99_ms"]["median"]
    return median["errors"]["max"] == 0 and p99 is not None and p99 < TARGET_P99_MS


def tiny_problem() -> dict[str, Any]:
    from data import default_problem

    raw = default_problem().model_dump(mode="json")
    raw["name"] = "bench: four courses"
    raw["programme"] = raw["programme"][:4]
    return raw


def run(clients: int, duration: float, max_requests: int, runs: int = 3, solves_n: int = 2,
        processes: int = 2) -> dict[str, Any]:
    token = secrets.token_urlsafe(24)
    headers = {"Authorization": f"Bearer {token}"}
    per_run = []
    with tempfile.TemporaryDirectory(prefix="rtcm-api-load-") as tmp:
        server = Server(Path(tmp), token, max_concurrent=2)
        try:
            server.wait_ready()
            with httpx.Client(base_url=server.base, headers=headers, timeout=60) as http:
                # A finished job whose schedule the clients read.
                pid = http.post("/problems", json=tiny_problem()).raise_for_status().json()["id"]
                first = http.post(f"/problems/{pid}/solve", json={"time_limit_s": 30, "workers": 1})
                done = wait_job(http, first.raise_for_status().json()["id"], ended, 90)
                assert done["state"] == "done" and done["has_schedule"], done
                path = f"/jobs/{done['id']}/schedule"
                schedule_bytes = len(http.get(path).raise_for_status().content)

                # Long enough for every run if the API allows it; restarted between runs otherwise.
                window = duration + RUN_OVERHEAD_S
                solves = BackgroundSolves(http, solves_n, min(MAX_SOLVE_S, runs * window + RUN_OVERHEAD_S))
                client_headers = {**headers, "Accept-Encoding": "gzip"}  # as browsers do
                for i in range(runs):
                    if solves_n:
                        solves.running_for(window)
                    load_before = os.getloadavg()
                    measured = load(server, client_headers, path, schedule_bytes, clients, duration,
                                    max_requests, processes)
                    per_run.append({
                        "run": i + 1, "load_average_before": [round(x, 2) for x in load_before],
                        **run_figures(measured["latencies"], measured["errors"], measured["elapsed"],
                                      measured["server_cpu_s"], measured["client_cpu_s"]),
                        "solves_at_end": solves.states(),
                    })
                    print(line(per_run[-1]), flush=True)
                solves.cancel()
        finally:
            server.stop()

    median = over_runs(per_run)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "aiohttp": aiohttp.__version__},
        "setup": {
            "clients": clients, "duration_s": duration, "max_requests_per_run": max_requests, "runs": runs,
            "path": "GET /jobs/{id}/schedule", "schedule_bytes": schedule_bytes,
            "server": "python -m api (uvicorn, 1 process, solves in child processes), SQLite, bearer token",
            "background_solves": f"{solves_n} x default programme (68 editions), 1 CP-SAT worker each, "
                                 f"time limit {solves.time_limit_s:g} s, running through every run",
            "solve_restarts": solves.restarts,
            "client": f"aiohttp.ClientSession per client with its own keep-alive connection, asking for gzip "
                      f"(as browsers do) and decompressing the body, in {processes} processes, connections "
                      "opened before the timed window",
        },
        "client_processes": processes,
        "runs": per_run,
        "median": median,
        "target": {"errors": 0, "p99_ms": TARGET_P99_MS,
                   "judged_on": "errors in every run, p99 on the median over the runs"},
        "target_met": target_met(median),
    }


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:g}"


def line(r: dict[str, Any]) -> str:
    """One run on one line, for the console."""
    return (f"run {r['run']} (load average {r['load_average_before'][0]:g} before): {r['requests']} requests in "
            f"{r['elapsed_s']:g} s, {_fmt(r['requests_per_s'])} req/s, p50 {_fmt(r['p50_ms'])} ms, "
            f"p99 {_fmt(r['p99_ms'])} ms, max {_fmt(r['max_ms'])} ms, errors {r['errors']}"
            f"{' ' + str(r['error_kinds']) if r['error_kinds'] else ''}; "
            f"CPU ms/req server {_fmt(r['server_cpu_ms_per_request'])}, "
            f"clients {_fmt(r['client_cpu_ms_per_request'])}")


COLUMNS = ("requests", "requests_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors",
           "server_cpu_ms_per_request", "client_cpu_ms_per_request")


def section(r: dict[str, Any]) -> str:
    setup, runs, median = r["setup"], r["runs"], r["median"]
    verdict = "met" if r["target_met"] else "**not met**"
    errors: Counter[str] = Counter()
    for run_ in runs:
        errors.update(run_["error_kinds"])
    error_kinds = ", ".join(f"{k}: {v}" for k, v in errors.items()) or "none"
    solves = "; ".join(
        f"run {x['run']}: " + (", ".join(f"{j['state']} ({j['solutions']} calendars)" for j in x["solves_at_end"])
                               or "none")
        for x in runs)
    elapsed = ", ".join(f"{x['elapsed_s']:g}" for x in runs)
    restarts = (f" (restarted {setup['solve_restarts']} times between runs, their time limit being too short "
                "for all the runs)" if setup["solve_restarts"] else "")
    rows = [f"| {x['run']} | {x['load_average_before'][0]:g} | " + " | ".join(_fmt(x[c]) for c in COLUMNS) + " |"
            for x in runs]
    rows.append("| **median** | | " + " | ".join(f"**{_fmt(median[c]['median'])}**" for c in COLUMNS) + " |")
    rows.append("| min-max | | " + " | ".join(
        f"{_fmt(median[c]['min'])}-{_fmt(median[c]['max'])}" for c in COLUMNS) + " |")
    return "\n".join([
        SECTION,
        "",
        f"`python -m bench.api_load` ({r['when']}, {r['machine']['cores']} cores, {setup['runs']} runs; the load "
        "average before each run is in the table). "
        f"{setup['clients']} concurrent clients, each an `aiohttp.ClientSession` with its own keep-alive "
        f"connection ({r['client_processes']} client processes, connections opened before the timed window), "
        f"read `GET /jobs/{{id}}/schedule` ({setup['schedule_bytes'] / 1000:.0f} kB of JSON, sent "
        f"gzip-compressed and decompressed by the client) back to back for {elapsed} s, while "
        f"{len(runs[0]['solves_at_end']) if runs else 0} solves of the default programme (one CP-SAT worker "
        f"each, both past model building) run in child processes of the server through every run{restarts}. "
        "Server: `python -m api` (one uvicorn process; its CPU below leaves the solver processes out), "
        "SQLite, bearer token; everything on 127.0.0.1.",
        "",
        "| run | load avg before | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors "
        "| server CPU ms/req | client CPU ms/req |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Target (zero errors in every run, median p99 under {r['target']['p99_ms']:g} ms): {verdict}. "
        f"Errors over all runs: {error_kinds}. The solves at the end of each run: {solves}.",
        "",
        f"How to read it: the clients wait for no one, so each latency is mostly the queue in front of "
        f"a core: with {setup['clients']} clients, p50 is about {setup['clients']} / (requests per second). The "
        "clients run on the same cores as the server and the solves, so the figures bound the service from "
        "below; compare the two CPU columns to see how much of the machine the load generator takes. The load "
        "average includes the solves and the previous run. Raw figures: `results/api_load.json`.",
        "",
    ])


def write_markdown(r: dict[str, Any], path: Path) -> None:
    """Replace the "API under load" section of ``path``, or append it; other sections are kept."""
    replace_section(path, SECTION, section(r))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.api_load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per run (at most 300)")
    ap.add_argument("--runs", type=int, default=3, help="timed windows against the same server (at most 10)")
    ap.add_argument("--max-requests", type=int, default=50_000, help="stop a run after this many requests")
    ap.add_argument("--solves", type=int, default=2, help="solves of the default running meanwhile")
    ap.add_argument("--processes", type=int, default=2, help="client processes the clients are spread over")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "api_load.json")
    ap.add_argument("--markdown", type=Path, default=BENCH / "RESULTS.md")
    args = ap.parse_args(argv)
    duration = min(max(args.duration, 1.0), 300.0)
    clients = max(1, args.clients)
    result = run(clients, duration, max(1, args.max_requests), min(max(1, args.runs), 10), max(0, args.solves),
                 min(max(1, args.processes), clients))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    write_markdown(result, args.markdown)
    m = {name: s["median"] for name, s in result["median"].items()}
    print(f"median of {len(result['runs'])} runs: {_fmt(m['requests_per_s'])} req/s, p50 {_fmt(m['p50_ms'])} ms, "
          f"p99 {_fmt(m['p99_ms'])} ms, max {_fmt(m['max_ms'])} ms, errors {_fmt(m['errors'])}; "
          f"target {'met' if result['target_met'] else 'NOT met'}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
