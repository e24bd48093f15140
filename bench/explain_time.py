"""How long explaining the default annual programme takes (issue 7).

- the doctor on the embedded 2027 default (must stay under 1 s);
- the explanation of two infeasible variants of the default, each of 68 editions:
  ``broken``: the IOM trainers qualified for Module 2 away 1 January - 30 June and Module 2
  required to end by 30 June (a conflict of each Module 2 edition on its own), and ``tight``:
  Module 2 required to end by 22 January (a conflict of several editions: the platform's two
  streams, the windows and a prerequisite, found on the whole model). Each must be explained,
  minimal, within 30 s;
- the score analysis and one edition's alternatives on the greedy calendar.

Each is the median of a few runs. Exits 1 when a limit is not met.

    .venv/bin/python -m bench.explain_time
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

from data import default_problem
from model.doctor import doctor
from model.explain import alternatives, penalty_breakdown
from model.problem import Problem
from scheduler.explain import Explanation, explain_infeasible
from scheduler.greedy import greedy_schedule

RUNS = 3
EXPLAIN_LIMIT_S = 30.0
DOCTOR_LIMIT_S = 1.0
T = TypeVar("T")


def broken_default() -> tuple[Problem, list[str]]:
    """The default with the IOM trainers qualified for Module 2 away 1 January - 30 June 2027,
    and every edition of Module 2 mandatory (whatever its requests: no minimum of participants)
    and required to end by 30 June. Returns the problem and those trainers' ids."""
    p = default_problem()
    module_2 = {t.id for t in p.topics if t.module == 2}
    iom = sorted(t.id for t in p.trainers
                 if t.organisation == "IOM" and (2 in t.modules or module_2 & set(t.topics)))
    data = p.model_dump()
    for tr in data["trainers"]:
        if tr["id"] in iom:
            tr["unavailable"] = [{"start": date(2027, 1, 1), "end": date(2027, 6, 30), "reason": "mission"}]
    for item in data["programme"]:
        if item["topic"] in module_2:
            item.update(latest_end=date(2027, 6, 30), min_editions=item["editions"], min_participants=0)
    return Problem.model_validate(data), iom


def tight_module_2() -> Problem:
    """The default with every Module 2 programme item required to end by 22 January 2027."""
    p = default_problem()
    data = p.model_dump()
    for item in data["programme"]:
        if p.topic_by_id[item["topic"]].module == 2:
            item["latest_end"] = date(2027, 1, 22)
    return Problem.model_validate(data)


def median(task: Callable[[], T], runs: int = RUNS) -> tuple[float, T]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = task()
        times.append(time.perf_counter() - t0)
    assert out is not None
    return statistics.median(times), out


def main() -> int:
    problem = default_problem()
    ok = True
    doc_s, findings = median(lambda: doctor(problem), 5)
    print(f"default programme: {len(problem.editions)} editions, {len(problem.trainers)} trainers; "
          f"median of {RUNS} runs (doctor: 5)")
    print(f"  doctor, default                 {doc_s:7.3f} s   (limit {DOCTOR_LIMIT_S:g} s; "
          f"{len(findings)} finding(s))")
    ok &= doc_s < DOCTOR_LIMIT_S
    broken, _ = broken_default()
    doc_b, found = median(lambda: doctor(broken), 5)
    print(f"  doctor, broken Module 2         {doc_b:7.3f} s   ({len(found)} impossibilities)")
    ok &= doc_b < DOCTOR_LIMIT_S
    for name, variant in (("broken Module 2", broken), ("Module 2 by 22 Jan", tight_module_2())):
        seconds, exp = median(partial(explain_infeasible, variant, time_budget_s=EXPLAIN_LIMIT_S))
        assert isinstance(exp, Explanation)
        facts = len(exp.conflicts[0].facts) if exp.conflicts else 0
        blocked = len(exp.conflicts[0].editions + exp.conflicts[0].also) if exp.conflicts else 0
        print(f"  explanation, {name:18s} {seconds:7.3f} s   (limit {EXPLAIN_LIMIT_S:g} s; {exp.status}, "
              f"{facts} facts, {blocked} edition(s) blocked, {exp.checks} solver checks)")
        ok &= exp.status == "explained" and seconds < EXPLAIN_LIMIT_S
    schedule = greedy_schedule(problem)
    analysis_s, items = median(lambda: penalty_breakdown(schedule), 5)
    print(f"  score analysis, greedy calendar {analysis_s:7.3f} s   ({len(items)} items)")
    alt_s, alts = median(lambda: alternatives(schedule, "M3.T2#1"))
    print(f"  alternatives of M3.T2#1         {alt_s:7.3f} s   ({len(alts.alternatives)} alternatives)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
