"""CPU time of one password hash: Django's Argon2 parameters next to JoinedUp's (OWASP's minimum).

    uv run python bench/password_hash.py [--hashes 20]

Prints the mean process CPU time and wall time a hash, for each hasher, and the conditions.
A sign-in verifies one hash, so this is what each sign-in costs the service (ADR 0033).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")

import django

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402

from joinedup.core.hashers import OwaspArgon2PasswordHasher  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hashes", type=int, default=20)
    args = parser.parse_args()
    print(f"{args.hashes} hashes each; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    for hasher in (Argon2PasswordHasher(), OwaspArgon2PasswordHasher()):
        hasher.encode("warm-up", hasher.salt())
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(args.hashes):
            hasher.encode(f"a password {n}", hasher.salt())
        cpu_ms = (time.process_time() - cpu) / args.hashes * 1000
        wall_ms = (time.perf_counter() - wall) / args.hashes * 1000
        params = f"m={hasher.memory_cost // 1024} MiB, t={hasher.time_cost}, p={hasher.parallelism}"
        print(f"{type(hasher).__name__:28} {params:22} CPU {cpu_ms:6.1f} ms  wall {wall_ms:6.1f} ms a hash")


if __name__ == "__main__":
    main()
