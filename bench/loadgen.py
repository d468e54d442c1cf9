"""Load generation with wrk on loopback: a Lua script per scenario, figures back as JSON.

wrk drives the requests (C, event loop, constant connections); a small Lua
script rotates the paths (client ids, NHS numbers, caseload pages) and, when
the run ends, prints one JSON line with the latency percentiles wrk measured.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = """
local entries = {
%(entries)s
}
local n = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

function init(args)
  n = offset or 0
end

function request()
  n = n + 1
  local entry = entries[(n %% #entries) + 1]
  return wrk.format("GET", entry[1], entry[2])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "bytes": %%d, "non_2xx_3xx": %%d, ' ..
    '"socket_errors": %%d, "p50_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, ' ..
    '"mean_ms": %%.2f, "max_ms": %%.2f}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000))
end
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    requests: list[tuple[str, dict[str, str]]]  # (path, headers), taken in turn
    audit_events_per_request: int  # what each successful request must add to the audit log


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    bytes: int
    failed: int  # non-2xx/3xx responses and socket errors
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(scenario: Scenario, directory: Path) -> Path:
    rows = []
    for path, headers in scenario.requests:
        pairs = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        rows.append(f"  {{{_lua_string(path)}, {{{pairs}}}}},")
    script = directory / f"{scenario.name}.lua"
    script.write_text(LUA % {"entries": "\n".join(rows)})
    return script


def run_wrk(scenario: Scenario, base_url: str, *, connections: int, seconds: int, directory: Path) -> Figures:
    """One bounded wrk run; the Lua `done` hook prints the figures as the last JSON line."""
    script = write_script(scenario, directory)
    threads = max(1, min(2, connections))
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script), base_url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = [row for row in done.stdout.splitlines() if row.startswith("{")][-1]
    raw = json.loads(line)
    return Figures(
        requests=raw["requests"], seconds=raw["duration_us"] / 1e6, bytes=raw["bytes"],
        failed=raw["non_2xx_3xx"] + raw["socket_errors"], p50_ms=raw["p50_ms"],
        p95_ms=raw["p95_ms"], p99_ms=raw["p99_ms"], mean_ms=raw["mean_ms"], max_ms=raw["max_ms"],
    )  # fmt: skip
