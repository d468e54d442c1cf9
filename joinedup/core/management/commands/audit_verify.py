"""`joinedup audit-verify`: check the audit log's hash chains and name the first bad row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chains; exit 1 and name the first bad row when it was tampered with."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="HASH",
            help=(
                "A chain's newest hash as this command printed it earlier and was kept elsewhere: detects "
                "removal of the newest rows. Give it once per chain."
            ),
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
        expected = [value for values in options["expect_head"] for value in values.split(",") if value.strip()]
        for head in expected:
            if not AuditEvent.objects.filter(hash=head.strip()).exists():
                raise CommandError(
                    f"Audit log tampered with: the expected head {head.strip()[:16]}… is gone "
                    "(rows were removed from the end of a chain)"
                )
        if not report.heads:
            self.stdout.write("Audit log intact: it is empty")
            return
        self.stdout.write(f"Audit log intact: {report.checked} rows in {len(report.heads)} chain(s)")
        for chain, (row_id, digest) in sorted(report.heads.items()):
            self.stdout.write(f"  chain {chain}: newest row {row_id}, hash {digest}")
