"""`flask report batch`: real worker processes (spawned, each with its own application and
database session) render every establishment of the region; one report fails honestly (its
output path is taken by a folder) and the batch goes on, lists it and exits non-zero."""

from __future__ import annotations

from pathlib import Path

from careapp.assessments import services
from careapp.db import db
from careapp.reports.views import report_filename
from tests import factories
from tests.reports.data import flat, pages_text
from tests.world import submitted_assessment


def test_batch_renders_the_region_in_worker_processes(world, app, tmp_path: Path) -> None:  # noqa: ANN001
    editor = world.users["editor"]
    submitted_assessment(world.campaign, world.own, editor, level=2)
    services.start_assessment(world.campaign, world.same_region, editor)  # a draft
    broken = factories.establishment("53", name="CH en échec test")
    submitted_assessment(world.campaign, broken, editor, level=1)
    factories.establishment("53", name="CH sans évaluation test")
    submitted_assessment(world.campaign, world.other_region, editor, level=3)  # region 11
    db.session.commit()
    campaign_id = world.campaign.id
    # what the test compares, read before the command (it ends the session)
    expected = {world.own.finess_et: (world.own.name, "Soumise"),
                world.same_region.finess_et: (world.same_region.name, "Brouillon")}
    broken_finess, other_finess = broken.finess_et, world.other_region.finess_et
    out = tmp_path / "rapports"
    out.mkdir()
    (out / report_filename(broken_finess, campaign_id)).mkdir()  # cannot be written

    result = app.test_cli_runner().invoke(args=[
        "report", "batch", "--region", "53", "--campaign", str(campaign_id),
        "-o", str(out), "--jobs", "2"])

    assert result.exit_code == 1, result.output
    assert "2 rapport(s) écrit(s)" in result.output and "1 en échec" in result.output
    assert f"{broken_finess} CH en échec test : IsADirectoryError" in result.output
    written = sorted(p.name for p in out.glob("*.pdf") if p.is_file())
    assert written == sorted(report_filename(finess, campaign_id) for finess in expected)
    for finess, (name, state) in expected.items():
        pages = pages_text((out / report_filename(finess, campaign_id)).read_bytes())
        assert len(pages) >= 5
        assert flat(name) in flat(pages[0]) and finess in pages[0]
        assert state in pages[0]
    assert not list(out.glob(f"*{other_finess}*"))


def test_batch_of_a_region_without_assessments(world, app, tmp_path: Path) -> None:  # noqa: ANN001
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "batch", "--region", "53", "--campaign",
                                 str(world.campaign.id), "-o", str(tmp_path / "vide")])
    assert result.exit_code == 0 and "Aucune évaluation" in result.output
    result = runner.invoke(args=["report", "batch", "--region", "99", "--campaign",
                                 str(world.campaign.id), "-o", str(tmp_path / "x")])
    assert result.exit_code == 1 and "Région inconnue" in result.output
