"""Does the suite notice a broken checker? One hard rule's checker off at a time (``make mutation``).

For every hard rule of the registry (the calendar's and the seats'), the tests run with that
rule's checker switched off (``tests/checker_off.py``) and must fail; the first test that
fails is reported. Run by hand, not in ``make test``: each rule is a run of the suite.

    python -m tests.mutation                  # the whole suite, stopping at the first failure
    python -m tests.mutation --without tests/model/test_checker_mutations.py
                                              # which other tests would still catch each rule
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

from model.rules import HARD_RULES, PARTICIPANT_HARD_RULES


def first_failure(rule: str, without: list[str], paths: list[str]) -> tuple[str | None, float]:
    """The first failing test with ``rule``'s checker off (None: every run passed), and the time taken.

    The paths run one after the other, the next only when the last passed.
    """
    t0 = time.perf_counter()
    for path in paths:
        args = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "tests.checker_off",
                "-n", "2", path, *(f"--ignore={p}" for p in without)]
        run = subprocess.run(args, env={**os.environ, "RTCM_CHECKER_OFF": rule}, capture_output=True, text=True,
                             check=False)
        if run.returncode != 0:
            failed = re.search(r"^(?:FAILED|ERROR) (\S+)", run.stdout, re.MULTILINE)
            return (failed.group(1) if failed else f"exit {run.returncode}"), time.perf_counter() - t0
    return None, time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--without", action="append", default=[], help="a test file or folder to leave out")
    parser.add_argument("--rule", action="append", default=[], help="only these rules (default: every hard rule)")
    parser.add_argument("paths", nargs="*", default=["tests/model/test_checker_mutations.py", "tests"],
                        help="the tests to run, in turn until one fails (default: the checker's own tests, "
                             "then every test)")
    args = parser.parse_args()
    rules = args.rule or [r.id for r in HARD_RULES + PARTICIPANT_HARD_RULES]
    survived = []
    print("| rule switched off | first failing test | seconds |\n|---|---|---|")
    for rule in rules:
        caught, took = first_failure(rule, args.without, args.paths)
        print(f"| {rule} | {caught or '**none: the suite passed**'} | {took:.0f} |", flush=True)
        if caught is None:
            survived.append(rule)
    if survived:
        print(f"\n{len(survived)} of {len(rules)} rules can break unnoticed: {', '.join(survived)}")
        return 1
    print(f"\nevery one of the {len(rules)} hard rules switched off makes the suite fail")
    return 0


if __name__ == "__main__":
    sys.exit(main())
