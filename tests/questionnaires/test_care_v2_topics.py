"""care-v2.yaml: the missing topics of issue #13, one worked example per topic.

New questions (biomedical devices, critical suppliers, rebuilding from clean media, incident
declaration, exposure monitoring, email, mobility, identities) and RES-01, which now tells a GHT,
a private group and a GCS apart so that the pooling questions reach private groups too.
"""

from __future__ import annotations

import pytest
import yaml

from careapp.assessments.answers import ANSWERED, DONT_KNOW, NA, RawAnswer, interpret
from careapp.assessments.scoring import resolve, score
from careapp.roadmap.generate import SAME_GAP
from tests.assessments.scoring_support import at, care
from tests.questionnaires.test_care_v2 import CARE_V2, level, refs, v2
from tests.questionnaires.test_mapping import mapping

# question id -> (section, the sources it must cite)
NEW: dict[str, tuple[str, set[str]]] = {
    "GOV-21": ("GOV-CRI", {"CSP", "décret"}),          # incidents declared to CERT Santé
    "GOV-22": ("GOV-CRI", {"RGPD"}),                   # CNIL within 72 h
    "GOV-23": ("GOV-CRI", {"NIS2"}),                   # NIS2 status
    "RES-17": ("RES-PRE", {"ANSSI-hygiene", "NIS2"}),  # register of critical suppliers
    "RES-18": ("RES-PRE", {"ANSSI-hygiene", "NIS2"}),  # notification and continuity clauses
    "RES-19": ("RES-PRE", {"CSP", "ANS"}),             # HDS certification of hosts
    "OPS-34": ("OPS-SI", {"ANS", "ANSSI"}),            # CERT Santé surveillance, SILENE
    "OPS-35": ("OPS-BIO", {"ANSSI-hygiene"}),          # biomedical inventory and owner
    "OPS-36": ("OPS-BIO", {"ANSSI-hygiene"}),          # manufacturers' patches
    "OPS-37": ("OPS-BIO", {"ANSSI-hygiene"}),          # security requirements in purchasing
    "OPS-38": ("OPS-BIO", {"ANSSI-hygiene"}),          # biomedical-IT coordination
    "OPS-39": ("OPS-ACC", {"ANSSI-hygiene"}),          # central identities, SSO
    "OPS-40": ("OPS-ACC", {"ANSSI-hygiene", "ANSSI"}),  # cloud identity MFA, conditional access
    "OPS-41": ("OPS-SAV", {"ANSSI"}),                  # rebuild AD from clean offline media
    "OPS-42": ("OPS-MSG", {"ANSSI-hygiene"}),          # mail filtering
    "OPS-43": ("OPS-MSG", {"ANSSI-hygiene"}),          # SPF, DKIM, DMARC enforced
    "OPS-44": ("OPS-MSG", {"ANS"}),                    # MSSanté
    "OPS-45": ("OPS-MSG", {"ANSSI-hygiene"}),          # laptop encryption
    "OPS-46": ("OPS-MSG", {"ANSSI-hygiene"}),          # MDM
}
CONTEXT = {"GOV-21", "GOV-23"}
POOLING = ("RES-10", "RES-11")


def _since() -> dict[str, str]:
    data = yaml.safe_load(CARE_V2.read_text(encoding="utf-8"))
    return {q["id"]: q["since"] for axis in data["axes"] for section in axis["sections"]
            for q in section["questions"]}


# -- every new question: present, new in 2.0.0, bilingual, sourced, with an action ----------------

@pytest.mark.parametrize("question_id", sorted(NEW))
def test_each_new_question_is_complete(question_id: str) -> None:
    section, sources = NEW[question_id]
    question = v2().question(question_id)
    assert question.section_id == section
    assert _since()[question_id] == "2.0.0"
    assert not care().has_question(question_id)  # never a v1 id reused
    for field in (question.text, question.help, question.rationale,
                  question.evidence_hint, question.action["title"]):
        assert field.get("fr") and field.get("en"), question_id
    assert "Nouvelle en v2" in question.rationale["fr"]
    assert sources <= {source for source, _ref in refs(question)}, question_id
    assert {"below_level", "effort", "quick_win"} <= set(question.action)
    if question_id in CONTEXT:
        assert question.weight == 0 and question.action["below_level"] == 0
    else:
        assert 1 <= question.weight <= 3 and question.action["below_level"] == 2
        assert {o.level for o in question.options} == {0, 1, 2, 3}, question_id


def test_new_questions_are_listed_as_new_in_the_mapping_and_never_reuse_a_retired_id() -> None:
    assert set(NEW) <= set(mapping().new)
    # (OPS-29 to OPS-32 are also new ids, but fed by the split v1 questions)
    assert set(mapping().new) <= {qid for qid, since in _since().items() if since == "2.0.0"}
    retired = {"OPS-25", "OPS-28"}
    assert not retired & set(NEW)
    assert not set(NEW) & set(mapping().questions)  # no v1 question id


def test_new_questions_claim_no_funding_domain_and_stay_out_of_the_socle() -> None:
    """The socle rule selects the funding domains' objectives; exposure monitoring and the
    rebuild from clean media support D1 and D2 but are not objectives of their orders."""
    for question_id in NEW:
        question = v2().question(question_id)
        assert not question.domains and not question.socle, question_id
    notes = " ".join(r.get("note", "") for r in v2().question("OPS-34").references)
    assert "OPS-08" in notes  # the D1 exposure objective stays where it was


def test_the_header_lists_the_new_questions() -> None:
    header = CARE_V2.read_text(encoding="utf-8").split("\nid: care", 1)[0]
    for question_id in NEW:
        assert question_id in header, question_id


def test_the_roadmap_same_gap_pairs_name_existing_questions() -> None:
    ids = {q.id for q in v2().questions} | {q.id for q in care().questions}
    assert all(pair.question_id in ids for pair in SAME_GAP)
    assert not {pair.question_id for pair in SAME_GAP} & set(NEW)


# -- worked scoring examples ---------------------------------------------------------------------

@pytest.mark.parametrize(("option", "expected"), [
    ("none", 0), ("partial", 1), ("monitor", 1), ("enforced", 2), ("reject_monitored", 3)])
def test_ops43_dmarc_p_none_is_not_the_managed_level(option: str, expected: int) -> None:
    """DMARC "p=none" only monitors: spoofing the domain still works (RFC 7489)."""
    question = v2().question("OPS-43")
    assert level(question, option) == expected
    assert "p=none" in question.option("monitor").label["fr"]
    assert "p=quarantine" in question.option("enforced").label["fr"]


@pytest.mark.parametrize(("option", "expected"), [
    ("none", 0), ("antispam", 1), ("filtered", 2), ("sandbox", 3)])
def test_ops42_antispam_alone_is_partial(option: str, expected: int) -> None:
    assert level(v2().question("OPS-42"), option) == expected


def test_ops40_mfa_for_admins_only_is_partial_and_na_without_cloud_identity() -> None:
    question = v2().question("OPS-40")
    assert level(question, "partial") == 1 and level(question, "enforced") == 2
    assert "Entra ID" in question.text["fr"]
    assert interpret(question, RawAnswer(NA, None, "Pas de cloud")).state == NA


def test_gov22_the_cnil_72_hours_process_needs_a_written_process() -> None:
    """RGPD art. 33: 72 hours, and every breach documented (the register)."""
    question = v2().question("GOV-22")
    assert level(question, "informal") == 1 and level(question, "documented") == 2
    assert "72" in question.text["fr"]
    assert any("Article 33" in ref for source, ref in refs(question) if source == "RGPD")


def test_context_questions_do_not_move_the_scores() -> None:
    base = {q.id: at(q, 2) for q in v2().questions}
    without = {k: v for k, v in base.items() if k not in CONTEXT}
    with_others = {**base, "GOV-21": RawAnswer(ANSWERED, "7"),
                   "GOV-23": RawAnswer(ANSWERED, "essential")}
    scores = [score(v2(), answers).axes["GOV"].score for answers in (base, without, with_others)]
    assert scores[0] == scores[1] == scores[2]
    assert interpret(v2().question("GOV-21"), RawAnswer(ANSWERED, "-1")).error
    assert interpret(v2().question("GOV-23"), RawAnswer(DONT_KNOW)).error is None


def test_gov23_says_the_nis2_transposition_is_in_progress() -> None:
    question = v2().question("GOV-23")
    assert {o.id for o in question.options} == {"essential", "important", "not_concerned"}
    assert question.allow_dont_know
    nis2 = [r for r in question.references if r["source"] == "NIS2"][0]
    assert "Transposition française en cours" in nis2["note"]


def test_a_new_question_below_target_proposes_its_action() -> None:
    answers = {q.id: at(q, 2) for q in v2().questions}
    answers["OPS-41"] = RawAnswer(ANSWERED, "media_only")
    result = score(v2(), answers).questions["OPS-41"]
    assert result.level == 1 < v2().question("OPS-41").action["below_level"]


# -- RES-01: GHT, private group, GCS, none; the pooling questions follow ---------------------------

def test_res01_tells_the_groups_apart_and_stays_context() -> None:
    question = v2().question("RES-01")
    assert [o.id for o in question.options] == ["ght", "private_group", "gcs", "none"]
    assert {o.level for o in question.options} == {2} and question.weight == 0
    assert "groupe privé" in question.option("private_group").label["fr"]
    for pooling in POOLING:
        assert v2().question(pooling).depends_on == ("RES-01", ("ght", "private_group", "gcs"))
        assert "GHT ou du groupe" in v2().question(pooling).text["fr"]
        assert v2().question(pooling).rationale


@pytest.mark.parametrize(("answer", "shown"), [
    ("ght", True), ("private_group", True), ("gcs", True), ("none", False)])
def test_res01_a_private_group_sees_the_pooling_questions(answer: str, shown: bool) -> None:
    resolved = resolve(v2(), {"RES-01": RawAnswer(ANSWERED, answer),
                              "RES-10": RawAnswer(ANSWERED, ["rssi", "backups"]),
                              "RES-11": RawAnswer(ANSWERED, "formal")})
    for pooling in POOLING:
        assert resolved[pooling].visible is shown, pooling
    if shown:
        assert resolved["RES-10"].level == 1 and resolved["RES-11"].level == 2


def test_res01_v1_yes_carries_to_ght_and_no_is_asked_again() -> None:
    from careapp.questionnaires.mapping import carry_answers

    item = mapping().questions["RES-01"]
    assert item.kind == "transformed" and not item.comparable
    carried = carry_answers(mapping(), {"RES-01": RawAnswer(ANSWERED, "yes"),
                                        "RES-10": RawAnswer(ANSWERED, ["rssi", "backups"])}, v2())
    assert carried["RES-01"].answer.value == "ght"
    assert carried["RES-10"].answer.value == ["rssi", "backups"]
    # RES-10 and RES-11 stay kept and compared year over year: same answers for a GHT member
    assert mapping().questions["RES-10"].kind == mapping().questions["RES-11"].kind == "kept"
    assert "RES-01" not in carry_answers(mapping(), {"RES-01": RawAnswer(ANSWERED, "no")}, v2())
    assert care().question("RES-01").option("no")  # v1 "no" may be a private group in v2
