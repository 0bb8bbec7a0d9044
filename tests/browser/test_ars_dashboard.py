"""The ARS dashboard in a real browser: log in, filter, sort, open a drill-down, download the
filtered table and read it. No JavaScript needed: every step is a link or a GET form."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from tests.browser.test_browser_journey import login
from tests.browser.test_registers_walk import shoot


def test_ars_filters_sorts_drills_down_and_downloads(page, live_site) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_site, "ars53@test.fr")
    page.goto(f"{live_site.url}/region/")
    expect(page.get_by_role("heading", name="Synthèse régionale")).to_be_visible()
    table = page.locator("#table-etablissements")
    expect(table.locator("tbody tr")).to_have_count(2)  # region 53's two establishments
    expect(page.locator("#graphique-axes svg title")).to_have_count(1)
    shoot(page, "ars-1-tableau-de-bord")

    # Filter by GHT: only the establishment of the GHT stays.
    page.get_by_label("GHT").select_option("GHT-TEST")
    page.get_by_role("button", name="Afficher").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("CH de Rennes test")
    expect(page.locator("#table-etablissements")).not_to_contain_text("CH de Brest test")

    # Sort by name, descending, without the filter: Rennes before Brest.
    page.get_by_role("link", name="Effacer les filtres").click()
    header = table.get_by_role("columnheader", name="Établissement")
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("link").click()
    expect(table.get_by_role("columnheader", name="Établissement")).to_have_attribute(
        "aria-sort", "descending")
    names = table.locator("tbody tr td:first-child").all_inner_texts()
    assert names == ["CH de Rennes test", "CH de Brest test"]

    # Download the table as shown and read it back.
    with page.expect_download() as info:
        page.locator("#etablissements").get_by_role("link", name="CSV").first.click()
    data = open(info.value.path(), "rb").read()  # noqa: PTH123, SIM115
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Établissement" and "RETEX manquants" in rows[0]
    assert [r[0] for r in rows[1:]] == ["CH de Rennes test", "CH de Brest test"]

    # Drill down to the establishment.
    table.get_by_role("link", name="CH de Brest test").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CH de Brest test")
    assert errors == []
