"""Login throttling policy: growing delays after failed attempts (pure functions, no database).

The failures are counted in the audit log (careapp.auth.services reads them, so every worker
shares them); this module only says how long the next attempt must wait.

Per account: the first `free_per_account` failures cost nothing; after that, each new attempt
must wait, counted from the last failure, a delay that doubles with every further failure:
`first_delay`, ×2, ×4… up to `max_delay`. While that delay runs, every attempt on the account
is refused *before the password or code is checked*, so the refusal says nothing about the
password, and refused attempts are not failures (hammering does not make the delay longer).

Per address: the failures from one address (whatever the accounts) follow the same doubling
rule after `free_per_address` failures. An address in its delay is never refused as such: a
correct password from it is still accepted, so the people behind a shared address (a
hospital's NAT, a proxy) keep logging in. Instead, from an address in its delay an account
gets a single free failure instead of `free_per_account`: someone guessing passwords from
there must wait after the first wrong guess on each account, while nobody else is slowed.

A successful login (the second factor included) or an administrator's unlock starts the
account's count afresh; failures older than `window` are forgotten.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    free_per_account: int = 5
    free_per_address: int = 30
    first_delay: float = 5.0  # seconds, after the first failure past the free ones
    max_delay: float = 900.0  # 15 minutes
    window: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Failures:
    """Failed attempts counted for an account or an address, and when the last one happened."""

    count: int = 0
    last: dt.datetime | None = None


def delay(failures: int, *, free: int, first: float, cap: float) -> float:
    """Seconds the next attempt must wait after the last of `failures` failures."""
    if failures <= 0 or failures < free:
        return 0.0
    doublings = failures - free
    if doublings >= 64 or first * 2.0**doublings >= cap:
        return float(cap)
    return float(first * 2.0**doublings)


def remaining(failures: Failures, now: dt.datetime, *, free: int, first: float,
              cap: float) -> float:
    """Seconds left before the next attempt may be made (0: it may be made now)."""
    if failures.last is None:
        return 0.0
    wait = delay(failures.count, free=free, first=first, cap=cap)
    elapsed = (_aware(now) - _aware(failures.last)).total_seconds()
    return max(0.0, wait - elapsed)


def login_wait(account: Failures, address: Failures, now: dt.datetime, policy: Policy) -> float:
    """Seconds the account must wait before its next attempt from this address (0: now)."""
    address_slowed = remaining(address, now, free=policy.free_per_address,
                               first=policy.first_delay, cap=policy.max_delay) > 0
    free = 1 if address_slowed else policy.free_per_account
    return remaining(account, now, free=free, first=policy.first_delay, cap=policy.max_delay)


def may_try_now(account: Failures, address: Failures, now: dt.datetime, policy: Policy) -> bool:
    return login_wait(account, address, now, policy) == 0


def rounded_wait(seconds: float) -> tuple[int, str]:
    """The wait as it is told to people: whole seconds under a minute, else whole minutes,
    always rounded up (never 'try again in 0 minutes')."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return whole, "seconds"
    return math.ceil(whole / 60), "minutes"


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
