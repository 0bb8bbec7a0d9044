"""Ids beyond the database's integer range are unknown objects (404), never a 500."""

from __future__ import annotations

import re

from flask import current_app
from werkzeug.routing import IntegerConverter

from tests.world import login, make_world

HUGE = ("2147483648", "9" * 25)


def test_every_route_with_an_id_answers_404_to_a_huge_one(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    login(browser, world, "editor")
    own = world.own.id
    checked = 0
    for rule in current_app.url_map.iter_rules():
        ints = [arg for arg, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]  # noqa: SLF001
        if not ints or "GET" not in rule.methods:
            continue
        for huge in HUGE:
            path = rule.rule
            for arg in ints:  # the establishment stays valid, the other id is huge
                value = str(own) if arg == "establishment_id" and len(ints) > 1 else huge
                path = re.sub(rf"<int(\([^)]*\))?:{arg}>", value, path)
            response = browser.client.get(path)
            assert response.status_code == 404, f"{path}: {response.status_code}"
            checked += 1
    assert checked >= 20
