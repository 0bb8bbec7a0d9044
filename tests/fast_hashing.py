"""Cheap argon2 parameters for tests that create or log in many accounts.

The library's recommended parameters cost ~0.2 s per hash, which dominates a test that builds
seven accounts; the parameters travel inside each hash, so verification follows suit. Only the
cost changes: hashing, verification and the password policy are the application's own code.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from careapp.auth import passwords


def use_fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
