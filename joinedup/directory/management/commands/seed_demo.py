"""`joinedup seed-demo`: build the fictional borough of Thameside and its synthetic clients."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from joinedup.clients.models import Client
from joinedup.demo.borough import BOROUGH, borough_exists
from joinedup.demo.seeding import (
    BATCH_SIZE,
    DEFAULT_CLIENTS,
    DEFAULT_SEED,
    NotEmpty,
    SeedOptions,
    SeedResult,
    check_empty,
    seed,
)


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} clients/s", style="progress.data.speed")


def _as_of(value: str | date | None) -> date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date like 2026-01-31, not {value!r}") from error


class Command(BaseCommand):
    help = (
        f"Build the fictional borough of {BOROUGH} (localities, organisations, teams, about 50 "
        "demo practitioners) and N synthetic clients, the same for the same seed. "
        "Seeds an empty database only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients",
            type=int,
            default=DEFAULT_CLIENTS,
            help=f"How many synthetic clients (default {DEFAULT_CLIENTS:,})",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and say so) when the database already has a borough",
        )
        parser.add_argument(
            "--as-of",
            default=None,
            metavar="YYYY-MM-DD",
            help="The day the data is seeded as of (default today); events happen before it",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Clients written per batch")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.JOINEDUP_ENV == "production":
            raise CommandError("The demo accounts share a published password: never seed them in production")
        if options["clients"] < 0 or options["batch_size"] < 1:
            raise CommandError("--clients must be 0 or more and --batch-size at least 1")
        as_of = _as_of(options["as_of"])
        if as_of > timezone.localdate():
            raise CommandError("--as-of cannot be in the future: seeded events happen before that day")
        if options["if_empty"] and self._already_seeded():
            return
        try:
            check_empty()
        except NotEmpty as error:
            raise CommandError(f"{error}. Use a fresh database, or --if-empty to skip quietly.") from error
        seed_options = SeedOptions(
            clients=options["clients"],
            seed=options["seed"],
            as_of=as_of,
            batch_size=options["batch_size"],
        )
        result = self._seed(seed_options, show_progress=options["verbosity"] > 0)
        rows = ", ".join(f"{name} {count:,}" for name, count in sorted(result.rows.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {BOROUGH}: {result.practitioners} practitioners, {result.teams} teams, "
                f"{result.clients:,} clients in {result.seconds:.1f} s "
                f"({result.clients_per_second:,.0f} clients/s)"
            )
        )
        self.stdout.write(f"Rows: {rows}. Who to sign in as: joinedup demo-accounts --summary")

    def _already_seeded(self) -> bool:
        if borough_exists():
            count = Client.objects.count()
            self.stdout.write(f"The {BOROUGH} demo borough is already seeded ({count:,} clients): nothing to do.")
            return True
        try:
            check_empty()
        except NotEmpty:
            self.stdout.write("This database already has a borough of its own: the demo was not seeded.")
            return True
        return False

    def _seed(self, options: SeedOptions, *, show_progress: bool) -> SeedResult:
        if not show_progress:
            return seed(options)
        columns = (
            TextColumn("[bold]Seeding clients"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task("clients", total=options.clients)
            return seed(options, progress=lambda done: progress.advance(task, done))
