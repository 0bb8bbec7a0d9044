"""The roadmap: generation merged into what people wrote, and their edits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from careapp import events
from careapp.assessments.models import Assessment, Campaign
from careapp.assessments.scoring import resolve
from careapp.audit.services import record
from careapp.auth.models import User
from careapp.db import db, utcnow
from careapp.locking import changes, check_revision, values_of
from careapp.messages import Msg, translate
from careapp.organisations.models import Establishment
from careapp.resilience.models import ExerciseFinding
from careapp.roadmap.generate import (
    GENERATED_PREFIXES,
    INSTRUCTION_ACTION_1,
    Proposal,
    Text,
    generate,
)
from careapp.roadmap.models import ActionStatus, Origin, Priority, RoadmapAction

LANGUAGES = ("fr", "en")
ACTION_FIELDS = ("title", "priority", "owner", "due_on", "status", "abandon_reason", "comment",
                 "axis_id", "domain")
SORTS = {
    "priority": (RoadmapAction.priority, RoadmapAction.rank.desc(), RoadmapAction.id),
    "due": (RoadmapAction.due_on.is_(None), RoadmapAction.due_on, RoadmapAction.priority,
            RoadmapAction.id),
    "status": (RoadmapAction.status, RoadmapAction.priority, RoadmapAction.id),
    "axis": (RoadmapAction.axis_id, RoadmapAction.priority, RoadmapAction.rank.desc(),
             RoadmapAction.id),
    "recent": (RoadmapAction.updated_at.desc(), RoadmapAction.id.desc()),
}


class RoadmapError(ValueError):
    pass


@dataclass
class MergeReport:
    added: int = 0
    updated: int = 0
    closed: int = 0  # gaps no longer found: proposed as done
    reopened: int = 0  # gaps found again

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.closed or self.reopened)


def bilingual(text: Text) -> dict[str, str]:
    if isinstance(text, Msg):
        rendered = {}
        for lang in LANGUAGES:
            with force_locale(lang):
                rendered[lang] = translate(text)
        return rendered
    return {lang: text.get(lang) or text["fr"] for lang in LANGUAGES}


def feeding_assessment(establishment: Establishment) -> Assessment | None:
    """The establishment's latest assessment (latest campaign year): it feeds the question gaps
    only once submitted."""
    return db.session.scalar(
        select(Assessment).join(Campaign)
        .where(Assessment.establishment_id == establishment.id)
        .order_by(Campaign.year.desc(), Assessment.created_at.desc(), Assessment.id.desc())
        .limit(1))


@dataclass(frozen=True)
class Proposals:
    items: list[Proposal]
    # False while the latest assessment is a draft (a new year's, or one an ARS reopened):
    # the question gaps are then neither added nor proposed as done until it is submitted.
    questions_evaluated: bool
    # new question id -> its ids in earlier versions (actions follow a question to its new id)
    earlier: dict[str, tuple[str, ...]] = field(default_factory=dict)


def proposals_for(establishment: Establishment, today: dt.date | None = None) -> Proposals:
    from careapp.assessments.services import questionnaire_of, raw_answers
    from careapp.resilience.services import registers_of

    registers = registers_of(establishment, today)
    assessment = feeding_assessment(establishment)
    questionnaire = results = None
    evaluated = assessment is not None and assessment.is_submitted
    earlier: dict[str, tuple[str, ...]] = {}
    if evaluated:
        questionnaire = questionnaire_of(assessment)
        results = resolve(questionnaire, raw_answers(assessment), today)
        earlier = predecessors(questionnaire.key, questionnaire.version)
    return Proposals(generate(questionnaire, results, registers.indicators, registers.exercises,
                              registers.d2), evaluated, earlier)


def _set(action: RoadmapAction, name: str, value: Any) -> bool:
    if getattr(action, name) == value:
        return False
    setattr(action, name, value)
    return True


def _is_generated(key: str) -> bool:
    return key.startswith(GENERATED_PREFIXES)


# What people write on an action: kept when actions merge or follow a question to its new id.
PEOPLE_FIELDS = ("title", "owner", "due_on", "comment", "abandon_reason")


def _origins(proposal: Proposal) -> list[dict[str, Any]]:
    return [{"kind": kind, "ref": ref, "label": bilingual(label)}
            for kind, ref, label in proposal.origins]


def predecessors(questionnaire_key: str, version: str) -> dict[str, tuple[str, ...]]:
    """new question id -> the ids of earlier versions it comes from (kept, renamed, split,
    merged, transformed), from the version mappings (mapping.questions[old].targets)."""
    from flask import current_app

    found: dict[str, list[str]] = {}
    for (key, _old, new), mapping in current_app.extensions.get("careapp.mappings", {}).items():
        if key != questionnaire_key or new != version:
            continue
        for old_id, item in mapping.questions.items():
            for target in item.targets:
                if target.question_id != old_id:
                    found.setdefault(target.question_id, []).append(old_id)
    return {new_id: tuple(old) for new_id, old in found.items()}


def _version_aliases(key: str, earlier: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    parts = key.split(":", 2)
    if parts[0] != "question" or len(parts) < 2:
        return ()
    suffix = f":{parts[2]}" if len(parts) > 2 else ""
    return tuple(f"question:{old}{suffix}" for old in earlier.get(parts[1], ()))


def _inherit(target: RoadmapAction, source: RoadmapAction) -> dict[str, Any]:
    """What people wrote on `source` that `target` does not say yet: the owner, due date,
    comment, a title they wrote, a status they set, a priority they chose (the highest of the
    two when both chose one)."""
    values: dict[str, Any] = {}
    for name in PEOPLE_FIELDS:
        if getattr(source, name) and not getattr(target, name):
            values[name] = getattr(source, name)
    if source.status is not ActionStatus.TODO and target.status is ActionStatus.TODO:
        values["status"] = source.status
    if source.priority_edited:
        chosen = (min(source.priority, target.priority, key=lambda p: p.value)
                  if target.priority_edited else source.priority)
        values |= {"priority": chosen, "priority_edited": True}
    return values


def regenerate(establishment: Establishment, user: User | None,
               today: dt.date | None = None) -> MergeReport:
    """Merge the current proposals by key: new gaps are added; for known ones, what the
    generation proposes is refreshed and what people wrote (title once changed, priority once
    changed, owner, due date, comment) is kept; gaps no longer found are proposed as done; an
    action marked done whose gap comes back is reopened. Nothing is deleted, except an action
    merged into another one stating the same gap, once its people's edits are copied.

    An action is found by its key, else by the keys of the same gap (`Proposal.aliases`: a
    question and a register item stating it) and by the ids the question had in earlier
    questionnaire versions (the version mapping): the action found takes the new key, and when a
    question was split, each part starts from a copy of what people wrote.

    These machine updates do not bump the actions' revision: someone editing an action at the
    same moment is not told that a person changed it."""
    report = MergeReport()
    existing = {a.key: a for a in db.session.scalars(
        select(RoadmapAction).filter_by(establishment_id=establishment.id))}
    proposed = proposals_for(establishment, today)
    earlier = proposed.earlier
    keys = {p.key for p in proposed.items}
    moved: dict[str, RoadmapAction] = {}  # old key -> the action that took it over
    merges: list[dict[str, Any]] = []  # duplicates merged into another action (journal)
    for proposal in proposed.items:
        title, detail = bilingual(proposal.title), bilingual(proposal.detail)
        action = existing.get(proposal.key)
        aliases = [k for k in (*proposal.aliases, *_version_aliases(proposal.key, earlier))
                   if k not in keys]
        others = [existing[k] for k in aliases if k in existing and k not in moved]
        copied_from = next((moved[k] for k in aliases if k in moved), None)
        if action is None and others:  # the same gap under another key: it takes the new key
            action = others.pop(0)
            _machine_update(action, {"key": proposal.key, "origin": proposal.origin,
                                     "origin_ref": proposal.origin_ref})
            moved[_old_key(action, existing)] = action
            report.updated += 1
        for other in others:  # a duplicate of the same gap: its edits join, then it goes
            _machine_update(action, _inherit(action, other))
            merges.append({"into": proposal.key, "merged": other.key,
                           "before": values_of(other, ACTION_FIELDS)})
            db.session.delete(other)
            moved[other.key] = action
            report.updated += 1
        if action is None:
            action = RoadmapAction(
                establishment_id=establishment.id, key=proposal.key, origin=proposal.origin,
                origin_ref=proposal.origin_ref, suggested_title=title, detail=detail,
                axis_id=proposal.axis_id, domain=proposal.domain,
                suggested_priority=proposal.priority, priority=proposal.priority,
                rank=proposal.rank, status=ActionStatus.TODO, origins=_origins(proposal))
            if copied_from is not None:  # a split question: each part keeps what people wrote
                for name, value in _inherit(action, copied_from).items():
                    setattr(action, name, value)
            db.session.add(action)
            report.added += 1
            continue
        wanted: dict[str, Any] = {
            "suggested_priority": proposal.priority, "suggested_title": title, "detail": detail,
            "axis_id": proposal.axis_id, "domain": proposal.domain, "rank": proposal.rank,
            "origins": _origins(proposal)}
        if not action.priority_edited:  # nobody chose it: it follows the suggestion
            wanted["priority"] = proposal.priority
        back = action.gap_closed  # the gap was gone and is back
        if back:
            wanted["gap_closed"] = False
            if action.status is ActionStatus.DONE:
                wanted["status"] = ActionStatus.TODO
            report.reopened += 1
        if _machine_update(action, wanted) and not back:
            report.updated += 1
    for key, action in existing.items():
        if not _is_generated(key) or key in keys or key in moved or action.gap_closed:
            continue
        if key.startswith("question:") and not proposed.questions_evaluated:
            continue
        if _machine_update(action, {"gap_closed": True}):
            if action.is_open:
                report.closed += 1
            else:  # done or abandoned: nothing to propose, but the change is recorded
                report.updated += 1
    if report.changed:
        db.session.flush()
        events.roadmap_changed.send(establishment)
        record("roadmap.regenerate", actor=user, object_type="establishments",
               object_id=establishment.id, region_code=establishment.region_code,
               establishment_id=establishment.id,
               details={"added": report.added, "updated": report.updated,
                        "closed": report.closed, "reopened": report.reopened}
               | ({"merged": merges} if merges else {}))
    return report


def _old_key(action: RoadmapAction, existing: dict[str, RoadmapAction]) -> str:
    return next(k for k, a in existing.items() if a is action)


def _machine_update(action: RoadmapAction, wanted: dict[str, Any]) -> bool:
    """Write what the generation decides with a plain UPDATE (no revision bump), and keep the
    loaded object in step without marking it changed."""
    values = {name: value for name, value in wanted.items() if getattr(action, name) != value}
    if not values:
        return False
    # Only over the revision we read: a person's save committed meanwhile wins, and the next
    # generation catches up.
    written = db.session.execute(
        update(RoadmapAction)
        .where(RoadmapAction.id == action.id, RoadmapAction.revision == action.revision)
        .values(**values), execution_options={"synchronize_session": False})
    if written.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():
        set_committed_value(action, name, value)
    return True


@dataclass(frozen=True)
class Filters:
    status: str = ""
    priority: str = ""
    origin: str = ""
    axis: str = ""
    overdue: bool = False
    sort: str = "priority"


def actions_of(establishment: Establishment, filters: Filters | None = None,
               today: dt.date | None = None) -> list[RoadmapAction]:
    filters = filters or Filters()
    query = select(RoadmapAction).filter_by(establishment_id=establishment.id)
    if filters.status == "open":
        query = query.where(RoadmapAction.status.in_([ActionStatus.TODO,
                                                      ActionStatus.IN_PROGRESS]))
    elif filters.status in {s.value for s in ActionStatus}:
        query = query.where(RoadmapAction.status == ActionStatus(filters.status))
    if filters.priority in {p.value for p in Priority}:
        query = query.where(RoadmapAction.priority == Priority(filters.priority))
    if filters.axis:
        query = query.where(RoadmapAction.axis_id == filters.axis)
    if filters.overdue:
        query = query.where(RoadmapAction.due_on < (today or dt.date.today()),
                            RoadmapAction.status.in_([ActionStatus.TODO,
                                                      ActionStatus.IN_PROGRESS]))
    actions = list(db.session.scalars(query.order_by(*SORTS.get(filters.sort,
                                                                  SORTS["priority"]))))
    if filters.origin in {o.value for o in Origin}:  # any of a merged action's origins
        wanted = Origin(filters.origin)
        actions = [a for a in actions if wanted in origins_of(a)]
    return actions


ORIGIN_KINDS = {"question": Origin.QUESTION, "d2": Origin.CONTINUITY,
                "exercise": Origin.EXERCISE}


def origins_of(action: RoadmapAction) -> set[Origin]:
    return {action.origin} | {ORIGIN_KINDS[o["kind"]] for o in action.origins or ()
                              if o.get("kind") in ORIGIN_KINDS}


# The short list an RSSI reads first: every open action that is P1 or overdue, completed with
# the open actions that come first in priority then rank up to SHORT_LIST_TOP actions.
SHORT_LIST_TOP = 10


@dataclass(frozen=True)
class Split:
    short: list[RoadmapAction]
    rest: list[tuple[str | None, list[RoadmapAction]]]  # by axis, in the list's order


def short_list(actions: list[RoadmapAction], today: dt.date,
               axes: tuple[str, ...] = ("GOV", "RES", "SEN", "OPS")) -> Split:
    """Split the (filtered, sorted) list: the short list first, the rest grouped by axis; each
    part keeps the list's order."""
    open_ = sorted((a for a in actions if a.is_open),
                   key=lambda a: (a.priority.value, -a.rank, a.id or 0))
    chosen = {id(a) for a in open_ if a.priority is Priority.P1 or a.is_overdue(today)}
    for action in open_:
        if len(chosen) >= SHORT_LIST_TOP:
            break
        chosen.add(id(action))
    groups: dict[str | None, list[RoadmapAction]] = {}
    for action in actions:
        if id(action) not in chosen:
            groups.setdefault(action.axis_id if action.axis_id in axes else None,
                              []).append(action)
    order = [*axes, None]
    return Split([a for a in actions if id(a) in chosen],
                 [(axis, groups[axis]) for axis in order if axis in groups])


@dataclass(frozen=True)
class Progress:
    by_status: dict[str, int]
    open_by_priority: dict[str, int]
    overdue: int
    proposed_done: int
    total: int = field(default=0)


def progress_of(actions: list[RoadmapAction], today: dt.date | None = None) -> Progress:
    today = today or dt.date.today()
    return Progress(
        by_status={s.value: 0 for s in ActionStatus}
        | Counter(a.status.value for a in actions),
        open_by_priority={p.value: 0 for p in Priority}
        | Counter(a.priority.value for a in actions if a.is_open),
        overdue=sum(1 for a in actions if a.is_overdue(today)),
        proposed_done=sum(1 for a in actions if a.is_open and a.gap_closed),
        total=len(actions),
    )


def _audit(action_name: str, action: RoadmapAction, establishment: Establishment, user: User,
           details: dict[str, Any]) -> None:
    events.roadmap_changed.send(establishment)
    record(action_name, actor=user, object_type="roadmap_actions", object_id=action.id,
           region_code=establishment.region_code, establishment_id=establishment.id,
           details=details)


def create_manual(establishment: Establishment, data: dict[str, Any], user: User) -> RoadmapAction:
    action = RoadmapAction(
        establishment_id=establishment.id, key=f"manual:{uuid.uuid4().hex[:16]}",
        origin=Origin.MANUAL, updated_by_id=user.id, **data)
    db.session.add(action)
    db.session.flush()
    _audit("roadmap.create", action, establishment, user,
           {"after": values_of(action, ACTION_FIELDS)})
    return action


def update_action(establishment: Establishment, action: RoadmapAction, data: dict[str, Any],
                  user: User, seen: int | None) -> dict[str, list[Any]]:
    """Apply what the person changed (`data` holds only those fields): a title written by
    someone replaces the suggestion, a priority chosen by someone stops following it."""
    check_revision(action, seen)
    data = dict(data)
    if data.get("status", action.status) is not ActionStatus.ABANDONED:
        data["abandon_reason"] = ""
    before = values_of(action, ACTION_FIELDS)
    if "priority" in data and data["priority"] != action.priority:
        action.priority_edited = True
    for name, value in data.items():
        _set(action, name, value)
    changed = changes(before, values_of(action, ACTION_FIELDS))
    if changed:
        action.updated_at = utcnow()
        action.updated_by_id = user.id
        _audit("roadmap.update", action, establishment, user, {"changes": changed})
    return changed


def mark_done(establishment: Establishment, action: RoadmapAction, user: User,
              seen: int | None) -> None:
    update_action(establishment, action, {"status": ActionStatus.DONE}, user, seen)


def delete_action(establishment: Establishment, action: RoadmapAction, user: User) -> None:
    if _is_generated(action.key):
        raise RoadmapError(Msg("Une action proposée à partir d'un écart ne se supprime pas (elle "
                               "reviendrait) : marquez-la « abandonnée » avec la raison."))
    for finding in db.session.scalars(select(ExerciseFinding).filter_by(action_id=action.id)):
        finding.action_id = None
    _audit("roadmap.delete", action, establishment, user,
           {"before": values_of(action, ACTION_FIELDS), "key": action.key})
    db.session.delete(action)


def send_finding(establishment: Establishment, finding: ExerciseFinding,
                 user: User) -> RoadmapAction:
    """One click from a RETEX finding to a roadmap action (a second click opens the same one)."""
    if finding.action_id is not None:
        existing = db.session.get(RoadmapAction, finding.action_id)
        if existing is not None:
            return existing
    text = finding.text
    held_on = finding.exercise.held_on.strftime("%d/%m/%Y")
    action = RoadmapAction(
        establishment_id=establishment.id, key=f"finding:{finding.id}:{uuid.uuid4().hex[:8]}",
        origin=Origin.EXERCISE,
        origin_ref=str(finding.exercise_id),
        suggested_title={lang: " ".join(text.split())[:300] for lang in LANGUAGES},  # one line
        detail=bilingual(Msg("Constat du RETEX de l'exercice du %(date)s : %(text)s",
                             date=held_on, text=text)),
        axis_id="GOV", domain=INSTRUCTION_ACTION_1, suggested_priority=Priority.P2, priority=Priority.P2,
        rank=5.0, updated_by_id=user.id)
    db.session.add(action)
    db.session.flush()
    finding.action_id = action.id
    _audit("roadmap.create", action, establishment, user,
           {"from_finding": finding.id, "after": values_of(action, ACTION_FIELDS)})
    return action
