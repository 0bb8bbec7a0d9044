"""Year over year across questionnaire versions (issue #13): only what the mapping says is
comparable, both sides scored by the current version's rules (careapp/rollups/crossversion.py),
in the `change` summary, the ARS table's « Évolution » and the national page. The pure part on
hand-made answers; the worked example on both databases: an establishment answered v1.0.0 in
2026 and v2.0.0 in 2027, raised one kept question (GOV-01) and answered the split question's
targets (OPS-25 → OPS-29/OPS-30, not comparable) at the top level."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from careapp.assessments import services
from careapp.assessments.answers import ANSWERED, RawAnswer
from careapp.assessments.models import Assessment, Campaign
from careapp.assessments.scoring import score
from careapp.assessments.services import AnswerInput
from careapp.db import db
from careapp.numbers import format_number
from careapp.organisations.models import Establishment
from careapp.questionnaires import registry
from careapp.questionnaires.mapping import VersionMapping, load_mappings
from careapp.questionnaires.model import Questionnaire
from careapp.questionnaires.registry import load_directory
from careapp.rollups import crossversion, dashboard, loaders, refresh
from careapp.rollups.models import NATIONAL
from tests import factories
from tests.rollups.test_change_column import _changes, _page
from tests.rollups.test_summaries import _from_scratch, _lines, _stored
from tests.world import World, answer_input, login, make_world, submitted_assessment

ROOT = Path(__file__).parents[2] / "questionnaires"


@cache
def _versions() -> tuple[Questionnaire, Questionnaire, VersionMapping]:
    loaded = {key: item.model for key, item in load_directory(ROOT).items()}
    mapping = load_mappings(ROOT, loaded)[("care", "1.0.0", "2.0.0")]
    return loaded[("care", "1.0.0")], loaded[("care", "2.0.0")], mapping


def _option(questionnaire: Questionnaire, question_id: str, level: int) -> RawAnswer:
    question = questionnaire.question(question_id)
    option = next(o for o in question.options if o.level == level)
    return RawAnswer(ANSWERED, option.id)


# -- pure ---------------------------------------------------------------------------------

def test_the_basis_is_the_kept_and_renamed_questions_the_new_version_asks() -> None:
    _v1, v2, mapping = _versions()
    basis = crossversion.common_basis(mapping, v2)
    assert basis.from_version == "1.0.0" and basis.to_version == "2.0.0"
    # RES-10 and RES-11 are kept but shown only under RES-01, transformed: out (see below)
    assert dict(basis.sources) == {new: old for old, new in mapping.comparable().items()
                                   if new not in ("RES-10", "RES-11")}
    # split (OPS-25, OPS-28), transformed (GOV-06, GOV-15, OPS-19, OPS-26, RES-01), new
    # (OPS-33): not compared
    for out in ("OPS-25", "OPS-28", "OPS-29", "OPS-30", "OPS-31", "OPS-32", "GOV-06",
                "GOV-15", "OPS-19", "OPS-26", "RES-01", "OPS-33", "RES-10", "RES-11"):
        assert out not in basis.sources, out
    assert "GOV-01" in basis.sources and "OPS-27" in basis.sources
    # 73 kept questions less RES-10 and RES-11: 71, of which GOV-14, RES-06 and SEN-16 are not
    # scored in v2
    assert mapping.counts()["kept"] == 73
    assert len(basis.sources) == 71 and basis.scored == 68


def test_a_follow_up_whose_parent_is_not_compared_is_left_out() -> None:
    """RES-10 and RES-11 depend on RES-01 (transformed): restricted to the basis, RES-01 is
    unanswered on both sides, so they would be hidden and unscored on both sides, never
    compared. Every question left in has its parent in too, and the count is the number of
    scored questions actually compared: all answered at level 3 (every follow-up open), each
    scored question of the basis is visible and scored with a level."""
    _v1, v2, mapping = _versions()
    basis = crossversion.common_basis(mapping, v2)
    for new in basis.sources:
        depends = v2.question(new).depends_on
        assert depends is None or depends[0] in basis.sources, new
    assert v2.question("RES-10").depends_on[0] == "RES-01"
    answers = {new: answer_input(v2.question(new), 3) for new in basis.sources}
    raw = {qid: RawAnswer(a.state, a.value) for qid, a in answers.items()}
    result = score(v2, crossversion.restrict(basis, raw), None)
    compared = [qid for qid, r in result.questions.items()
                if qid in basis.sources and v2.question(qid).scored and r.visible
                and r.level is not None]
    assert len(compared) == basis.scored == 68


def test_a_follow_up_left_out_takes_its_own_follow_ups_with_it() -> None:
    """Transitive: a chain A (not compared) → B → C leaves out B and C."""
    _v1, v2, mapping = _versions()
    parent = v2.question("RES-10")  # under RES-01; GOV-02 put under RES-10 for the test
    child = dataclasses.replace(v2.question("GOV-02"), depends_on=(parent.id, ("x",)))

    class Chained:
        def has_question(self, qid: str) -> bool:
            return v2.has_question(qid)

        def question(self, qid: str):  # noqa: ANN202
            return child if qid == "GOV-02" else v2.question(qid)

    basis = crossversion.common_basis(mapping, Chained())  # type: ignore[arg-type]
    assert "RES-10" not in basis.sources and "GOV-02" not in basis.sources
    assert basis.scored == 67


def test_the_fingerprint_follows_the_mapping() -> None:
    _v1, v2, mapping = _versions()
    assert crossversion.common_basis(mapping, v2).fingerprint \
        == crossversion.mapping_fingerprint(mapping)
    changed = _with_gov01_values(mapping, {"occasional": "board"})
    assert crossversion.mapping_fingerprint(changed) != crossversion.mapping_fingerprint(mapping)


def _with_gov01_values(mapping: VersionMapping, values: dict[str, str]) -> VersionMapping:
    """The mapping with GOV-01's answer translated by `values` (the other options as they
    are): one value translation changed."""
    v1, _v2, _mapping = _versions()
    question = mapping.questions["GOV-01"]
    translation = {o.id: o.id for o in v1.question("GOV-01").options} | values
    target = dataclasses.replace(question.targets[0], values=translation)
    questions = dict(mapping.questions)
    questions["GOV-01"] = dataclasses.replace(question, targets=(target,))
    return dataclasses.replace(mapping, questions=questions)


def test_a_split_question_counts_on_neither_side_and_both_use_the_new_rules() -> None:
    """GOV-01 (weight 3) from level 1 to 3, GOV-02 (weight 2) at level 1 both years; OPS-25
    answered « full » in v1 and its v2 targets at their top level: not compared. GOV, by
    hand: before 100 × (3×1 + 2×1) / (3 × (3+2)) = 33.33…, now 100 × (3×3 + 2×1) / 15 =
    73.33…; the other axes have nothing compared (no score), so the overall is GOV's."""
    v1, v2, mapping = _versions()
    basis = crossversion.common_basis(mapping, v2)
    previous = {"GOV-01": _option(v1, "GOV-01", 1), "GOV-02": _option(v1, "GOV-02", 1),
                "OPS-25": RawAnswer(ANSWERED, "full"), "GOV-06": _option(v1, "GOV-06", 3)}
    current = {"GOV-01": _option(v2, "GOV-01", 3), "GOV-02": _option(v2, "GOV-02", 1),
               "OPS-29": _option(v2, "OPS-29", 3), "OPS-30": _option(v2, "OPS-30", 3),
               "GOV-06": _option(v2, "GOV-06", 3)}
    assert set(crossversion.translate_previous(mapping, basis, previous)) == {"GOV-01",
                                                                               "GOV-02"}
    before, now = crossversion.compare(mapping, v2, basis, previous, current)
    assert before.axes["GOV"] == pytest.approx(100 * 5 / 15, abs=1e-12)
    assert now.axes["GOV"] == pytest.approx(100 * 11 / 15, abs=1e-12)
    assert before.axes["OPS"] is None and now.axes["OPS"] is None
    assert before.overall == before.axes["GOV"] and now.overall == now.axes["GOV"]
    assert now.overall - before.overall == pytest.approx(40.0, abs=1e-12)


def test_a_kept_answer_is_scored_by_the_new_version_on_both_sides() -> None:
    """OPS-16 (kept, percent) asks 100 % for its top level in v2: a v1 answer of 95 % is
    judged by v2's thresholds before and now alike, never by v1's."""
    v1, v2, mapping = _versions()
    basis = crossversion.common_basis(mapping, v2)
    answer = {"OPS-16": RawAnswer(ANSWERED, 95)}
    before, now = crossversion.compare(mapping, v2, basis, answer, answer)
    assert before == now
    from careapp.assessments.answers import interpret

    level_v2 = interpret(v2.question("OPS-16"), answer["OPS-16"]).level
    assert before.axes["OPS"] == pytest.approx(100 * level_v2 / 3)
    assert level_v2 != interpret(v1.question("OPS-16"), answer["OPS-16"]).level


# -- the per-process cache of like-for-like scores -------------------------------------------

def _fake_side(monkeypatch) -> tuple[list[list[int]], Any]:  # noqa: ANN001
    """refresh._side_scores on a small empty cache (3 entries), answers read by a fake loader
    that records which establishments it is asked for; an establishment's score is its id."""
    monkeypatch.setattr(refresh, "_SCORES", OrderedDict())
    monkeypatch.setattr(refresh, "_SCORES_MAX", 3)
    reads: list[list[int]] = []

    def submitted_answers(campaign_id, region, question_ids, ids=None):  # noqa: ANN001, ANN202
        reads.append(sorted(i - 100 for i in ids))
        return {i - 100: {"x": i - 100} for i in ids}

    monkeypatch.setattr(loaders, "submitted_answers", submitted_answers)

    def score_of(answers: dict[str, Any], on: dt.date | None) -> crossversion.CommonScores:
        return crossversion.CommonScores(float(answers["x"]), {"GOV": float(answers["x"])})

    def side(establishments: list[int]) -> dict[int, float | None]:
        submitted = {e: loaders.Submission(e + 100, 1, dt.datetime(2027, 1, 1), "53")
                     for e in establishments}
        got = refresh._side_scores(("current", "h"), 1, "53", ["x"], submitted, score_of)
        return {e: s.overall for e, s in got.items()}

    return reads, side


def test_a_full_cache_keeps_serving_right_scores(monkeypatch) -> None:  # noqa: ANN001
    """Hits and misses past the bound: a hit evicted by the new ones used to raise KeyError
    (moved to the end after the eviction); now hits are marked first, the oldest go out."""
    reads, side = _fake_side(monkeypatch)
    for establishments in ([1, 2], [1, 2, 3, 4], [2, 5], [1, 2, 3, 4, 5, 6], [6, 5, 1], [7],
                           [1, 7], [8, 9, 10, 11, 12]):
        assert side(establishments) == {e: float(e) for e in establishments}
        assert len(refresh._SCORES) <= 3
    # the three most recently used are kept and served without reading
    reads.clear()
    assert side([10, 11, 12]) == {10: 10.0, 11: 11.0, 12: 12.0} and reads == []
    assert side([12, 1]) == {12: 12.0, 1: 1.0} and reads == [[1]]
    # least recently used out first: 10 went (11, 12 and 1 were used after it)
    assert side([10]) == {10: 10.0} and reads == [[1], [10]]


def test_the_cache_is_shared_by_threads(monkeypatch) -> None:  # noqa: ANN001
    _reads, side = _fake_side(monkeypatch)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(200):
                establishments = [(offset + n + k) % 9 for k in range(4)]
                assert side(establishments) == {e: float(e) for e in establishments}
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(refresh._SCORES) <= 3


# -- on a database: the worked example ----------------------------------------------------

def _v2_assessment(campaign: Campaign, establishment: Establishment, world: World,
                   raised: dict[str, int], others: int = 3) -> Assessment:
    """Started on v2 (carries the v1 answers the mapping allows), every carried answer kept
    as it is but `raised` ({question: level}), every other question answered at `others`,
    then submitted."""
    editor = world.users["editor"]
    assessment = services.start_assessment(campaign, establishment, editor)
    carried = services.raw_answers(assessment)
    questionnaire = services.questionnaire_of_campaign(campaign)
    for section in questionnaire.sections:
        inputs = {}
        for question in section.questions:
            if question.id in raised:
                inputs[question.id] = answer_input(question, raised[question.id])
            elif question.id in carried:
                raw = carried[question.id]
                inputs[question.id] = AnswerInput(raw.state, raw.value, raw.justification, "")
            else:
                inputs[question.id] = answer_input(question, others)
        services.save_section(assessment, section, inputs, editor)
    services.submit(assessment, editor)
    db.session.commit()
    return assessment


# GOV's common questions answered with a level by the level-1 v1 answers, with their v2
# weights: GOV-01 3, 02 2, 03 3, 04 2, 05 1, 07 3, 08 3, 09 3, 10 2 (GOV-08 « partial »
# opens it), 11 3, 12 2, 13 3, 17 2, 18 2, 19 2, 20 1 = 37 (GOV-16 stays closed: GOV-13 at
# level 1 held no exercise; GOV-06 and GOV-15 are transformed, GOV-14 unscored). GOV-01 from
# level 1 to 3: +3 × 2 points over 3 × 37 → GOV +100 × 6 / 111 = +5.405…; every other common
# answer is the same answer both years (RES, SEN, OPS: 0, OPS-29/OPS-30 left out); the
# overall is the mean of the four axes: +100 × 6 / 111 / 4 = +1.351….
GOV_CHANGE = 100 * 6 / 111
OVERALL_CHANGE = GOV_CHANGE / 4


def _worked_example() -> tuple[World, Campaign, Campaign]:
    world = make_world()  # its 2026 national campaign pins v1.0.0
    editor = world.users["editor"]
    editor.establishments.append(world.same_region)
    previous = world.campaign
    submitted_assessment(previous, world.own, editor, level=1)
    submitted_assessment(previous, world.same_region, editor, level=1)
    current = factories.campaign(2027, name="Campagne 2027", version="2.0.0")
    db.session.commit()
    _v2_assessment(current, world.own, world, {"GOV-01": 3})
    _v2_assessment(current, world.same_region, world, {})
    return world, previous, current


def test_the_worked_example_change_by_hand(app) -> None:  # noqa: ANN001
    world, previous, current = _worked_example()
    stored = refresh.summaries(current, "53", ("change",))["change"]
    assert stored["previous_id"] == previous.id and not stored["same_questionnaire"]
    assert stored["basis"] == "common" and stored["common_questions"] == 68
    assert (stored["from_version"], stored["to_version"]) == ("1.0.0", "2.0.0")
    assert stored["n"] == 2
    deltas = {int(k): v for k, v in stored["deltas"].items()}
    assert deltas[world.own.id] == pytest.approx(OVERALL_CHANGE, abs=1e-9)
    assert deltas[world.same_region.id] == pytest.approx(0.0, abs=1e-9)
    # two establishments: the medians are means
    assert stored["overall"]["median_delta"] == pytest.approx(OVERALL_CHANGE / 2, abs=1e-9)
    assert stored["overall"]["median_change"] == pytest.approx(OVERALL_CHANGE / 2, abs=1e-9)
    assert stored["axes"]["GOV"]["median_change"] == pytest.approx(GOV_CHANGE / 2, abs=1e-9)
    for axis in ("RES", "SEN", "OPS"):
        assert stored["axes"][axis]["median_change"] == pytest.approx(0.0, abs=1e-9), axis
    # The snapshots would say otherwise: OPS-29/OPS-30 (and the other new or transformed
    # questions) answered at level 3 lift Brest's v2 score though nothing comparable moved.
    lines = {int(e): o for e, o in zip(*(loaders.establishment_rollups_frame(
        current.id, "53")[c] for c in ("establishment_id", "overall")), strict=True)}
    old = {int(e): o for e, o in zip(*(loaders.establishment_rollups_frame(
        previous.id, "53")[c] for c in ("establishment_id", "overall")), strict=True)}
    assert lines[world.same_region.id] - old[world.same_region.id] > 1
    national = refresh.summaries(current, NATIONAL, ("change",))["change"]
    assert national["n"] == 2 and "deltas" not in national
    assert national["overall"] == stored["overall"]


def test_an_edited_mapping_does_not_reuse_the_scores_of_the_old_one(app, monkeypatch
                                                                     ) -> None:  # noqa: ANN001
    """The same assessments compared through two mappings that differ in one value translation
    (GOV-01 « occasional » read as « board » in v2): own's previous GOV-01 is then at level 3
    as now, its change 0, and Brest's (level 1 now) falls by as much as own's rose; the scores
    kept for the first mapping are not served for the second (the mapping's fingerprint is
    part of the cache key)."""
    world, _previous, current = _worked_example()

    def deltas() -> dict[int, float]:
        change = refresh.compute(current, "53", ("change",))["change"]
        return {int(k): v for k, v in change["deltas"].items()}

    assert deltas()[world.own.id] == pytest.approx(OVERALL_CHANGE, abs=1e-9)
    edited = _with_gov01_values(registry.mapping_between("care", "1.0.0", "2.0.0"),
                                {"occasional": "board"})
    monkeypatch.setattr(registry, "mapping_between", lambda key, old, new: edited)
    assert deltas() == pytest.approx({world.own.id: 0.0, world.same_region.id: -OVERALL_CHANGE},
                                     abs=1e-9)
    monkeypatch.undo()
    assert deltas()[world.own.id] == pytest.approx(OVERALL_CHANGE, abs=1e-9)


def test_incremental_refresh_equals_a_rebuild_across_versions(app) -> None:  # noqa: ANN001
    world, _previous, current = _worked_example()
    editor, ars = world.users["editor"], world.users["ars"]
    before = _stored()[(current.id, "53", "change")]["deltas"][str(world.own.id)]
    assert before == pytest.approx(OVERALL_CHANGE, abs=1e-9)
    # own's v2 submission reopened, GOV-01 put back at level 1, resubmitted: its like-for-like
    # change is now 0 (the scores kept per submission follow its new revision)
    own = services.find_assessment(current, world.own)
    services.reopen(own, ars, reason="Réponses à revoir")
    db.session.commit()
    v2 = services.questionnaire_of_campaign(current)
    gov_01 = v2.question("GOV-01")
    services.save_section(own, v2.section(gov_01.section_id),
                          {"GOV-01": answer_input(gov_01, 1)}, editor)
    services.submit(own, editor)
    db.session.commit()
    # and one in another region: OPS-01 (kept) lowered to level 0
    editor.establishments.append(world.other_region)
    submitted_assessment(world.campaign, world.other_region, editor, level=2)
    _v2_assessment(current, world.other_region, world, {"OPS-01": 0})
    incremental, lines = _stored(), _lines()
    assert incremental[(current.id, "53", "change")]["deltas"][str(world.own.id)] \
        == pytest.approx(0.0, abs=1e-9)
    change = incremental[(current.id, NATIONAL, "change")]
    assert change["basis"] == "common" and change["n"] == 3
    assert incremental[(current.id, "11", "change")]["n"] == 1
    assert incremental[(current.id, "11", "change")]["overall"]["median_change"] < 0
    refresh._SCORES.clear()  # from scratch means rescored, not read back from the process
    assert incremental == _from_scratch()
    assert lines == _lines()


def test_the_evolution_column_and_the_national_page_say_the_basis(app, browser) -> None:  # noqa: ANN001
    world, _previous, current = _worked_example()
    sentence = "comparé sur 68 questions communes (versions 1.0.0 → 2.0.0)"
    login(browser, world, "ars")
    html = _page(browser, f"/region/?code=53&campagne={current.id}")
    shown = _changes(html)
    assert shown[world.own.id] == format_number(OVERALL_CHANGE, 1, locale="fr", signed=True)
    assert shown[world.own.id].startswith("+1,4")
    assert shown[world.same_region.id] == format_number(0.0, 1, locale="fr", signed=True)
    assert sentence in html and "autre version" not in html
    frame = loaders.page_lines(current, "53")
    _changed, comparison = dashboard.with_change(frame, current, "53")
    assert comparison.comparable and comparison.like_for_like
    assert comparison.common_questions == 68

    login(browser, world, "national")
    page = browser.client.get(f"/region/?campagne={current.id}").get_data(as_text=True)
    assert sentence in page


def test_without_a_mapping_there_is_no_figure_and_the_page_says_why(app, browser) -> None:  # noqa: ANN001
    """A v2 campaign followed by a v1 one: no mapping from 2.0.0 to 1.0.0, no comparison."""
    world = make_world()
    editor = world.users["editor"]
    earlier = factories.campaign(2025, name="Campagne 2025", version="2.0.0")
    db.session.commit()
    _v2_assessment(earlier, world.own, world, {}, others=1)
    submitted_assessment(world.campaign, world.own, editor, level=2)
    stored = refresh.summaries(world.campaign, "53", ("change",))["change"]
    assert stored["n"] == 0 and stored["overall"] is None and "basis" not in stored
    login(browser, world, "ars")
    html = _page(browser, f"/region/?code=53&campagne={world.campaign.id}")
    assert set(_changes(html).values()) == {"—"}
    assert "sans correspondance vers celle-ci" in html
