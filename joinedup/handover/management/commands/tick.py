"""`joinedup tick`: process passed deadlines (escalate overdue referrals and disputes, crises), and
raise access alerts from the audit log for information governance (governance.scan, ADR 0045).

Idempotent and safe from cron; `--every SECONDS` keeps running (as `make run` does).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from joinedup.crisis import tick as crisis_tick
from joinedup.governance import scan as access_alerts
from joinedup.handover.tick import TickReport, tick


class Command(BaseCommand):
    help = "Escalate referrals, disputes and crises whose deadlines have passed; raise access alerts (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=int, default=0, help="Run again every SECONDS (0: once)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["every"] < 0:
            raise CommandError("--every takes a number of seconds, 0 or more (0 runs once)")
        while True:
            try:
                report = self._once(show_progress=options["verbosity"] > 0 and not options["every"])
                crisis_tick.run_for_command(self.stdout, options["verbosity"], repeating=bool(options["every"]))
                self._alerts(options["verbosity"], repeating=bool(options["every"]))
            except DatabaseError as error:
                if not options["every"]:
                    raise
                # A background loop must outlive a passing database error; the next round retries.
                self.stderr.write(f"tick: {error}; trying again in {options['every']} s")
                close_old_connections()
                time.sleep(options["every"])
                continue
            if options["verbosity"] > 0 and (report.escalations or report.disputes_escalated or not options["every"]):
                self.stdout.write(
                    f"tick: {report.referrals_checked} overdue referrals checked, {report.escalations} escalations, "
                    f"{report.disputes_escalated} disputes past their decision date"
                )
                for gap in report.gaps:
                    self.stdout.write(f"  gap in the escalation chain: {gap}")
            if not options["every"]:
                return
            close_old_connections()
            time.sleep(options["every"])

    def _alerts(self, verbosity: int, repeating: bool) -> None:
        report = access_alerts.scan()
        if verbosity > 0 and (report.total or not repeating):
            raised = ", ".join(f"{count} {rule.replace('_', ' ')}" for rule, count in sorted(report.raised.items()))
            self.stdout.write(
                f"access alerts: {report.events_read} audit events read, {report.total} alerts raised"
                + (f" ({raised})" if raised else "")
            )

    def _once(self, show_progress: bool) -> TickReport:
        columns = (TextColumn("Escalating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True, disable=not show_progress) as progress:
            bar = progress.add_task("tick", total=None)
            return tick(progress=lambda done, total: progress.update(bar, completed=done, total=total))
