"""`joinedup audit-verify`: check the audit log's hash chain and name the first bad row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 and name the first bad row when it was tampered with."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--expect-head",
            default="",
            help="The hash of the newest row as recorded elsewhere earlier: detects removal of the newest rows.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        columns = (TextColumn("Verifying audit log"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True, disable=options["verbosity"] == 0) as progress:
            bar = progress.add_task("verify", total=total)
            report = verify_chain(progress=lambda n: progress.update(bar, completed=n) if n % 1000 == 0 else None)
        if not report.ok:
            raise CommandError(
                f"Audit log tampered with: row {report.first_bad_id} {report.problem} "
                f"({report.checked} rows before it are intact)"
            )
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        expected = options["expect_head"]
        if expected and not AuditEvent.objects.filter(hash=expected).exists():
            raise CommandError(
                f"Audit log tampered with: the expected head {expected[:16]}… is gone (rows were removed from the end)"
            )
        if head:
            self.stdout.write(f"Audit log intact: {report.checked} rows; newest row {head[0]}, hash {head[1]}")
        else:
            self.stdout.write("Audit log intact: it is empty")
