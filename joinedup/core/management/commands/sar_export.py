"""`joinedup sar-export NHS_NUMBER`: everything held about one person, as a readable bundle (audited)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.core.subject_access import client_model, export_to
from joinedup.core.tokens import CLI


class Command(BaseCommand):
    help = (
        "Subject access request: write everything JoinedUp holds about a person (every table that refers to "
        "them, and who looked at their record) to a zip with a readable summary.html and the data as JSON."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("nhs_number", help="The person's NHS number (spaces allowed)")
        parser.add_argument(
            "--requested-by",
            required=True,
            help="Who asked, and their reference (e.g. 'the client in writing, DPO ref 2026/114'); audited",
        )
        parser.add_argument("--output", default="", help="The zip to write (default: sar-NHSNUMBER-DATE.zip here)")
        parser.add_argument("--operator", default="", help="Your name, as the operator running the export")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            nhs_number = normalise(options["nhs_number"])
        except InvalidNhsNumber as error:
            raise CommandError(f"Not a valid NHS number: {error}") from error
        requested_by = options["requested_by"].strip()
        if not requested_by:
            raise CommandError("Say who asked for the export (--requested-by)")
        client: Any = client_model()._default_manager.filter(nhs_number=nhs_number).first()
        if client is None:
            raise CommandError(f"No client with NHS number {nhs_number} is held")
        output = Path(options["output"] or f"sar-{nhs_number}-{timezone.localdate():%Y%m%d}.zip")
        if output.exists():
            raise CommandError(f"{output} exists already: choose another --output")
        if not output.parent.exists():
            raise CommandError(f"{output.parent} does not exist")
        actor = replace(CLI, username=f"cli:{options['operator'].strip()}"[:150] if options["operator"] else "cli")
        export = export_to(output, client, actor=actor, requested_by=requested_by)
        rows = sum(export.counts.values())
        self.stdout.write(f"Wrote {output}: {rows} rows from {len(export.counts)} tables about {client.full_name}")
