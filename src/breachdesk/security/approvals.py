"""The two-person rule for customer-facing text: a legal approver and a communications
approver, two different accounts, each sign off one exact version. Notice templates and
the desk's library answers both follow it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from breachdesk.inputs import InputError
from breachdesk.security.models import Role, StaffUser

APPROVER_ROLES = (Role.LEGAL_APPROVER, Role.COMMS_APPROVER)


class SignOff(Protocol):
    role: str  # a Role value
    staff_user_id: int


def check_sign_off(
    approvals: Iterable[SignOff], approver: StaffUser, *, what: str, version: int
) -> Role:
    """The approver's role, if they may sign off this version now; else an InputError
    that says why (not an approver, that role has signed, or they signed already)."""
    role = Role(approver.role)
    if role not in APPROVER_ROLES:
        raise InputError(
            f"{approver.email} is {role.value}; only a legal_approver or a comms_approver can "
            f"approve {what}"
        )
    for approval in approvals:
        if approval.role == role.value:
            raise InputError(f"version {version} already has its {role.value} sign-off")
        if approval.staff_user_id == approver.id:
            raise InputError(
                f"{approver.email} already signed version {version} off; the two sign-offs "
                "must come from two different accounts"
            )
    return role


def both_signed(approvals: Iterable[SignOff]) -> bool:
    """Signed off by both approver roles, as two different accounts."""
    by_role = {approval.role: approval.staff_user_id for approval in approvals}
    legal, comms = by_role.get(Role.LEGAL_APPROVER), by_role.get(Role.COMMS_APPROVER)
    return legal is not None and comms is not None and legal != comms
