"""`joinedup adt-listen [--host 127.0.0.1] [--port 2575]`: receive HL7 v2 ADT messages over MLLP."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from joinedup.hospital import config
from joinedup.hospital.adt import processes
from joinedup.hospital.adt.listener import Listener, Stats


class Command(BaseCommand):
    help = "Receive HL7 v2 ADT messages over MLLP and apply them (acknowledged after they are stored)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2575, help="Port to listen on (default 2575, HL7's own)")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=settings.JOINEDUP_HOSPITAL_BATCH_SIZE,
            help="Most messages applied in one transaction",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.JOINEDUP_HOSPITAL_PROCESSES,
            help="Listener processes sharing the port, each on a core of its own (default 1; PostgreSQL gains "
            "from one per core, SQLite writes one transaction at a time)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["port"] <= 65535:
            raise CommandError("--port must be a number from 0 to 65535")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more")
        if not 1 <= options["processes"] <= 64:
            raise CommandError("--processes must be a number from 1 to 64")
        problems = config.check()
        if problems:
            raise CommandError("The hospital feed cannot start:\n  " + "\n  ".join(problems))
        try:
            if options["processes"] > 1:
                self._serve_in_processes(options)
            else:
                asyncio.run(self._serve(options))
        except processes.ListenerDied as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {error.strerror}") from error

    async def _serve(self, options: dict[str, Any]) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        listener = Listener(options["host"], options["port"], batch_size=options["batch_size"])
        await listener.start()
        self._listening(options, listener.port)
        await listener.serve_started(stop)
        self._stopped(options, listener.stats)

    def _serve_in_processes(self, options: dict[str, Any]) -> None:
        stats = processes.serve(
            options["host"],
            options["port"],
            options["processes"],
            batch_size=options["batch_size"],
            on_listening=lambda port: self._listening(options, port),
        )
        self._stopped(options, stats)

    def _listening(self, options: dict[str, Any], port: int) -> None:
        if options["verbosity"] > 0:
            many = f" in {options['processes']} processes" if options["processes"] > 1 else ""
            self.stdout.write(f"Listening for HL7 v2 over MLLP on {options['host']}:{port}{many} (Ctrl-C to stop)")
            self.stdout.flush()

    def _stopped(self, options: dict[str, Any], stats: Stats) -> None:
        if options["verbosity"] > 0:
            codes = ", ".join(f"{code} {count}" for code, count in sorted(stats.codes.items())) or "none"
            self.stdout.write(
                f"Stopped: {stats.messages} messages in {stats.batches} batches ({codes}; {stats.repeats} resends)"
            )
