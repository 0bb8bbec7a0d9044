"""Year over year across questionnaire versions (issue #13), pure: no database, no request.

Two campaigns on different versions cannot compare their frozen snapshots: the questions, the
weights and the rules differ, so a difference of overall scores would mostly measure the new
questionnaire. When a mapping exists from the previous version to the current one, the
comparison is made like for like instead: only the questions whose answer kept its meaning
(VersionMapping.comparable: kept and renamed), the previous answers translated to the current
ids (Target.translate, as the carry-over does), and BOTH sides scored by the current version's
rules (scoring.score) on that same question set. The other questions are left unanswered, which
scoring leaves out of the scores (a score is points over the weight of the questions answered
with a level), so they count on neither side.

Each side is scored on the day it was submitted (`previous_on`, `current_on`): a date answer
is judged against the day it was given, as in its snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from careapp.assessments.answers import RawAnswer
from careapp.assessments.scoring import score
from careapp.questionnaires.mapping import VersionMapping
from careapp.questionnaires.model import Questionnaire


@dataclass(frozen=True)
class CommonBasis:
    """The questions compared between two versions: current id -> previous id."""

    from_version: str
    to_version: str
    sources: Mapping[str, str]
    scored: int  # of them, those the current version scores (the "N common questions")
    fingerprint: str = ""  # of the mapping's part the comparison uses (mapping_fingerprint)

    @property
    def questions(self) -> frozenset[str]:
        return frozenset(self.sources)


@dataclass(frozen=True)
class CommonScores:
    """Scores on the common questions only (exact, like the snapshot's): overall and per axis
    (None where nothing of the axis was answered with a level)."""

    overall: float | None
    axes: Mapping[str, float | None]


def common_basis(mapping: VersionMapping, current: Questionnaire) -> CommonBasis:
    """The comparable questions of `mapping` that the current version asks. Unscored ones stay
    in (they may open a follow-up, which must open alike on both sides) but are not counted.

    A question shown only under another one (`depends_on`) stays in only if that parent is in
    the basis too (transitively): otherwise its parent is unanswered on both sides once
    restricted, so it would be hidden and unscored on both sides, never compared, yet counted
    (RES-10 and RES-11 under RES-01, transformed in v2)."""
    sources = {new: old for old, new in mapping.comparable().items()
               if current.has_question(new)}
    changed = True
    while changed:  # drop the children of a dropped parent, then theirs
        changed = False
        for new in list(sources):
            depends = current.question(new).depends_on
            if depends is not None and depends[0] not in sources:
                del sources[new]
                changed = True
    scored = sum(1 for new in sources if current.question(new).scored)
    return CommonBasis(mapping.from_version, mapping.to_version, sources, scored,
                       mapping_fingerprint(mapping))


def mapping_fingerprint(mapping: VersionMapping) -> str:
    """A hash of what the comparison reads from the mapping: its versions and, for each
    comparable question, its target and how an old answer translates (values, states). Editing
    the mapping file (a question no longer kept, another value translation) changes it, so
    scores kept under the previous fingerprint are not reused (refresh._SCORES)."""
    items = []
    for old, question in sorted(mapping.questions.items()):
        if not question.comparable:
            continue
        target = question.targets[0]
        items.append([old, target.question_id,
                      None if target.values is None else sorted(target.values.items()),
                      sorted(target.states)])
    text = json.dumps([mapping.key, mapping.from_version, mapping.to_version, items],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def translate_previous(mapping: VersionMapping, basis: CommonBasis,
                       answers: Mapping[str, RawAnswer]) -> dict[str, RawAnswer]:
    """The previous answers of the common questions, under the current ids and values (an
    answer the mapping cannot translate is left out: unanswered, it counts on neither side
    only for this establishment's previous score, as a missing answer would)."""
    out: dict[str, RawAnswer] = {}
    for new, old in basis.sources.items():
        raw = answers.get(old)
        if raw is None:
            continue
        target = next(t for t in mapping.questions[old].targets if t.question_id == new)
        translated = target.translate(raw)
        if translated is not None:
            out[new] = translated
    return out


def restrict(basis: CommonBasis, answers: Mapping[str, RawAnswer]) -> dict[str, RawAnswer]:
    """The current answers of the common questions only."""
    return {qid: raw for qid, raw in answers.items() if qid in basis.sources}


def common_scores(current: Questionnaire, basis: CommonBasis,
                  answers: Mapping[str, RawAnswer], on: dt.date | None) -> CommonScores:
    """The current version's scores of `answers` (current ids) restricted to the basis."""
    result = score(current, restrict(basis, answers), on)
    return CommonScores(result.overall, {axis: r.score for axis, r in result.axes.items()})


def compare(mapping: VersionMapping, current: Questionnaire, basis: CommonBasis,
            previous_answers: Mapping[str, RawAnswer], current_answers: Mapping[str, RawAnswer],
            previous_on: dt.date | None = None, current_on: dt.date | None = None
            ) -> tuple[CommonScores, CommonScores]:
    """(previous, current) scores of one establishment on the common questions, both by the
    current version's rules: the previous answers translated, the current ones restricted."""
    before = common_scores(current, basis, translate_previous(mapping, basis, previous_answers),
                           previous_on)
    now = common_scores(current, basis, current_answers, current_on)
    return before, now
