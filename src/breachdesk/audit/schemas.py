"""What the audit service returns to its callers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    events_checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None
