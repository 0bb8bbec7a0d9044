"""The documented production server: `CAREAPP_ENV=production gunicorn wsgi:app` (README).

A real gunicorn process on a free loopback port, started as production starts it, answers a
real HTTP request; without its secret key the application refuses to boot."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BOOT_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREAPP_")}
    env.update({
        "CAREAPP_ENV": "production",
        "CAREAPP_SECRET_KEY": secrets.token_hex(32),  # 64 hex characters
        "CAREAPP_TOTP_KEYS": Fernet.generate_key().decode(),
        "CAREAPP_DATABASE_URL": database_url,
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v}  # an empty override removes the variable


def gunicorn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    port, log = free_port(), tmp_path / "gunicorn.log"
    process = gunicorn(port, production_env(database_url), log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"gunicorn not ready:\n{log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_serves_the_app_in_production_mode(server: str) -> None:
    with urllib.request.urlopen(f"{server}/sante", timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 200
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert b'"ok"' in response.read()
    # The login page (its form's CSRF token starts a session): the cookie is Secure.
    with urllib.request.urlopen(f"{server}/connexion", timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 200
        cookie = response.headers["Set-Cookie"]
        assert "; Secure" in cookie and "; HttpOnly" in cookie, cookie


def test_gunicorn_refuses_to_boot_without_the_secret_key(database_url: str,
                                                         tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    process = gunicorn(free_port(), production_env(database_url, CAREAPP_SECRET_KEY=""), log)
    try:
        code = process.wait(timeout=BOOT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code != 0
    assert "CAREAPP_SECRET_KEY est obligatoire en production" in log.read_text()
