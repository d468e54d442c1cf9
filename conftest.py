"""Test-wide environment: set before Django reads its settings."""

import os

os.environ.setdefault("JOINEDUP_ENV", "test")
os.environ.setdefault("JOINEDUP_SECRET_KEY", "test-only-secret-key-for-the-joinedup-suite-0123456789abcdef")
os.environ.setdefault("JOINEDUP_FAST_HASHER", "1")
