"""``breachdesk report``: regulator notices, proof of notice and the response scorecard."""

from __future__ import annotations

from breachdesk.clitools import new_app
from breachdesk.reports.proof_cli import proof_command, verify_proof_command
from breachdesk.reports.regulators_cli import regulators_command, submitted_command
from breachdesk.reports.scorecard_cli import scorecard_command

report_app = new_app("Reports: regulator notices, proof of notice, the response scorecard.")
report_app.command("regulators")(regulators_command)
report_app.command("submitted")(submitted_command)
report_app.command("proof")(proof_command)
report_app.command("verify-proof")(verify_proof_command)
report_app.command("scorecard")(scorecard_command)
