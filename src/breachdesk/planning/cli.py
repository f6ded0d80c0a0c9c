"""``breachdesk plan``: pace the notice waves to the contact center, and check readiness."""

from __future__ import annotations

from breachdesk.clitools import new_app
from breachdesk.planning.readiness_cli import check_command
from breachdesk.planning.waves_cli import waves_command

plan_app = new_app("Plan the response: wave pacing against capacity, and readiness.")
plan_app.command("check")(check_command)
plan_app.command("waves")(waves_command)
