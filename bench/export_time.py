"""How long exporting the default annual calendar takes: Excel workbook, template, iCalendar.

The calendar is the greedy one of the embedded 2027 default (68 editions), so no solver runs.
Each export runs 5 times; the median is printed. The Excel export must stay under 2 s
(issue 6): the script exits 1 when it does not.

    .venv/bin/python -m bench.export_time
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from data import default_problem
from model.formats.excel import write_schedule_workbook
from model.formats.excel_input import import_workbook, write_template
from model.formats.ical import write_calendars
from scheduler.greedy import greedy_schedule

RUNS = 5
LIMIT_S = 2.0


def median_s(task: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        task()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    problem = default_problem()
    schedule = greedy_schedule(problem)
    with tempfile.TemporaryDirectory(prefix="rtcm-export-") as tmp:
        out = Path(tmp)
        workbook = median_s(lambda: write_schedule_workbook(schedule, out / "rtcm-2027.xlsx"))
        template = median_s(lambda: write_template(problem, out / "input.xlsx"))
        reading = median_s(lambda: import_workbook(out / "input.xlsx"))
        ical = median_s(lambda: write_calendars(schedule, out / "ics", "all"))
    print(f"default calendar: {len(schedule.editions)} editions, {len(problem.trainers)} trainers; "
          f"median of {RUNS} runs")
    print(f"  Excel workbook export   {workbook:6.3f} s   (limit {LIMIT_S:g} s)")
    print(f"  input template export   {template:6.3f} s")
    print(f"  input workbook import   {reading:6.3f} s")
    print(f"  iCalendar files (all)   {ical:6.3f} s")
    return 0 if workbook < LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
