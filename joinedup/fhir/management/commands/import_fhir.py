"""joinedup import-fhir PATH...: load FHIR bundles and bulk-export ndjson, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup.directory.models import Team
from joinedup.fhir.importer import Importer, Options, Summary
from joinedup.fhir.reading import SUFFIXES, import_files


class Command(BaseCommand):
    help = (
        "Import FHIR R4 transaction/collection bundles (.json, .json.gz) and bulk-export ndjson "
        "(.ndjson, .ndjson.gz): Patients become clients, inpatient Encounters hospital spells, CarePlans, "
        "Goals and CareTeams about known clients care from elsewhere on their record; everything is kept as "
        "source data. "
        "Importing the same files again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, help="files, or folders to search for " + ", ".join(SUFFIXES)
        )
        parser.add_argument(
            "--team",
            default=settings.JOINEDUP_FHIR_IMPORT_TEAM,
            help="the team accountable for imported clients whose GP practice JoinedUp does not know "
            "(its name; default: the JOINEDUP_FHIR_IMPORT_TEAM setting)",
        )
        parser.add_argument(
            "--synthetic-nhs-numbers",
            action="store_true",
            help="give Patients without an NHS number a synthetic one (999 range, never issued to people)",
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="processes that read and validate files beside the writer (0: none)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        if options["workers"] < 0:
            raise CommandError("--workers must be 0 or more")
        team = _team(options["team"])
        files = import_files(options["paths"])
        if not files:
            raise CommandError(f"No FHIR files ({', '.join(SUFFIXES)}) under the paths given")
        importer = Importer(
            Options(
                default_team=team, synthetic_nhs_numbers=options["synthetic_nhs_numbers"], workers=options["workers"]
            )
        )
        console = Console(file=cast(IO[str], self.stdout), force_terminal=False, width=160)
        if options["no_progress"] or options["verbosity"] == 0:
            summary = importer.import_paths(files)
        else:
            summary = _with_progress(importer, files, console)
        if options["verbosity"] > 0:
            _report(summary, console)


def _team(name: str | None) -> Team | None:
    if not name:
        return None
    team = Team.objects.select_related("locality", "organisation").filter(name=name).first()
    if team is None:
        raise CommandError(f"No team is named {name!r}: give --team the name of a JoinedUp team")
    if team.locality_id is None:
        raise CommandError(f"{team.name} is borough-wide: the default team must belong to a locality")
    if team.duty_worker_id is None:
        raise CommandError(f"{team.name} has no duty worker to answer for imported clients")
    return team


def _with_progress(importer: Importer, files: list[Path], console: Console) -> Summary:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Importing FHIR files", total=len(files))

        def step(path: Path, count: int) -> None:
            progress.update(task, advance=1, description=f"{importer.summary.read:,} resources read")

        return importer.import_paths(files, step)


def _report(summary: Summary, console: Console) -> None:
    table = Table(title=f"FHIR import: {summary.read:,} resources read")
    columns = ("New", "Changed", "Unchanged", "Other copies", "Linked to a client", "Mapped", "Source data only")
    for column in ("Resource type", *columns):
        table.add_column(column, justify="left" if column == "Resource type" else "right")
    types = sorted(set(summary.created) | set(summary.updated) | set(summary.unchanged) | set(summary.other_copies))
    for name in types:
        linked = "(the clients)" if name == "Patient" else f"{summary.linked[name]:,}"
        counts = (summary.created[name], summary.updated[name], summary.unchanged[name], summary.other_copies[name])
        mapped = (summary.mapped[name], summary.source_only[name])
        table.add_row(name, *(f"{n:,}" for n in counts), linked, *(f"{n:,}" for n in mapped))
    console.print(table)
    console.print(
        f"Clients registered: {summary.clients_created:,}; matched to existing clients by NHS number: "
        f"{summary.clients_matched:,}. Hospital spells made from inpatient Encounters: {summary.spells_created:,}"
        f" (admissions, moves or discharges held on the feed exceptions worklist: {summary.stay_events_held:,})."
        f" Care from elsewhere recorded or brought up to date: {summary.care_plans:,} care plans, {summary.goals:,}"
        f" goals, {summary.care_team_members:,} care team members."
    )
    console.print(
        "Mapped: made into JoinedUp's records (Patients into clients, inpatient Encounters into hospital spells, "
        "CarePlans, Goals and CareTeams about known clients into care from elsewhere); every resource is also "
        "kept as source data. Other copies: a resource met again with different content and not newer (the first "
        "copy stands)."
    )
    if summary.problems:
        console.print(f"{len(summary.problems):,} resource(s) not imported or kept only as source data:")
        for line in summary.problems[:200]:
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
        if len(summary.problems) > 200:
            console.print(f"  ... and {len(summary.problems) - 200:,} more")
