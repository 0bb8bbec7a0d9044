"""A live server and Debian's Chromium driven by Playwright.

Chromium missing is a failure, not a skip: .ci/run installs the `chromium` package.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from careapp import create_app
from tests.world import make_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@dataclass(frozen=True)
class LiveSite:
    url: str
    own_id: int
    campaign_id: int


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    database = tmp_path_factory.mktemp("live") / "live.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "ENV_NAME": "test",
                      "SECRET_KEY": "browser-test", "TESTING": True})
    with app.app_context():
        upgrade(directory=str(Path(__file__).parents[2] / "migrations"))
        world = make_world()
        site_ids = (world.own.id, world.campaign.id)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveSite(f"http://127.0.0.1:{server.server_port}", *site_ids)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's `chromium` package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):  # noqa: ANN001, ANN201
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# The live server sends static files from an open file; when the browser leaves a page mid-way
# (the beforeunload test does), werkzeug drops the connection and the file is closed by the
# garbage collector, which Python reports as an "unraisable" ResourceWarning. It is the test
# server's, not the application's: ignore exactly that one.
SERVER_FILE_WARNING = ("ignore:Exception ignored in. <_io.FileIO"
                       ":pytest.PytestUnraisableExceptionWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings(SERVER_FILE_WARNING))
