"""The HTTP API under load: many clients read a schedule while two solves run.

    .venv/bin/python -m bench.api_load [--clients 50] [--duration 20] [--max-requests 50000]

Starts the service (``python -m api``) in a subprocess on 127.0.0.1, a free port, a fresh
SQLite file and a random API token (so every request also passes the token check).
Then: one short solve of a four-course problem gives a finished job; two solves of the
embedded default problem start (``RTCM_MAX_CONCURRENT=2``, one CP-SAT worker each, so
both run, not one queued; each in a child process of the server); and ``--clients`` concurrent httpx clients read
``GET /jobs/{id}/schedule`` of the finished job in a loop until ``--duration`` seconds
or ``--max-requests`` requests. Reports requests per second, p50/p90/p99/max latency
and errors; writes ``bench/results/api_load.json`` and the "API under load" section of
``bench/RESULTS.md`` (other sections are kept). Traffic goes to 127.0.0.1 only, and the
run stops by itself: the solves are cancelled and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import re
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

import httpx

HOST = "127.0.0.1"  # loopback only: nothing here may send traffic elsewhere
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SECTION = "## API under load"
TARGET_P99_MS = 100.0


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
    if job["state"] != "running":
        raise RuntimeError(f"a background solve is {job['state']}, not running: {job.get('message')}")
    return bool((job["progress"] or {}).get("solutions"))


def ended(job: dict[str, Any]) -> bool:
    return job["state"] in ("done", "failed", "cancelled", "interrupted")


async def _clients(base: str, headers: dict[str, str], path: str, n: int, budget: int, start: Any,
                   out: Any) -> None:
    """``n`` clients, each with its own connection: warmed up, then reading ``path`` from the start signal."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    left = [budget]
    clients = [httpx.AsyncClient(base_url=base, headers=headers, timeout=30) for _ in range(n)]
    try:
        # Untimed: creating a client and opening its connection cost the client, not the server.
        await asyncio.gather(*(c.get("/health") for c in clients))
        out.send("ready")
        loop = asyncio.get_running_loop()
        deadline = await loop.run_in_executor(None, start.recv)  # the same monotonic clock in every process
        cpu0 = sum(os.times()[:2])

        async def one(client: httpx.AsyncClient) -> None:
            while time.monotonic() < deadline and left[0] > 0:
                left[0] -= 1
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    elapsed = time.perf_counter() - t0
                    if r.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors[f"HTTP {r.status_code}"] += 1
                except httpx.HTTPError as err:
                    errors[type(err).__name__] += 1

        await asyncio.gather(*(one(c) for c in clients))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    out.send((latencies, dict(errors), sum(os.times()[:2]) - cpu0))


def _client_process(base: str, headers: dict[str, str], path: str, n: int, budget: int, start: Any,
                    out: Any) -> None:
    asyncio.run(_clients(base, headers, path, n, budget, start, out))


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process (Linux), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def load(server: Server, headers: dict[str, str], path: str, clients: int, duration: float,
         max_requests: int, processes: int) -> dict[str, Any]:
    """Clients spread over ``processes`` (one event loop each), started together after a warm-up."""
    ctx = multiprocessing.get_context("spawn")
    procs, starts, outs = [], [], []
    for i in range(processes):
        n = clients // processes + (1 if i < clients % processes else 0)
        start_recv, start_send = ctx.Pipe(duplex=False)
        out_recv, out_send = ctx.Pipe(duplex=False)
        args = (server.base, headers, path, n, max_requests // processes, start_recv, out_send)
        proc = ctx.Process(target=_client_process, args=args, daemon=True)
        proc.start()
        procs.append(proc)
        starts.append(start_send)
        outs.append(out_recv)
    for out in outs:  # each process has warmed its clients up and waits for the start
        if not out.poll(120) or out.recv() != "ready":
            raise RuntimeError("a client process did not get ready")
    server_cpu0 = _cpu_seconds(server.proc.pid)
    t0 = time.monotonic()
    for start in starts:
        start.send(t0 + duration)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    client_cpu = 0.0
    for out, proc in zip(outs, procs, strict=True):
        if not out.poll(duration + 120):
            raise RuntimeError("a client process did not report")
        lat, errs, cpu = out.recv()
        latencies += lat
        errors.update(errs)
        client_cpu += cpu
        proc.join(30)
    elapsed = time.monotonic() - t0
    server_cpu1 = _cpu_seconds(server.proc.pid)
    server_cpu = None if server_cpu0 is None or server_cpu1 is None else server_cpu1 - server_cpu0
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed,
            "server_cpu_s": server_cpu, "client_cpu_s": client_cpu}


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def tiny_problem() -> dict[str, Any]:
    from data import default_problem

    raw = default_problem().model_dump(mode="json")
    raw["name"] = "bench: four courses"
    raw["programme"] = raw["programme"][:4]
    return raw


def run(clients: int, duration: float, max_requests: int, solves_n: int = 2,
        processes: int = 2) -> dict[str, Any]:
    load_before = os.getloadavg()
    token = secrets.token_urlsafe(24)
    headers = {"Authorization": f"Bearer {token}"}
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

                # Two solves of the default programme, running throughout the load.
                solve = {"time_limit_s": duration + 120, "workers": 1}
                solves = [http.post("/problems/default/solve", json=solve).raise_for_status().json()["id"]
                          for _ in range(solves_n)]
                # From when both search (model built, a first calendar found): the steady state.
                for job_id in solves:
                    wait_job(http, job_id, searching, 120)

                measured = load(server, headers, path, clients, duration, max_requests, processes)
                latencies, errors, elapsed = measured["latencies"], measured["errors"], measured["elapsed"]

                during = [http.get(f"/jobs/{job_id}").json() for job_id in solves]
                for job_id in solves:
                    http.delete(f"/jobs/{job_id}")
        finally:
            server.stop()

    lat = sorted(x * 1000 for x in latencies)
    total = len(lat) + sum(errors.values())
    p99 = percentile(lat, 99)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in load_before],
        },
        "setup": {
            "clients": clients, "duration_s": duration, "max_requests": max_requests,
            "path": "GET /jobs/{id}/schedule", "schedule_bytes": schedule_bytes,
            "server": "python -m api (uvicorn, 1 process, solves in child processes), SQLite, bearer token",
            "background_solves": f"{solves_n} x default programme (68 editions), 1 CP-SAT worker each",
            "client": f"httpx.AsyncClient per client (asks for gzip, as browsers do), in {processes} "
                      "processes, connections opened before the timed window",
        },
        "requests": total,
        "client_processes": processes,
        "cpu_ms_per_request": {
            "server": round(1000 * measured["server_cpu_s"] / total, 3) if measured["server_cpu_s"] and total
            else None,
            "clients": round(1000 * measured["client_cpu_s"] / total, 3) if total else None,
        },
        "ok": len(lat),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(total / elapsed, 1) if elapsed else None,
        "latency_ms": {
            "p50": round(percentile(lat, 50), 2), "p90": round(percentile(lat, 90), 2),
            "p99": round(p99, 2), "max": round(lat[-1], 2) if lat else None,
            "mean": round(statistics.fmean(lat), 2) if lat else None,
        },
        "solves_during_load": [
            {"state": j["state"], "solutions": (j["progress"] or {}).get("solutions", 0),
             "elapsed_s": (j["progress"] or {}).get("elapsed_s")} for j in during
        ],
        "target": {"errors": 0, "p99_ms": TARGET_P99_MS},
        "target_met": not errors and p99 < TARGET_P99_MS,
    }


def section(r: dict[str, Any]) -> str:
    lat, cpu, setup = r["latency_ms"], r["cpu_ms_per_request"], r["setup"]
    solves = ", ".join(f"{j['state']} ({j['solutions']} calendars)" for j in r["solves_during_load"])
    verdict = "met" if r["target_met"] else "**not met**"
    errors = ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items()) or "none"
    server_cpu = f"{cpu['server']:g}" if cpu["server"] is not None else "n/a"
    return "\n".join([
        SECTION,
        "",
        f"`python -m bench.api_load` ({r['when']}, {r['machine']['cores']} cores, load average "
        f"{r['machine']['load_average_before'][0]:g} before the run from other work on the machine). "
        f"{setup['clients']} concurrent clients, each an `httpx.AsyncClient` with its own connection "
        f"({r['client_processes']} client processes, connections opened before the timed window), read "
        f"`GET /jobs/{{id}}/schedule` ({setup['schedule_bytes'] / 1000:.0f} kB of JSON, sent "
        f"gzip-compressed) back to back for {r['elapsed_s']:g} s, while {len(r['solves_during_load'])} "
        "solves of the default programme (one CP-SAT worker each, both past model building) run in the "
        "server's solver processes. Server: `python -m api` (one uvicorn process; its CPU below leaves the "
        "solver processes out), SQLite, bearer token; everything on 127.0.0.1.",
        "",
        "| requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU ms/req "
        "| client CPU ms/req |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['requests']} | {r['requests_per_s']:g} | {lat['p50']:g} | {lat['p90']:g} | {lat['p99']:g} "
        f"| {lat['max']:g} | {r['errors']} | {server_cpu} | {cpu['clients']:g} |",
        "",
        f"Target (zero errors, p99 under {r['target']['p99_ms']:g} ms): {verdict}. Errors: {errors}. "
        f"The solves at the end of the load: {solves or 'none'}.",
        "",
        "How to read it: the clients wait for no one, so each latency is mostly the queue in front of "
        "a core: with 50 clients, p50 is about 50 / (requests per second). The clients run on the same "
        "two cores as the server and the solves and spend several times the server's CPU per request, "
        "so the figures bound the service from below. Raw figures: `results/api_load.json`.",
        "",
    ])


def write_markdown(r: dict[str, Any], path: Path) -> None:
    """Replace the "API under load" section of ``path``, or append it; other sections are kept."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    new = section(r)
    pattern = re.compile(rf"^{re.escape(SECTION)}\s*$.*?(?=^## (?!#)|\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: new + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.api_load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load (at most 300)")
    ap.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests")
    ap.add_argument("--solves", type=int, default=2, help="solves of the default running meanwhile")
    ap.add_argument("--processes", type=int, default=2, help="client processes the clients are spread over")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "api_load.json")
    ap.add_argument("--markdown", type=Path, default=BENCH / "RESULTS.md")
    args = ap.parse_args(argv)
    duration = min(max(args.duration, 1.0), 300.0)
    clients = max(1, args.clients)
    result = run(clients, duration, max(1, args.max_requests), max(0, args.solves),
                 min(max(1, args.processes), clients))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    write_markdown(result, args.markdown)
    lat = result["latency_ms"]
    print(f"{result['requests']} requests in {result['elapsed_s']} s: {result['requests_per_s']} req/s, "
          f"p50 {lat['p50']} ms, p99 {lat['p99']} ms, max {lat['max']} ms, errors {result['errors']} "
          f"{result['error_kinds'] or ''}; target {'met' if result['target_met'] else 'NOT met'}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
