"""Who may do what in the console: every route names one of these permissions, and this
table is the only place that says which roles hold it (docs/console.md prints it).

Least privilege: the approvers see the notices they sign and the figures, not the
people; agents see the people they answer, not the audit trail; the auditor reads
everything and changes nothing; the admin keeps the system, not the response.
"""

from __future__ import annotations

import enum

from breachdesk.desk.claims import ASKING_ROLES, DECIDING_ROLES
from breachdesk.desk.service import ANSWERING_ROLES
from breachdesk.security.models import Role


class Can(enum.StrEnum):
    SEE_DASHBOARD = "see the dashboard"
    SEE_FACTS = "read the facts and their revisions"
    REVISE_FACTS = "revise the facts"
    SEE_PEOPLE = "look people up"
    SEE_NOTICES = "read and preview notice templates"
    EDIT_NOTICES = "write notice templates"
    APPROVE_NOTICES = "approve notice templates"
    SEE_CAMPAIGNS = "see campaigns"
    RUN_CAMPAIGNS = "create, schedule, pause and resume campaigns"
    WORK_DESK = "answer inquiries"
    REVIEW_CLAIMS = "review reimbursement claims"
    DECIDE_CLAIMS = "approve or reject reimbursement claims"
    SUBMIT_REGULATOR_NOTICES = "record regulator notices as submitted"
    SEE_AUDIT = "read and verify the audit trail"
    SEE_OUTBOX = "read the captured outbox"


ALL = frozenset(Role)
ALLOWED: dict[Can, frozenset[Role]] = {
    Can.SEE_DASHBOARD: ALL,
    Can.SEE_FACTS: ALL,
    Can.REVISE_FACTS: frozenset({Role.LEAD}),
    Can.SEE_PEOPLE: frozenset({Role.LEAD, Role.AGENT, Role.AUDITOR}),
    Can.SEE_NOTICES: frozenset(
        {Role.LEAD, Role.LEGAL_APPROVER, Role.COMMS_APPROVER, Role.AUDITOR, Role.ADMIN}
    ),
    Can.EDIT_NOTICES: frozenset({Role.LEAD, Role.COMMS_APPROVER}),
    Can.APPROVE_NOTICES: frozenset({Role.LEGAL_APPROVER, Role.COMMS_APPROVER}),
    Can.SEE_CAMPAIGNS: frozenset({Role.LEAD, Role.AUDITOR, Role.ADMIN}),
    Can.RUN_CAMPAIGNS: frozenset({Role.LEAD}),
    # The desk's own services decide who answers and who decides claims; the console
    # offers their screens to exactly those roles.
    Can.WORK_DESK: frozenset(ANSWERING_ROLES),
    Can.REVIEW_CLAIMS: frozenset(ASKING_ROLES),
    Can.DECIDE_CLAIMS: frozenset(DECIDING_ROLES),
    Can.SUBMIT_REGULATOR_NOTICES: frozenset({Role.LEAD, Role.LEGAL_APPROVER}),
    Can.SEE_AUDIT: frozenset({Role.AUDITOR, Role.ADMIN, Role.LEAD}),
    Can.SEE_OUTBOX: frozenset(
        {Role.LEAD, Role.LEGAL_APPROVER, Role.COMMS_APPROVER, Role.AUDITOR, Role.ADMIN}
    ),
}


def allowed(role: Role, can: Can) -> bool:
    return Role(role) in ALLOWED[can]
