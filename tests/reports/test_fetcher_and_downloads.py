"""The report's URL fetcher (vendored assets only) and the PDF downloads (rules of their pages,
file name, headers, the roadmap page's filters)."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from careapp.reports.fetcher import SCHEME, RefusedURL, ReportFetcher
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import Priority
from tests.reports.data import MANUAL_ACTION, add_registers, flat, pages_text
from tests.world import login, submitted_assessment


def _png(width: int = 2, height: int = 2) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SMALL_PNG = "data:image/png;base64," + base64.b64encode(_png()).decode()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://attacker.invalid/x.css", "https://attacker.invalid/f.ttf",
    "ftp://attacker.invalid/x", "data:text/html,<script>1</script>",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>",
    "data:image/png;base64," + "A" * 200_000, SCHEME + "../../config.py",
    SCHEME + "fonts/../../config.py", SCHEME + "missing.css", SCHEME + "/etc/passwd",
    "report.css",
])
def test_the_fetcher_refuses_and_records(url: str) -> None:
    fetcher = ReportFetcher()
    with pytest.raises(RefusedURL):
        fetcher(url)
    assert fetcher.requested == [url] and fetcher.refused == [url]


def test_the_fetcher_serves_the_vendored_assets_and_small_images() -> None:
    fetcher = ReportFetcher()
    assert fetcher(SCHEME + "report.css").read().startswith(b"/*")
    assert fetcher(SCHEME + "fonts/DejaVuSans.ttf").content_type == "font/ttf"
    assert fetcher(SMALL_PNG).read() == _png()
    assert not fetcher.refused


def test_weasyprint_goes_through_the_fetcher_only() -> None:
    """Unescaped hostile markup (what autoescaping prevents) still loads nothing."""
    fetcher = ReportFetcher()
    html = ('<link rel=stylesheet href="http://attacker.invalid/x.css">'
            '<img src="file:///etc/passwd"><img src="https://attacker.invalid/p.png">'
            f'<img src="{SMALL_PNG}"><p style="background: url(file:///etc/shadow)">x</p>')
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert set(fetcher.refused) == {"http://attacker.invalid/x.css", "file:///etc/passwd",
                                    "https://attacker.invalid/p.png", "file:///etc/shadow"}
    assert set(fetcher.requested) == {*fetcher.refused, SMALL_PNG}


def test_downloads_follow_the_pages_rules_and_filters(world, browser, tmp_path) -> None:  # noqa: ANN001
    editor = world.users["editor"]
    assessment = submitted_assessment(world.campaign, world.own, editor, level=1)
    add_registers(world, world.own)
    p3 = roadmap.create_manual(world.own, {
        "title": "Action de priorité trois", "priority": Priority.P3, "owner": "",
        "due_on": None, "comment": "", "axis_id": None, "domain": None}, editor)
    assert p3.id
    from careapp.db import db

    db.session.commit()
    login(browser, world, "reader")  # the direction: a reader of the establishment

    results = browser.client.get(f"/evaluations/{assessment.id}/resultats")
    assert f'href="/evaluations/{assessment.id}/rapport.pdf"' in results.get_data(as_text=True)
    response = browser.client.get(f"/evaluations/{assessment.id}/rapport.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rapport-care-{world.own.finess_et}-{world.campaign.id}.pdf"')
    assert response.headers["Cache-Control"] == "no-store"
    pages = pages_text(response.data)
    assert "Feuille de route" in "".join(pages)  # a member's report holds the roadmap

    page = browser.client.get(f"/etablissements/{world.own.id}/feuille-de-route?priorite=P1")
    link = f"/etablissements/{world.own.id}/feuille-de-route.pdf?priorite=P1"
    assert f'href="{link}"' in page.get_data(as_text=True)
    response = browser.client.get(link)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="feuille-de-route-care-{world.own.finess_et}.pdf"')
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == f"Feuille de route CaRE — {world.own.name}"
    text = flat("".join(p.extract_text() for p in reader.pages))
    assert flat(MANUAL_ACTION) in text and flat("Priorité : P1 — prioritaire") in text
    assert "Actiondeprioritétrois" not in text  # filtered out, as on the page

    # other establishments: not found, as their pages
    assert browser.client.get(f"/etablissements/{world.same_region.id}/feuille-de-route.pdf"
                              ).status_code == 404

    # the command line: the same report, to a file
    out = tmp_path / "rapport.pdf"
    runner = browser.client.application.test_cli_runner()
    result = runner.invoke(args=["report", "establishment", world.own.finess_et, "--campaign",
                                 str(world.campaign.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert reader.metadata.title == f"Rapport CaRE 2026 — {world.own.name}"
    unknown = runner.invoke(args=["report", "establishment", "000000000", "--campaign",
                                  str(world.campaign.id), "-o", str(out)])
    assert unknown.exit_code == 1 and "Établissement inconnu" in unknown.output
