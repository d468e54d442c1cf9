"""Problems found in a resource, and the OperationOutcome that reports them. Pure: no Django."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FATAL, ERROR, WARNING, INFORMATION = "fatal", "error", "warning", "information"


@dataclass(frozen=True)
class Issue:
    """One problem: how bad (severity), what kind (an IssueType code), what, and where (FHIRPath)."""

    severity: str
    code: str  # structure, required, value, code-invalid, invalid, not-found, processing...
    diagnostics: str
    expression: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity in (FATAL, ERROR)

    def as_fhir(self) -> dict[str, Any]:
        issue: dict[str, Any] = {"severity": self.severity, "code": self.code, "diagnostics": self.diagnostics}
        if self.expression:
            issue["expression"] = [self.expression]
        return issue


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(issue.is_error for issue in issues)


def operation_outcome(issues: Iterable[Issue], *, ok_text: str = "No problems were found") -> dict[str, Any]:
    """An OperationOutcome with an issue per problem (or one information issue when there are none)."""
    found = [issue.as_fhir() for issue in issues]
    if not found:
        found = [{"severity": INFORMATION, "code": "informational", "diagnostics": ok_text}]
    return {"resourceType": "OperationOutcome", "issue": found}


def single(severity: str, code: str, diagnostics: str, expression: str = "") -> dict[str, Any]:
    return operation_outcome([Issue(severity, code, diagnostics, expression)])
