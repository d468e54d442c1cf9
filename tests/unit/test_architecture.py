"""House rules that a reviewer would otherwise have to remember.

- Pages and API never reach client data through the ORM: they call queries and services,
  which scope by the acting user and audit (ARCHITECTURE.md, "scoped data access").
- The `joinedup` command's list of commands is a deliberate, visible change (pinned).
"""

import ast
from pathlib import Path

from django.core.management import get_commands

PACKAGE = Path(__file__).resolve().parents[2] / "joinedup"
# Models that hold client data (personal data): only queries and services touch them.
CLIENT_DATA_MODELS = {
    "Client",
    "Need",
    "ConsentDecision",
    "Accountability",
    "TimelineEvent",
    "EmergencyAccess",
    "Task",
    "Notification",
    "AuditEvent",
    "SourceResource",
    "CarePlan",
    "CarePlanVersion",
    "Goal",
    "GoalScore",
    "Intervention",
    "Review",
    "FrailtyRecord",
    "CareTeamMember",
    "Visit",
    "TrustedAssessment",
    "AgendaItem",
    "AgendaRequest",
}


def _entry_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.stem in {"views", "api", "forms", "pages"} or path.stem.endswith("_views"):
            yield path


def _orm_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if name in CLIENT_DATA_MODELS:
                found.append(f"{path}:{node.lineno} {name}.{node.attr}")
    return found


def test_pages_and_api_reach_client_data_only_through_queries_and_services():
    modules = list(_entry_modules())
    assert modules, "no views or api modules found"
    offences = [use for path in modules for use in _orm_uses(path)]
    assert offences == []


def test_the_rule_above_would_catch_an_unscoped_query(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "from joinedup.clients.models import Client\n\ndef page(request):\n    return Client.objects.all()\n"
    )
    assert _orm_uses(bad) == [f"{bad}:4 Client.objects"]


JOINEDUP_COMMANDS = {
    "adt_listen": "joinedup.hospital",
    "adt_send": "joinedup.hospital",
    "audit_verify": "joinedup.core",
    "demo_accounts": "joinedup.directory",
    "grant_app_role": "joinedup.core",
    "sar_export": "joinedup.core",
    "import_fhir": "joinedup.fhir",
    "seed_demo": "joinedup.directory",
    "tick": "joinedup.handover",
    "token": "joinedup.core",
}


def test_the_joinedup_commands_are_the_pinned_ones():
    ours = {name: app for name, app in get_commands().items() if app.startswith("joinedup")}
    assert ours == JOINEDUP_COMMANDS
