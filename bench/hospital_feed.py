"""Benchmark of the hospital feed: HL7 v2 ADT over MLLP, end to end, and parsing alone.

    uv run python bench/hospital_feed.py parse                 # our parser next to python-hl7
    uv run python bench/hospital_feed.py throughput            # messages/s end to end, many connections
    uv run python bench/hospital_feed.py latency --rate 500    # ACK latency at a fixed rate
    uv run python bench/hospital_feed.py throughput --profile  # the same, with py-spy on the listener
    uv run python bench/hospital_feed.py batch                 # one small batch's cost, in this process

DATABASE_URL chooses the database (sqlite:///... or postgres://...); the script
migrates it and, when it has no clients, seeds the demo borough with --clients
clients. It starts `joinedup adt-listen` as a process of its own and drives it
with --connections MLLP connections, each sending its patients' messages in
order and waiting for every ACK, as real senders do. Half the patients are
clients already (found by NHS number), half are new to JoinedUp (registered by
the feed). Each patient is admitted, moved, updated (a diagnosis; dementia for
some, which fires the follow-up rules at discharge) and discharged. It prints
the figures with their conditions: database, data size, load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
RESULTS = ROOT / "bench" / "results"
VT, FS, CR = b"\x0b", b"\x1c", b"\r"


def _django() -> None:
    import django

    django.setup()


def conditions(label: str) -> str:
    load = os.getloadavg()
    database = os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1]
    return f"{label}: {database}; {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


# --- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    nhs_number: str
    family: str
    given: str
    born: str  # YYYYMMDD
    practice: str


def _new_numbers(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """NHS numbers no client has yet (998 range: not the demo's 999)."""
    from joinedup.clients.models import Client
    from joinedup.core.nhs_number import check_digit

    out: list[str] = []
    while len(out) < count:
        candidates = set()
        while len(candidates) < 2 * (count - len(out)):
            stem = f"998{rng.randrange(1_000_000):06d}"
            digit = check_digit(stem)
            if digit is not None and stem + str(digit) not in taken:
                candidates.add(stem + str(digit))
        known = set(Client.objects.filter(nhs_number__in=candidates).values_list("nhs_number", flat=True))
        for number in sorted(candidates - known)[: count - len(out)]:
            taken.add(number)
            out.append(number)
    return out


def people(count: int, rng: random.Random) -> list[Person]:
    """Half known clients of the database, half new people."""
    _django()
    from joinedup.clients.models import Client

    known = list(
        Client.objects.filter(nhs_number__isnull=False, gp_practice__isnull=False)
        .values_list("nhs_number", "family_name", "given_name", "date_of_birth", "gp_practice__ods_code")
        .order_by("?")[: count // 2]
    )
    found = [Person(n, f.upper(), g.upper(), f"{b:%Y%m%d}", p) for n, f, g, b, p in known]
    practices = sorted({p.practice for p in found}) or ["X81001"]
    fresh = _new_numbers(count - len(found), rng, {p.nhs_number for p in found})
    found += [
        Person(
            n,
            f"NEWCOMER{i}",
            "ALEX",
            f"19{rng.randrange(20, 70)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}",
            rng.choice(practices),
        )
        for i, n in enumerate(fresh)
    ]
    rng.shuffle(found)
    return found


def _message(person: Person, trigger: str, when: datetime, control: str, visit: str, **extra: str) -> bytes:
    stamp = when.strftime("%Y%m%d%H%M%S")
    pv1 = ["PV1", "1", "I", extra.get("ward", "WARD1^BAY1^BED1"), "", "", extra.get("prior", "")] + [""] * 39
    pv1[19], pv1[37] = visit, extra.get("destination", "")
    pv1[44] = stamp if trigger == "A01" else ""
    pv1[45] = stamp if trigger == "A03" else ""
    lines = [
        f"MSH|^~\\&|PAS|BENCH|JOINEDUP|THAMESIDE|{stamp}||ADT^{trigger}^ADT_A01|{control}|P|2.4",
        f"EVN|{trigger}|{stamp}||||{stamp}",
        f"PID|1||H{person.nhs_number[-7:]}^^^BENCH^MR~{person.nhs_number}^^^NHS^NH||{person.family}^{person.given}"
        f"^^^^^L||{person.born}|F|||1 Bench Street^^London^^XT1 1AA||020 7946 0999",
        f"PD1|||GP^^{person.practice}",
        "|".join(pv1).rstrip("|"),
    ]
    if "diagnosis" in extra:
        lines.append(f"DG1|1||{extra['diagnosis']}^I10||{stamp}|F")
    return ("\r".join(lines) + "\r").encode()


def _start() -> datetime:
    """Each run's stays 60 days after the last run's, so a run does not make the last one's people bounce."""
    _django()
    from joinedup.hospital.models import FeedMessage

    runs = FeedMessage.objects.filter(facility="BENCH", control_id__endswith="-0-1").count()
    return datetime(2001, 1, 1, 8, 0) + timedelta(days=60 * runs)


def stories(persons: list[Person], rng: random.Random, run: str, start: datetime | None = None) -> list[list[bytes]]:
    """Per person, four messages: admission, move, update with a diagnosis, discharge."""
    start = start or _start()
    out = []
    for n, person in enumerate(persons):
        admitted = start + timedelta(minutes=37 * n)  # discharges spread over the days and hours of the week
        visit = f"{run}V{n}"
        diagnosis = "F03.90^Unspecified dementia" if rng.random() < 0.03 else "J18.9^Pneumonia, unspecified"
        out.append(
            [
                _message(person, "A01", admitted, f"{run}-{n}-1", visit, ward="AMU^BAY1^BED2"),
                _message(
                    person,
                    "A02",
                    admitted + timedelta(hours=5),
                    f"{run}-{n}-2",
                    visit,
                    ward="ELM^BAY3^BED1",
                    prior="AMU^BAY1^BED2",
                ),
                _message(
                    person,
                    "A08",
                    admitted + timedelta(days=1),
                    f"{run}-{n}-3",
                    visit,
                    ward="ELM^BAY3^BED1",
                    diagnosis=diagnosis,
                ),
                _message(
                    person,
                    "A03",
                    admitted + timedelta(days=4),
                    f"{run}-{n}-4",
                    visit,
                    ward="ELM^BAY3^BED1",
                    destination="19",
                ),
            ]
        )
    return out


# --- the listener -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(clients: int) -> None:
    env = {**os.environ, "JOINEDUP_LOG_LEVEL": "ERROR"}
    joinedup = [sys.executable, "-m", "joinedup"]
    subprocess.run([*joinedup, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    _django()
    from joinedup.clients.models import Client

    if not Client.objects.exists():
        subprocess.run([*joinedup, "seed-demo", "--clients", str(clients)], env=env, cwd=ROOT, check=True)


@dataclass
class Listener:
    port: int
    batch_size: int
    processes: int = 1
    process: subprocess.Popen | None = None
    profiler: subprocess.Popen | None = None

    def start(self, profile: bool) -> None:
        env = {
            **os.environ,
            "JOINEDUP_LOG_LEVEL": "ERROR",
            "JOINEDUP_ENV": "test",
            "JOINEDUP_SECRET_KEY": os.environ.get("JOINEDUP_SECRET_KEY", "bench-only-secret-" + "k" * 40),
        }
        command = [
            sys.executable,
            "-m",
            "joinedup",
            "adt-listen",
            "--port",
            str(self.port),
            "--batch-size",
            str(self.batch_size),
            "--processes",
            str(self.processes),
        ]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=sys.stderr)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if b"Listening" not in line:
            raise SystemExit(f"The listener did not start: {line!r}")
        if profile:
            RESULTS.mkdir(parents=True, exist_ok=True)
            self.profiler = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(self.process.pid),
                    "--subprocesses",
                    "--rate",
                    "100",
                    "--format",
                    "raw",
                    "--output",
                    str(RESULTS / "hospital-listener.folded.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    def cpu_seconds(self) -> float:
        """User and system CPU the listener has used, with its listener processes when it has several
        (Linux /proc), whatever the load around it."""
        assert self.process is not None
        pids = [self.process.pid]
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            pids += [int(pid) for pid in children.read_text().split()]
        return sum(_process_cpu_seconds(pid) for pid in pids)

    def stop(self) -> str:
        if self.profiler is not None:
            self.profiler.send_signal(signal.SIGINT)
            self.profiler.wait(timeout=60)
        assert self.process is not None and self.process.stdout is not None
        self.process.send_signal(signal.SIGTERM)
        out = self.process.stdout.read().decode()
        self.process.wait(timeout=120)
        return out.strip()


def _process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _database_backend_cpu_seconds() -> float | None:
    """CPU of the PostgreSQL backends serving the listener (its one connection, opened for this run):
    the database's share of each message, read from /proc, which works when PostgreSQL runs on this host."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # PostgreSQL on another host
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# --- load ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)


async def _connection(port: int, lane: list[bytes], tally: Tally, gate: asyncio.Queue | None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    buffer = b""
    for message in lane:
        due = await gate.get() if gate is not None else time.perf_counter()
        writer.write(VT + message + FS + CR)
        while FS not in buffer:
            chunk = await reader.read(65536)
            if not chunk:
                raise SystemExit("The listener closed a connection")
            buffer += chunk
        answer, buffer = buffer.split(FS, 1)
        buffer = buffer.removeprefix(CR)
        tally.latencies.append(time.perf_counter() - due)
        code = answer[answer.find(b"MSA|") + 4 : answer.find(b"MSA|") + 6].decode()
        tally.codes[code] = tally.codes.get(code, 0) + 1
    writer.close()


def _lanes(story_list: list[list[bytes]], connections: int) -> list[list[bytes]]:
    """Each person's story on one connection, in order; people spread over the connections."""
    lanes: list[list[bytes]] = [[] for _ in range(connections)]
    for n, story in enumerate(story_list):
        lanes[n % connections] += story
    return lanes


async def _throughput(port: int, lanes: list[list[bytes]]) -> tuple[float, Tally]:
    tally = Tally()
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, lane, tally, None) for lane in lanes))
    return time.perf_counter() - started, tally


async def _fixed_rate(port: int, lanes: list[list[bytes]], rate: float) -> tuple[float, Tally]:
    """Open loop: a ticket every 1/rate s goes to the next connection; latency counts from the ticket."""
    tally = Tally()
    gates = [asyncio.Queue() for _ in lanes]
    total = sum(len(lane) for lane in lanes)

    async def clock() -> None:
        started = time.perf_counter()
        for n in range(total):
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            gates[n % len(gates)].put_nowait(due)

    started = time.perf_counter()
    senders = [_connection(port, lane, tally, gate) for lane, gate in zip(lanes, gates, strict=True)]
    await asyncio.gather(clock(), *senders)
    return time.perf_counter() - started, tally


def _report(label: str, seconds: float, tally: Tally) -> None:
    done = len(tally.latencies)
    cuts = statistics.quantiles([1000 * x for x in tally.latencies], n=100)
    print(
        f"{label}: {done:,} messages in {seconds:.1f} s = {done / seconds:,.0f} messages/s; ACK latency ms "
        f"p50 {cuts[49]:.1f}, p95 {cuts[94]:.1f}, p99 {cuts[98]:.1f}, max {max(tally.latencies) * 1000:.1f}; "
        f"ACK codes {tally.codes}"
    )


def network(args: argparse.Namespace) -> None:
    prepare(args.clients)
    rng = random.Random(args.seed)
    persons = people(args.messages // 4, rng)
    run = f"R{int(time.time())}"
    story_list = stories(persons, rng, run)
    connections = args.connections if args.mode == "throughput" else max(1, args.connections_at_rate)
    lanes = _lanes(story_list, connections)
    listener = Listener(_free_port(), args.batch_size, args.processes)
    print(
        conditions(
            f"{args.mode}, {len(persons):,} people, {sum(map(len, lanes)):,} messages, "
            f"{connections} connections, batch size {args.batch_size}, {args.processes} listener process(es)"
        )
    )
    listener.start(args.profile)
    try:
        cpu = listener.cpu_seconds()
        sender_cpu = _own_cpu_seconds()
        if args.mode == "throughput":
            seconds, tally = asyncio.run(_throughput(listener.port, lanes))
        else:
            seconds, tally = asyncio.run(_fixed_rate(listener.port, lanes, args.rate))
        cpu = listener.cpu_seconds() - cpu
        sender_cpu = _own_cpu_seconds() - sender_cpu
        database_cpu = _database_backend_cpu_seconds()
    finally:
        summary = listener.stop()
    _report(args.mode if args.mode == "throughput" else f"fixed rate {args.rate:g}/s", seconds, tally)
    done = len(tally.latencies)
    print(
        f"listener CPU: {cpu:.1f} s for {done:,} messages = {1e6 * cpu / done:,.0f} us a message "
        f"(at most {done / cpu:,.0f} messages/s a free core)"
    )
    if database_cpu is not None:
        print(f"database backend CPU (the listener's connections): {1e6 * database_cpu / done:,.0f} us a message")
    print(f"sender (this script) CPU: {1e6 * sender_cpu / done:,.0f} us a message")
    print(f"listener: {summary.splitlines()[-1] if summary else '(no summary)'}")
    print(conditions("after"))


# --- one small batch, in this process -------------------------------------------------------------


def batch_cost(args: argparse.Namespace) -> None:
    """CPU and statements of applying small batches of admissions (half to known clients, half to new
    people), as the committer does: the fixed cost of a batch, which dominates at a fixed rate."""
    prepare(args.clients)
    from django.db import connection

    from joinedup.hospital.adt.mapping import read
    from joinedup.hospital.ingest import apply_batch

    rng = random.Random(args.seed)
    rounds = 200
    admissions = [read(story[0])[0][0] for story in stories(people(2 * rounds * 6, rng), rng, f"B{int(time.time())}")]
    statements = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    print(conditions(f"batch cost, {rounds} batches of each size, admissions"))
    position = 0
    for size in (1, 6):
        batches = [admissions[position + n * size : position + (n + 1) * size] for n in range(rounds)]
        position += rounds * size
        statements = 0
        with connection.execute_wrapper(count):
            cpu, started = time.process_time(), time.perf_counter()
            for batch in batches:
                apply_batch(batch)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - started
        print(
            f"  batches of {size}: {1000 * cpu / rounds:.2f} ms CPU and {1000 * wall / rounds:.2f} ms a batch, "
            f"{statements / rounds:.1f} statements (COPY not counted)"
        )
    _read_and_insert_costs(rounds)


def _read_and_insert_costs(rounds: int) -> None:
    """What ADR 0050 rests on: a batch read built by the ORM against the same SQL compiled once, and a few
    rows sent as one INSERT against COPY (PostgreSQL; in a transaction rolled back afterwards)."""
    from django.db import connection, transaction

    from joinedup.core import bulk
    from joinedup.hospital import batch_state
    from joinedup.hospital.models import Spell
    from joinedup.tasks.models import Notification

    if connection.vendor != "postgresql":
        return
    ids = list(Spell.objects.values_list("client_id", flat=True)[:6])

    def cpu_each(work) -> float:  # type: ignore[no-untyped-def]
        started = time.process_time()
        for _ in range(rounds):
            work()
        return 1000 * (time.process_time() - started) / rounds

    query = batch_state._SPELLS
    query.rows(ids)  # compiled once, before timing
    built, compiled = cpu_each(lambda: list(query.build(ids))), cpu_each(lambda: query.rows(ids))
    print(f"  the spells read: built by the ORM {built:.2f} ms CPU, compiled once {compiled:.2f} ms")
    from django.utils import timezone

    from joinedup.directory.models import Practitioner

    user = Practitioner.objects.values_list("id", flat=True).first()
    columns = ("recipient_id", "message", "link", "created_at")
    shipped = bulk.FEW_ROWS
    for count in (1, 5):
        timings = []
        try:
            for few in (shipped, 0):  # as shipped (INSERT for a few rows), then COPY for any number
                bulk.FEW_ROWS = few
                with transaction.atomic():
                    rows = [(user, "bench", "", timezone.now()) for _ in range(count)]
                    started = time.perf_counter()
                    for _ in range(rounds):
                        bulk.insert(Notification, columns, rows)
                    timings.append(1e6 * (time.perf_counter() - started) / rounds)
                    transaction.set_rollback(True)
        finally:
            bulk.FEW_ROWS = shipped
        print(f"  {count} row(s): one INSERT {timings[0]:,.0f} us, COPY {timings[1]:,.0f} us a call (wall)")


# --- parsing alone --------------------------------------------------------------------------------


def parse_only(args: argparse.Namespace) -> None:
    import hl7

    from joinedup.hospital.adt import mapping, parser

    rng = random.Random(args.seed)
    persons = [Person(f"99900000{n % 10}{n % 7}", "SMITH", "JO", "19400517", "X81001") for n in range(200)]
    generated = [m.decode() for story in stories(persons, rng, "P", datetime(2025, 3, 3, 8, 0)) for m in story]
    corpus_dir = Path(os.environ.get("JOINEDUP_CORPORA", ROOT.parent / "shared" / "corpora")) / "hl7v2" / "dev"
    corpus = []
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.csv":
            text = "\r".join(parser.split_segments(path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")))
            try:
                hl7.parse(text)
                parser.parse_message(text)
            except Exception:  # only what both read
                continue
            corpus.append(text)
    print("  ('ours' splits segments and fields and reads values on demand; 'ours, read' also reads every value the")
    print("  feed uses into an event, with the NHS number checked; python-hl7 builds its whole tree)")
    print(conditions(f"parse only, {len(generated)} generated ADT messages and {len(corpus)} corpus messages"))
    for label, texts in (("generated ADT", generated), ("corpus", corpus)):
        for name, parse in (
            ("ours", parser.parse_message),
            ("ours, read", mapping.read_message_text),
            ("python-hl7", hl7.parse),
        ):
            rounds, started = 0, time.perf_counter()
            while time.perf_counter() - started < args.seconds:
                for text in texts:
                    parse(text)
                rounds += 1
            rate = rounds * len(texts) / (time.perf_counter() - started)
            print(f"  {label:14} {name:11} {rate:>10,.0f} messages/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["parse", "throughput", "latency", "batch"])
    parser.add_argument("--messages", type=int, default=20_000, help="Messages to send (4 per person)")
    parser.add_argument("--connections", type=int, default=200, help="Connections for throughput")
    parser.add_argument("--connections-at-rate", type=int, default=50, help="Connections for the fixed rate")
    parser.add_argument("--rate", type=float, default=500.0, help="Messages per second for latency")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1, help="Listener processes (adt-listen --processes)")
    parser.add_argument("--clients", type=int, default=20_000, help="Clients to seed an empty database with")
    parser.add_argument("--seconds", type=float, default=5.0, help="Seconds per parser measurement")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile", action="store_true", help="Record the listener with py-spy (folded stacks, bench/results/)"
    )
    args = parser.parse_args()
    if args.mode == "parse":
        parse_only(args)
    elif args.mode == "batch":
        batch_cost(args)
    else:
        network(args)


if __name__ == "__main__":
    main()
