"""Fixtures: every database test runs on SQLite and on a real PostgreSQL started here.

The schema is built by the Alembic migrations (never create_all), once per backend and
worker; each SQLite test gets a copy of the migrated file, and after each PostgreSQL test the
tables are truncated (the migration's reference regions stay).
"""

from __future__ import annotations

import contextvars
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text

from careapp import create_app
from careapp.auth.models import User
from careapp.extensions import db
from tests.fast_hashing import use_fast_hasher
from tests.pg import PostgresServer, start_server

BACKENDS = ("sqlite", "postgresql")
KEPT_TABLES = {"regions", "alembic_version"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=(*BACKENDS, "both"), default="both",
                     help="database backend(s) for database tests (default: both)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db")
        metafunc.parametrize("backend", BACKENDS if chosen == "both" else (chosen,),
                             scope="session")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the recommended ones cost ~0.2 s a hash and dominate tests that
    create accounts. The parameters travel inside each hash; only the cost changes.
    tests/auth/test_passwords.py checks the real parameters (marked `real_hashing`)."""
    if "real_hashing" not in request.keywords:
        use_fast_hasher(monkeypatch)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = start_server()  # raises (and fails the tests) when PostgreSQL cannot start
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(backend: str, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / f'careapp-{worker}.sqlite'}"
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = server.create_database(f"careapp_test_{worker}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ENV_NAME": "test",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    with app.app_context():
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        _REFERENCE_REGIONS[url] = _regions()
        db.engine.dispose()
    return url


# The migration's regions as each test database starts; PostgreSQL keeps them between tests.
_REFERENCE_REGIONS: dict[str, list[tuple[str, str]]] = {}


def _regions() -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        return sorted((code, name) for code, name in conn.execute(
            text("SELECT code, name FROM regions")))


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    url = database_url
    if url.startswith("sqlite:///"):
        # A fresh copy of the migrated file per test: nothing to clean, and the audit log's
        # append-only triggers stay in force.
        copy = tmp_path / "test.sqlite"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "ENV_NAME": "test",
        "SECRET_KEY": "test-secret",
        "TESTING": True,
    })
    app.instance_path = str(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _empty_tables()  # TRUNCATE: row triggers (append-only audit log) do not fire
            if _regions() != _REFERENCE_REGIONS[url]:
                with db.engine.begin() as conn:  # put them back: the next tests are not at fault
                    for code, name in _REFERENCE_REGIONS[url]:
                        conn.execute(text("UPDATE regions SET name = :name WHERE code = :code"),
                                     {"name": name, "code": code})
                db.engine.dispose()
                pytest.fail("this test changed the reference regions, which PostgreSQL keeps "
                            "between tests: restore them (try/finally)")
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    names = ", ".join(f'"{t.name}"' for t in tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as in production: its own app context, `g`,
    login state and database session, never the ones the test body holds."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not inside a redirect followed by the outer call
            db.session.expire_all()  # the test body then reads what the request committed
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Browser:
    """Test-client helpers that behave like a person: read the form, then post it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self, page: str = "/connexion") -> str:
        response = self.client.get(page)
        if response.status_code in (301, 302):
            response = self.client.get("/etablissements/")
        return csrf_from(response.get_data(as_text=True))

    def login(self, email: str, password: str = "CaRE-demo-2026-essai"):  # noqa: ANN201
        self.client.post("/deconnexion", data={"csrf_token": self.token()})
        response = self.client.post("/connexion", data={
            "csrf_token": self.token("/connexion"), "email": email, "password": password})
        if response.status_code == 302 and response.headers["Location"].endswith("/connexion/code"):
            response = self.second_factor(email)
        return response

    def second_factor(self, email: str):  # noqa: ANN201
        """Type the current TOTP code, as the person's phone would show it."""
        user = db.session.scalar(select(User).filter_by(email=email.lower()))
        # Tests log the same account in several times within one 30 s step: forget the last
        # step used (the replay rule itself is tested in tests/auth/test_mfa.py).
        user.totp_last_step = None
        db.session.commit()
        page = self.client.get("/connexion/code").get_data(as_text=True)
        return self.client.post("/connexion/code", data={
            "csrf_token": csrf_from(page), "code": pyotp.TOTP(user.totp_secret).now()})

    def post(self, url: str, data: dict | None = None, page: str | None = None, **kw):  # noqa: ANN201, ANN003
        payload = {"csrf_token": self.token(page or "/etablissements/"), **(data or {})}
        return self.client.post(url, data=payload, **kw)


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


# -- the shared world of the register and roadmap tests -----------------------------------------

@pytest.fixture
def world(app: Flask):  # noqa: ANN201 - tests.world imports this module: imported here
    from tests.world import make_world

    return make_world()


@pytest.fixture
def editor(world, browser: Browser) -> Browser:  # noqa: ANN001
    """The browser, logged in as the RSSI of world.own."""
    from tests.world import login

    login(browser, world, "editor")
    return browser
