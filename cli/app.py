"""The ``rtcm`` app: every command and its name, registered here and nowhere else."""

from __future__ import annotations

import typer

from cli import exchange, explain, frontier, notices, parity, publish, reference, robustness, rollout, scenarios, solve

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="RTCM Planner: annual training calendars for the RTCM, optimised with CP-SAT.")

# Solving and checking a calendar; what the files hold and the catalogue offers.
app.command("solve")(solve.solve_cmd)
app.command("check")(solve.check_cmd)
app.command("schema")(reference.schema_cmd)
app.command("catalogue")(reference.catalogue_cmd)
# Files exchanged with planners: the Excel input workbook and iCalendar.
app.command("template")(exchange.template_cmd)
app.command("import")(exchange.import_cmd)
app.command("ical")(exchange.ical_cmd)
# Why: what rules a problem out before solving, and an edition's alternatives after.
app.command("doctor")(explain.doctor_cmd)
app.command("explain")(explain.explain_cmd)
app.command("backups")(explain.backups_cmd)
app.command("robustness")(robustness.robustness_cmd)
# Gender parity of trainers and participants.
app.command("parity")(parity.parity_cmd)
# What-if scenarios and re-planning a published calendar.
scenario_app = typer.Typer(help="What-if scenarios: solve and compare them with the base.", no_args_is_help=True)
scenario_app.command("run")(scenarios.scenario_run)
app.add_typer(scenario_app, name="scenario")
app.command("replan")(scenarios.replan_cmd)
app.command("frontier")(frontier.frontier_cmd)
# The programme over one to three years, the first in full detail.
app.command("rollout")(rollout.rollout_cmd)
# Publishing: numbered versions of the calendar in a folder, and what changed between two.
app.command("publish")(publish.publish_cmd)
app.command("versions")(publish.versions_cmd)
app.command("diff")(publish.diff_cmd)
app.command("notices")(notices.notices_cmd)
app.command("feeds")(publish.feeds_cmd)

if __name__ == "__main__":
    app()
