"""Worlds for the report tests: a submitted assessment with peers, registers and a roadmap; a
draft full of hostile text."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from careapp.assessments import services
from careapp.assessments.services import AnswerInput
from careapp.db import db
from careapp.resilience import services as registers
from careapp.resilience.models import (
    ActivityKind,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    PlanStatus,
    Scenario,
    TestResult,
)
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import Priority
from tests import factories
from tests.world import World, answer_input, submitted_assessment

TODAY = dt.date.today()
COMMENT = "Revue annuelle faite avec la DSI"
RETEX_FINDING = "Annuaire de crise papier introuvable"
MANUAL_ACTION = "Imprimer l'annuaire de crise"
OWNER = "Mme Responsable SSI"

HOSTILE = {
    "img": '<img src="file:///etc/passwd">',
    "link": "<link rel=stylesheet href=http://attacker.invalid/x.css>",
    "emoji": "Sauvegarde 🔒💾🏥 testée",
    "rtl": "نسخة احتياطية — גיבוי",
    "control": "avant\x01\x07\x1bapr\u00e8s",
}
LONG_TEXT = ("Commentaire très long, répété pour tenir cent kilo-octets. " * 1700)[:100_000]


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with its line breaks and spacing folded (a cell wraps anywhere)."""
    return "".join(text.split())


def add_registers(world: World, establishment, hostile: bool = False) -> None:  # noqa: ANN001
    user = world.users["editor"]
    extra = HOSTILE if hostile else {}
    exercise = registers.save_exercise(establishment, None, {
        "status": ExerciseStatus.HELD, "held_on": TODAY - dt.timedelta(days=60),
        "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
        "scenario": Scenario.RANSOMWARE, "scenario_detail": "", "functions": ["direction", "it"],
        "duration_hours": 3.0, "objectives": "", "retex_on": TODAY - dt.timedelta(days=40),
        "retex_summary": "RETEX : " + " ".join(extra.values()) if hostile else "RETEX partagé",
    }, user, None)
    texts = [RETEX_FINDING, *extra.values()] + ([LONG_TEXT[:5000]] if hostile else [])
    for text in texts:
        registers.add_finding(establishment, exercise, text, user)
    registers.save_profile(establishment, {
        "pssi_reviewed_on": dt.date(2024, 3, 1), "continuity_lead": "M. Continuité",
        "crisis_cell_defined": True, "backup_policy": False,
    }, user, None)
    registers.save_activity(establishment, None, {
        "kind": ActivityKind.CARE_SERVICE, "name": "Urgences " + extra.get("rtl", ""),
        "most_critical": False, "bia_done": True, "rto_hours": 4.0, "rpo_hours": 1.5,
        "degraded_procedure": True, "pca_status": PlanStatus.FORMALISED,
        "pra_status": PlanStatus.IN_PROGRESS, "last_test_on": TODAY - dt.timedelta(days=90),
        "last_test_result": TestResult.PARTIAL}, user, None)
    registers.save_activity(establishment, None, {
        "kind": ActivityKind.IMAGING, "name": "Imagerie", "bia_done": False,
        "pca_status": PlanStatus.ABSENT, "pra_status": PlanStatus.ABSENT}, user, None)
    roadmap.create_manual(establishment, {
        "title": MANUAL_ACTION + (" " + " ".join(extra.values()) if hostile else ""),
        "priority": Priority.P1, "owner": OWNER, "due_on": TODAY + dt.timedelta(days=30),
        "comment": "", "axis_id": "GOV", "domain": None}, user)
    db.session.commit()


def submitted_with_peers(world: World):  # noqa: ANN201
    """`own` submitted (level 2, one "Je ne sais pas" and a comment) with registers and a
    roadmap; region 53 has 5 submitted establishments (shown), category CH only `own`
    (hidden: the others are CHU)."""
    editor = world.users["editor"]
    for level in (0, 1, 3, 3):
        peer = factories.establishment("53", category="CHU")
        editor.establishments.append(peer)
        submitted_assessment(world.campaign, peer, editor, level)
    assessment = services.start_assessment(world.campaign, world.own, editor)
    questionnaire = services.questionnaire_of_campaign(world.campaign)
    dont_know = next(q for s in questionnaire.sections for q in s.questions
                     if q.allow_dont_know and q.scored)
    for section in questionnaire.sections:
        inputs = {}
        for q in section.questions:
            given = answer_input(q, 2)
            if q.id == dont_know.id:
                given = AnswerInput("dont_know", None, "", COMMENT)
            inputs[q.id] = given
        services.save_section(assessment, section, inputs, editor)
    add_registers(world, world.own)
    services.submit(assessment, editor)
    db.session.commit()
    return assessment, dont_know.id


def hostile_draft(world: World):  # noqa: ANN201
    """A draft of `same_region` (renamed with hostile text) whose comments, RETEX findings and
    action titles are hostile too; the editor is made a member of it."""
    editor = world.users["editor"]
    est = world.same_region
    est.name = "CH " + HOSTILE["img"] + " " + HOSTILE["rtl"]
    editor.establishments.append(est)
    assessment = services.start_assessment(world.campaign, est, editor)
    questionnaire = services.questionnaire_of_campaign(world.campaign)
    first = questionnaire.sections[0]
    hostile = [LONG_TEXT, *HOSTILE.values()]  # the first question gets the 100 kB comment
    inputs = {q.id: AnswerInput("answered", answer_input(q, 1).value, "",
                                hostile[i % len(hostile)])
              for i, q in enumerate(first.questions)}
    services.save_section(assessment, first, inputs, editor)
    add_registers(world, est, hostile=True)
    db.session.commit()
    return assessment
