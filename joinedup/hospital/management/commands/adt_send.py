"""`joinedup adt-send HOST:PORT FILE...`: send HL7 v2 messages over MLLP, each waiting for its ACK."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from joinedup.hospital.adt.sender import Outgoing, Result, messages_in, send_all


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise CommandError(f"Give the receiver as HOST:PORT, for example 127.0.0.1:2575 (not {value!r})")
    return host.strip("[]"), int(port)


class Command(BaseCommand):
    help = "Send HL7 v2 messages (files of one message or a batch) over MLLP; resend on timeout with the same MSH-10."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("address", help="HOST:PORT of the receiver")
        parser.add_argument("files", nargs="+", help="Files holding one message or a batch")
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for each ACK (default 10)")
        parser.add_argument("--retries", type=int, default=3, help="Resends after a timeout (default 3)")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = _address(options["address"])
        if options["timeout"] <= 0 or options["retries"] < 0:
            raise CommandError("--timeout must be more than 0 and --retries 0 or more")
        outgoing: list[Outgoing] = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"No such file: {name}")
            outgoing += messages_in(path)
        results = self._send(host, port, outgoing, options)
        failed = [r for r in results if r.code != "AA"]
        unanswered = [r for r in results if not r.code]
        self.stdout.write(f"{len(results)} sent: {len(results) - len(failed)} AA, {len(failed)} not accepted")
        if unanswered:
            raise CommandError(f"{len(unanswered)} message(s) got no acknowledgement", returncode=2)
        if failed:
            raise CommandError(f"{len(failed)} message(s) were not accepted (AE or AR)", returncode=1)

    def _send(self, host: str, port: int, outgoing: list[Outgoing], options: dict[str, Any]) -> list[Result]:
        verbose = options["verbosity"] > 0
        columns = (TextColumn("Sending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True, disable=not verbose or len(outgoing) < 20) as progress:
            bar = progress.add_task("send", total=len(outgoing))

            def report(result: Result) -> None:
                progress.advance(bar)
                if verbose:
                    label = result.outgoing.control_id or "(no control id)"
                    words = f": {result.text}" if result.text else ""
                    progress.console.print(
                        f"{result.outgoing.source} {label} {result.code or 'NO ACK'}{words}",
                        markup=False,
                        soft_wrap=True,
                        highlight=False,
                    )

            return asyncio.run(
                send_all(host, port, outgoing, timeout=options["timeout"], retries=options["retries"], on_result=report)
            )
