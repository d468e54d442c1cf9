"""Password hashing: argon2id at OWASP's recommended strength.

Django's own Argon2PasswordHasher asks 100 MiB and 8 lanes for every hash: on the 2 cores
a borough's service may have, 300 practitioners signing in at the start of a shift each cost
206 ms of CPU (bench/password_hash.py; 19.5 ms with these) and queued every page behind them.
OWASP's password storage guidance recommends argon2id with 19 MiB of memory, 2 iterations and 1 lane as its
minimum configuration; this hasher uses exactly that. Hashes made with other parameters still
verify, and are rehashed with these at the next sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
