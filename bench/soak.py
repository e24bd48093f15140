"""The service over a long run of mixed traffic: does it leak memory or files, slow down, or fail?

    .venv/bin/python -m bench.soak [--minutes 30] [--clients 4] [--sample-every 30] [--warm-up 3]

Starts the service (``python -m api``, as :mod:`bench.api_load` does) in a subprocess on
127.0.0.1, a free port, a fresh SQLite file in a temporary folder and a random API token.
``--clients`` threads, each with its own keep-alive connection, then act like planners for
``--minutes`` (or ``--max-requests`` requests in all, whichever comes first), each pausing a
random moment between requests: they upload the default problem (and delete their oldest
uploads, keeping a few), start solves with short limits, cancel some, run shipped what-if
scenarios on finished calendars, download schedules (JSON, gzip) and workbooks, and read the
listings, a job, the health check. Every ``--sample-every`` seconds a sampler reads the
server's resident memory and open file descriptors, alone and with its solver processes
(psutil), and the latency of the requests since the previous sample. The run stops by
itself: the solves left are cancelled, the server is stopped and must exit cleanly.

Reports errors by kind (a 5xx, an unexpected 4xx, a failed connection), refusals that are
the service's normal answers (429 when the solve queue is full, 409 for a job that ended
before its cancel), latency p50/p99 overall and per request kind, and memory and file
descriptors at the end of the warm-up (``--warm-up`` minutes) and at the end, with the load
average (/proc/loadavg) at the start and at the end. Writes ``bench/results/soak.json`` and
the "Soak" section of ``bench/RESULTS.md`` (other sections are kept). Not part of CI: it
takes half an hour. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.api_load import Server, percentile
from bench.report import replace_section

BENCH = Path(__file__).resolve().parent
SECTION = "## Soak"
ENDED = ("done", "failed", "cancelled", "interrupted")
KEEP_UPLOADS = 3  # a client deletes its oldest uploads beyond these: the database stays bounded
# What a client does next, and how often (weights): mostly reads, as a planner's page does.
ACTIONS: dict[str, int] = {
    "list problems": 12, "list jobs": 12, "job": 14, "health": 6, "schedule": 14, "workbook": 3,
    "upload": 2, "solve": 6, "cancel": 1, "scenario": 2, "scenario state": 4, "delete problem": 1,
}
# Answers that are the service's normal word, not a fault: a full queue, a job that ended first.
REFUSALS = {("solve", 429), ("scenario", 429), ("cancel", 409), ("delete problem", 409)}


def loadavg() -> list[float]:
    """The load averages of /proc/loadavg (1, 5 and 15 minutes)."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return [round(x, 2) for x in os.getloadavg()]


@dataclass
class Record:
    """Every request made: when, what, how long, how it ended."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[tuple[float, str, float, str]] = field(default_factory=list)  # (t, kind, ms, outcome)
    errors: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, ms: float, outcome: str, error: str | None = None, refusal: str | None = None) -> None:
        with self.lock:
            self.requests.append((time.monotonic(), kind, ms, outcome))
            if error:
                self.errors[error] += 1
            if refusal:
                self.refusals[refusal] += 1

    def count(self) -> int:
        with self.lock:
            return len(self.requests)


class Planner:
    """One client: its own connection, its uploads and jobs, a random mix of requests."""

    def __init__(self, n: int, base: str, headers: dict[str, str], record: Record, rng: random.Random,
                 problem: dict[str, Any], scenarios: list[str]) -> None:
        self.n = n
        self.http = httpx.Client(base_url=base, headers=headers, timeout=120)
        self.record, self.rng, self.problem, self.scenarios = record, rng, problem, scenarios
        self.uploads: list[str] = []
        self.jobs: list[str] = []  # this client's solves, newest last
        self.finished: list[str] = []  # ... of them, those with a calendar
        self.runs: list[str] = []  # its scenario runs

    def request(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            r = self.http.request(method, path, **kwargs)
            r.read()
        except httpx.HTTPError as err:
            self.record.add(kind, 1000 * (time.perf_counter() - t0), "failed", error=f"{type(err).__name__} on {kind}")
            return None
        ms = 1000 * (time.perf_counter() - t0)
        if r.status_code < 400:
            self.record.add(kind, ms, "ok")
        elif (kind, r.status_code) in REFUSALS:
            self.record.add(kind, ms, "refused", refusal=f"{r.status_code} on {kind}")
        else:
            self.record.add(kind, ms, "error", error=f"{r.status_code} on {kind}: {r.text[:120]}")
        return r

    def act(self) -> None:
        kind = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        getattr(self, "do_" + kind.replace(" ", "_"))()

    # -- the actions ------------------------------------------------------------------

    def do_list_problems(self) -> None:
        self.request("list problems", "GET", "/problems", params={"limit": 50})

    def do_list_jobs(self) -> None:
        self.request("list jobs", "GET", "/jobs", params={"limit": 50, "offset": self.rng.choice([0, 0, 50])})

    def do_health(self) -> None:
        self.request("health", "GET", "/health")

    def do_job(self) -> None:
        if not self.jobs:
            return self.do_health()
        job_id = self.rng.choice(self.jobs[-10:])
        r = self.request("job", "GET", f"/jobs/{job_id}")
        if r is not None and r.status_code == 200:
            job = r.json()
            if job["state"] in ENDED:
                self.jobs.remove(job_id)
                if job["has_schedule"]:
                    self.finished = [*self.finished[-19:], job_id]
        return None

    def do_schedule(self) -> None:
        if not self.finished:
            return self.do_job()
        self.request("schedule", "GET", f"/jobs/{self.rng.choice(self.finished)}/schedule",
                     headers={"Accept-Encoding": "gzip"})
        return None

    def do_workbook(self) -> None:
        if not self.finished:
            return self.do_job()
        self.request("workbook", "GET", f"/jobs/{self.rng.choice(self.finished)}/schedule.xlsx")
        return None

    def do_upload(self) -> None:
        r = self.request("upload", "POST", "/problems", json={**self.problem, "name": f"soak client {self.n}"})
        if r is not None and r.status_code == 201:
            self.uploads.append(r.json()["id"])
        if len(self.uploads) > KEEP_UPLOADS:
            self.do_delete_problem()

    def do_delete_problem(self) -> None:
        if not self.uploads:
            return self.do_list_problems()
        r = self.request("delete problem", "DELETE", f"/problems/{self.uploads[0]}")
        if r is not None and r.status_code in (204, 404):
            self.uploads.pop(0)
        return None

    def do_solve(self) -> None:
        if len(self.jobs) >= 2:  # a planner waits for the solves it started
            return self.do_job()
        problem = self.rng.choice([*self.uploads[-2:], "default"])
        options = {"time_limit_s": self.rng.choice([3, 5, 8]), "workers": 1}
        r = self.request("solve", "POST", f"/problems/{problem}/solve", json=options)
        if r is not None and r.status_code == 202:
            self.jobs.append(r.json()["id"])
        return None

    def do_cancel(self) -> None:
        if not self.jobs:
            return self.do_list_jobs()
        r = self.request("cancel", "DELETE", f"/jobs/{self.jobs[-1]}")
        if r is not None and r.status_code in (200, 202, 409):
            self.jobs.pop()
        return None

    def do_scenario(self) -> None:
        if not self.finished or not self.scenarios:
            return self.do_schedule()
        body = {"job_id": self.rng.choice(self.finished), "file": self.rng.choice(self.scenarios), "time_limit_s": 5}
        r = self.request("scenario", "POST", "/scenarios/run", json=body)
        if r is not None and r.status_code == 202:
            self.runs = [*self.runs[-4:], r.json()["id"]]
        return None

    def do_scenario_state(self) -> None:
        if not self.runs:
            return self.do_list_jobs()
        self.request("scenario state", "GET", f"/scenarios/runs/{self.rng.choice(self.runs)}")
        return None

    def wind_down(self) -> None:
        for job_id in self.jobs:
            self.request("cancel", "DELETE", f"/jobs/{job_id}")
        for run_id in self.runs:
            self.request("cancel", "DELETE", f"/scenarios/runs/{run_id}")
        self.http.close()


def process_figures(pid: int) -> dict[str, Any]:
    """Resident memory (MB) and open file descriptors of a process, alone and with its children."""
    proc = psutil.Process(pid)
    children = proc.children(recursive=True)
    kids_rss = kids_fds = 0
    with proc.oneshot():
        rss, fds, threads = proc.memory_info().rss, proc.num_fds(), proc.num_threads()
    for child in children:
        try:
            kids_rss += child.memory_info().rss
            kids_fds += child.num_fds()
        except psutil.Error:  # it ended between the two reads
            pass
    mb = 2**20
    return {"rss_mb": round(rss / mb, 1), "fds": fds, "threads": threads, "children": len(children),
            "rss_with_children_mb": round((rss + kids_rss) / mb, 1), "fds_with_children": fds + kids_fds}


def latency_figures(values_ms: list[float]) -> dict[str, float | None]:
    lat = sorted(values_ms)
    return {"requests": len(lat), "p50_ms": round(percentile(lat, 50), 2) if lat else None,
            "p99_ms": round(percentile(lat, 99), 2) if lat else None,
            "max_ms": round(lat[-1], 2) if lat else None}


def run(minutes: float, clients: int, sample_every_s: float, warm_up_min: float, max_requests: int,
        seed: int) -> dict[str, Any]:
    from data import default_problem

    token = secrets.token_urlsafe(24)
    headers = {"Authorization": f"Bearer {token}"}
    record = Record()
    samples: list[dict[str, Any]] = []
    problem = default_problem().model_dump(mode="json")
    load_start = loadavg()
    started_at = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="rtcm-soak-") as tmp:
        server = Server(Path(tmp), token, max_concurrent=1)
        try:
            server.wait_ready()
            with httpx.Client(base_url=server.base, headers=headers, timeout=60) as http:
                scenarios = [s["file"] for s in http.get("/scenarios").raise_for_status().json() if not s["errors"]]
            t0 = time.monotonic()
            end = t0 + 60 * minutes
            stop = threading.Event()
            planners = [Planner(i + 1, server.base, headers, record, random.Random(seed + i), problem, scenarios)
                        for i in range(clients)]

            def client_loop(planner: Planner) -> None:
                while not stop.is_set() and time.monotonic() < end and record.count() < max_requests:
                    planner.act()
                    stop.wait(planner.rng.uniform(0.05, 0.6))  # a planner reads what came back

            threads = [threading.Thread(target=client_loop, args=(p,), name=f"soak-client-{p.n}", daemon=True)
                       for p in planners]
            for t in threads:
                t.start()
            seen = 0
            next_sample = t0 + sample_every_s
            while any(t.is_alive() for t in threads):
                while time.monotonic() < next_sample and any(t.is_alive() for t in threads):
                    time.sleep(0.2)
                next_sample += sample_every_s
                with record.lock:
                    if len(record.requests) == seen:  # the clients ended just after the last sample
                        continue
                    window = [ms for _, _, ms, outcome in record.requests[seen:] if outcome == "ok"]
                    seen = len(record.requests)
                samples.append({"t_s": round(time.monotonic() - t0, 1), **process_figures(server.proc.pid),
                                **latency_figures(window), "requests_so_far": seen,
                                "errors_so_far": sum(record.errors.values()), "load_average": loadavg()})
                s = samples[-1]
                print(f"{s['t_s']:7.0f} s  RSS {s['rss_mb']:6.1f} MB (with solvers {s['rss_with_children_mb']:6.1f})  "
                      f"fds {s['fds']:3d} ({s['fds_with_children']:3d})  p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  "
                      f"requests {seen}  errors {s['errors_so_far']}", flush=True)
            stop.set()
            duration_s = time.monotonic() - t0
            for p in planners:
                p.wind_down()
            with httpx.Client(base_url=server.base, headers=headers, timeout=60) as http:
                jobs = {state: int(http.get("/jobs", params={"state": state, "limit": 1}).headers["x-total-count"])
                        for state in ("queued", "running", *ENDED)}
                stored = int(http.get("/problems", params={"limit": 1}).headers["x-total-count"])
            final = process_figures(server.proc.pid)
        finally:
            server.stop()
        exit_code = server.proc.returncode
        logged = server.log_path.read_text(errors="replace").splitlines()
    log_errors = [line for line in logged if "ERROR" in line or "Traceback" in line]
    load_end = loadavg()

    by_kind: dict[str, list[float]] = defaultdict(list)
    for _, kind, ms, outcome in record.requests:
        if outcome == "ok":
            by_kind[kind].append(ms)
    warm = [s for s in samples if s["t_s"] >= 60 * warm_up_min] or samples
    after = warm[1:] or warm
    return {
        "when": started_at.isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "setup": {"minutes": minutes, "clients": clients, "sample_every_s": sample_every_s, "warm_up_min": warm_up_min,
                  "max_requests": max_requests, "seed": seed, "actions": ACTIONS, "keep_uploads": KEEP_UPLOADS,
                  "server": "python -m api (uvicorn, 1 process, RTCM_MAX_CONCURRENT=1, solves in child processes), "
                            "SQLite in a temporary folder, bearer token, 127.0.0.1"},
        "duration_s": round(duration_s, 1),
        "load_average_start": load_start, "load_average_end": load_end,
        "requests": len(record.requests),
        "ok": sum(1 for r in record.requests if r[3] == "ok"),
        "errors": dict(record.errors), "refusals": dict(record.refusals),
        "latency": latency_figures([ms for _, _, ms, outcome in record.requests if outcome == "ok"]),
        "latency_by_kind": {k: latency_figures(v) for k, v in sorted(by_kind.items())},
        "jobs": jobs, "problems_stored_at_end": stored,
        "warm_up": warm[0] if warm else None, "end": samples[-1] if samples else None, "final": final,
        "after_warm_up": summary(after),
        "server_exit_code": exit_code,
        "server_stopped_cleanly": exit_code in (0, -signal.SIGTERM),  # uvicorn re-raises the signal it stopped on
        "server_log_errors": {"count": len(log_errors), "first": log_errors[:20]},
        "samples": samples,
    }


SAMPLED = ("rss_mb", "rss_with_children_mb", "fds", "fds_with_children", "threads", "p50_ms", "p99_ms")


def summary(samples: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Median, min and max of each sampled figure over the samples given."""
    out: dict[str, dict[str, float | None]] = {}
    for name in SAMPLED:
        values = [s[name] for s in samples if s.get(name) is not None]
        out[name] = {"median": round(statistics.median(values), 2) if values else None,
                     "min": min(values) if values else None, "max": max(values) if values else None}
    return out


def growth(samples: list[dict[str, Any]], name: str) -> tuple[float, float] | None:
    """How much a figure grew over the first and over the second half of the samples after the warm-up."""
    if len(samples) < 3:
        return None
    mid = len(samples) // 2
    return (round(samples[mid][name] - samples[0][name], 1), round(samples[-1][name] - samples[mid][name], 1))


def _fmt(x: Any) -> str:
    return "n/a" if x is None else f"{x:g}" if isinstance(x, float) else str(x)


def section(r: dict[str, Any]) -> str:
    setup, warm, end, after = r["setup"], r["warm_up"], r["end"], r["after_warm_up"]
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(r["errors"].items())) or "none"
    refusals = ", ".join(f"{k}: {v}" for k, v in sorted(r["refusals"].items())) or "none"
    jobs = ", ".join(f"{k} {v}" for k, v in r["jobs"].items() if v)
    rows = []
    labels = {"rss_mb": "server RSS, MB", "rss_with_children_mb": "RSS with solver processes, MB",
              "fds": "server open files", "fds_with_children": "open files with solver processes",
              "threads": "server threads", "p50_ms": "p50 latency in the window, ms",
              "p99_ms": "p99 latency in the window, ms"}
    for name, label in labels.items():
        a = after[name]
        rows.append(f"| {label} | {_fmt(warm.get(name))} | {_fmt(a['median'])} | {_fmt(a['min'])}-{_fmt(a['max'])} "
                    f"| {_fmt(end.get(name))} |")
    kinds = [f"| {k} | {v['requests']} | {_fmt(v['p50_ms'])} | {_fmt(v['p99_ms'])} | {_fmt(v['max_ms'])} |"
             for k, v in r["latency_by_kind"].items()]
    after_warm_up = [x for x in r["samples"] if x["t_s"] >= warm["t_s"]]
    trend = []
    for name, what, unit in (("rss_mb", "server's memory", " MB"), ("fds", "server's open files", "")):
        halves = growth(after_warm_up, name)
        if halves is not None:
            trend.append(f"the {what} changed by {halves[0]:+g}{unit} over the first half after the warm-up and by "
                         f"{halves[1]:+g}{unit} over the second")
    lat = r["latency"]
    return "\n".join([
        SECTION,
        "",
        f"`python -m bench.soak` ({r['when']}, {r['machine']['cores']} cores, {r['duration_s'] / 60:.3g} minutes; "
        f"load average (/proc/loadavg, 1/5/15 min) {' '.join(map(str, r['load_average_start']))} at the start, "
        f"{' '.join(map(str, r['load_average_end']))} at the end). {setup['clients']} clients, each with its own "
        "keep-alive connection and a pause of 0.05-0.6 s between requests, upload the default problem (keeping "
        f"{setup['keep_uploads']} uploads each, deleting older ones), solve with limits of 3-8 s (one at a time, "
        "the rest queued), cancel, run shipped scenarios on finished calendars, download schedules and workbooks "
        "and read listings, jobs and the health check. Server: `python -m api`, one solve at a time, SQLite, "
        f"bearer token, 127.0.0.1. Sampled every {setup['sample_every_s']:g} s; the warm-up is the first "
        f"{setup['warm_up_min']:g} minutes.",
        "",
        "| figure | end of warm-up | median after | range after | end |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"{r['requests']} requests ({r['ok']} answered as asked): p50 {_fmt(lat['p50_ms'])} ms, p99 "
        f"{_fmt(lat['p99_ms'])} ms, max {_fmt(lat['max_ms'])} ms. Errors: {errors}. The service's normal "
        f"refusals: {refusals}. Jobs at the end: {jobs}; problems stored: {r['problems_stored_at_end']}. "
        f"Stopped with SIGTERM, the server {'ended cleanly' if r['server_stopped_cleanly'] else 'did not end cleanly'} "
        f"(exit code {r['server_exit_code']}); its log holds {r['server_log_errors']['count']} errors.",
        "",
        "| request | answered | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *kinds,
        "",
        (("Trend: " + "; ".join(trend) + ".") if trend else ""),
        "",
        "How to read it: memory or open files that grow from sample to sample after the warm-up would be a leak; "
        "the solver processes come and go, so the figures with them vary with what runs at the moment of the "
        "sample. Latencies include the queue in front of the two cores, which the solves keep busy. Raw figures, "
        "every sample: `results/soak.json`.",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0, help="how long the traffic runs (at most 24 hours)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients (at most 32)")
    ap.add_argument("--sample-every", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--warm-up", type=float, default=3.0, help="minutes before the figures called warm-up")
    ap.add_argument("--max-requests", type=int, default=500_000, help="stop after this many requests in all")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "soak.json")
    ap.add_argument("--markdown", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--report-only", action="store_true", help="rewrite the section from --out, run nothing")
    args = ap.parse_args(argv)
    if args.report_only:
        replace_section(args.markdown, SECTION, section(json.loads(args.out.read_text(encoding="utf-8"))))
        return 0
    minutes = min(max(args.minutes, 0.1), 24 * 60)
    result = run(minutes, min(max(1, args.clients), 32), max(1.0, args.sample_every),
                 min(max(0.0, args.warm_up), minutes / 2), max(1, args.max_requests), args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    replace_section(args.markdown, SECTION, section(result))
    print(f"{result['requests']} requests in {result['duration_s']:g} s; errors {sum(result['errors'].values())}; "
          f"RSS {result['warm_up']['rss_mb']} MB after warm-up, {result['end']['rss_mb']} MB at the end; "
          f"fds {result['warm_up']['fds']} -> {result['end']['fds']}")
    return 0 if not result["errors"] and result["server_stopped_cleanly"] else 1


if __name__ == "__main__":
    sys.exit(main())
