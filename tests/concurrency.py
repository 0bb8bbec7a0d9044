"""Two people saving the same thing at the same moment, in two real database sessions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from careapp.db import db


def race(app: Flask, read: Callable[[], Any], write: Callable[[str, Any], None]) -> dict[str, str]:
    """Run A and B in two threads, each with its own session: both `read()` first (a barrier
    holds them), then each calls `write(name, what_it_read)` and commits. Returns, per name,
    "saved" or the name of the exception that stopped it (after a rollback)."""
    both_read = threading.Barrier(2, timeout=20)
    outcomes: dict[str, str] = {}

    def run(name: str) -> None:
        with app.app_context():
            try:
                loaded = read()
                both_read.wait()
                write(name, loaded)
                db.session.commit()
                outcomes[name] = "saved"
            except Exception as exc:  # noqa: BLE001 - the test reports which one failed how
                db.session.rollback()
                outcomes[name] = type(exc).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
