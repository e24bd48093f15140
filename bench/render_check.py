"""Render the planner's workbooks to PDF with LibreOffice and check that every sheet prints.

Writes the default calendar's workbook (the greedy 2027 calendar, no solver) and the input
template, converts both with ``soffice --headless --convert-to pdf`` and checks that each PDF
has at least one page per sheet. Not part of ``make test``: it needs LibreOffice
(``apt-get install libreoffice-calc-nogui``) and takes a few seconds.

    .venv/bin/python -m bench.render_check [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from data import default_problem
from model.formats.excel import SHEETS, write_schedule_workbook
from model.formats.excel_input import template_workbook, write_template
from scheduler.greedy import greedy_schedule

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def pdf_pages(path: Path) -> int:
    """Pages of a PDF as LibreOffice writes it (page objects are not compressed)."""
    return len(PAGE.findall(path.read_bytes()))


def to_pdf(soffice: str, xlsx: Path, out_dir: Path) -> Path:
    profile = out_dir / "lo-profile"  # a private profile: no clash with a running LibreOffice
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)],
        check=True, capture_output=True, timeout=300)
    pdf = out_dir / (xlsx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {xlsx.name}")
    return pdf


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="folder to keep the workbooks and PDFs in")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
        return 2
    problem = default_problem()
    schedule = greedy_schedule(problem)
    with tempfile.TemporaryDirectory(prefix="rtcm-render-") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        calendar, template = out / "rtcm-2027.xlsx", out / "rtcm-2027-input.xlsx"
        write_schedule_workbook(schedule, calendar)
        write_template(problem, template)
        expected = {calendar: len(SHEETS), template: len(template_workbook(problem).sheetnames)}
        ok = True
        for xlsx, sheets in expected.items():
            pages = pdf_pages(to_pdf(soffice, xlsx, out))
            verdict = "ok" if pages >= sheets else "TOO FEW PAGES"
            ok &= pages >= sheets
            print(f"{xlsx.name}: {pages} PDF pages for {sheets} sheets: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
