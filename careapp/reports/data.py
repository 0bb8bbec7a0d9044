"""What the PDF reports say, as plain data: built here from the services, read by the templates.

Templates never see an ORM object: every figure comes from `results_of()` (the frozen snapshot
of a submitted assessment, live provisional figures of a draft), `peers.peer_comparison`, the
registers (`registers_of`: D2 readiness, exercise indicators) and the roadmap services; texts
are translated here, in the report's language, and figures stay exact (the templates format
them with careapp/numbers.py filters, rounding once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from careapp.assessments import services as assessments
from careapp.assessments.labels import DOMAIN_LABELS
from careapp.assessments.models import Assessment
from careapp.assessments.scoring import LEVEL_BOUNDS, SOCLE_CAP_LEVEL
from careapp.messages import translate
from careapp.organisations.models import CATEGORIES, Establishment
from careapp.questionnaires.model import Questionnaire, tr
from careapp.reporting.charts import axis_bars_svg
from careapp.resilience import labels as register_labels
from careapp.resilience.indicators import held_within_12_months
from careapp.resilience.services import registers_of
from careapp.roadmap import labels as roadmap_labels
from careapp.roadmap import services as roadmap
from careapp.rollups.peers import PeerComparison, peer_comparison

URGENT_COUNT = 5
# A table row whose text is longer than this may be split across pages (the others never
# are): a row taller than a page would otherwise be cut off.
LONG_ROW_CHARS = 1200


def _day(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


@dataclass(frozen=True)
class Identity:
    name: str
    finess: str
    region: str
    ght: str
    category: str
    campaign: str
    campaign_id: int
    year: int


@dataclass(frozen=True)
class AnswerView:
    """An answer as saved (the `answer_text` macro reads these four fields)."""

    state: str | None
    value: Any
    justification: str
    comment: str


@dataclass(frozen=True)
class AnnexRow:
    id: str
    text: str
    answer: AnswerView | None
    level: int | None
    weight: int
    dont_know: bool

    @property
    def long(self) -> bool:
        return self.answer is not None and len(self.answer.comment) + len(
            str(self.answer.value or "")) > LONG_ROW_CHARS


@dataclass(frozen=True)
class AnnexSection:
    title: str
    rows: list[AnnexRow]


@dataclass(frozen=True)
class CheckRow:
    label: str
    kind: str
    status: str  # met, not_met, unknown
    status_label: str
    evidence: str
    ref: str = ""  # the ANS D2 guide's reference (D2.P1…)


@dataclass(frozen=True)
class FindingRow:
    text: str
    action: str  # the roadmap action's title and status, "" when none


@dataclass(frozen=True)
class ExerciseRow:
    held_on: str
    status: str
    type: str
    scenario: str
    retex_on: str
    retex_summary: str
    retex_missing: bool
    findings: list[FindingRow]

    @property
    def long(self) -> bool:
        return len(self.retex_summary) + sum(len(f.text) for f in self.findings) > LONG_ROW_CHARS


@dataclass(frozen=True)
class ActivityRow:
    kind: str
    name: str
    bia: str
    rto: float | None
    rpo: float | None
    pca: str
    pra: str
    last_test: str
    last_result: str


@dataclass(frozen=True)
class ActionRow:
    priority: str
    title: str
    detail: str
    origin: str
    axis: str
    owner: str
    due_on: str
    status: str
    overdue: bool
    open: bool

    @property
    def long(self) -> bool:
        return len(self.title) + len(self.detail) > LONG_ROW_CHARS


@dataclass(frozen=True)
class Registers:
    d2: list[CheckRow]
    d2_met: int
    d2_total: int
    within_12_months: bool
    last_held_on: str
    warnings: list[str]
    exercises: list[ExerciseRow]  # held in the last 12 months, and planned ones to come
    older_exercises: int
    activities: list[ActivityRow]


@dataclass(frozen=True)
class RoadmapProgress:
    by_status: list[tuple[str, int]]
    open_by_priority: list[tuple[str, int]]
    overdue: int
    total: int


@dataclass(frozen=True)
class EstablishmentReport:
    lang: str
    generated_on: dt.date
    draft: bool
    identity: Identity
    questionnaire: Questionnaire  # frozen content (a dataclass, not an ORM object)
    questionnaire_label: str
    scoring_version: str
    submitted_on: str
    results: dict[str, Any]
    chart: Markup
    peers: PeerComparison
    domains: list[tuple[str, dict[str, Any]]]
    urgent: list[str]
    registers: Registers | None  # None: the reader is not a member of the establishment
    roadmap: list[ActionRow] | None
    annex: list[AnnexSection]
    level_bounds: tuple[float, ...] = LEVEL_BOUNDS
    socle_cap: int = SOCLE_CAP_LEVEL
    document_title: str = ""


@dataclass(frozen=True)
class RoadmapReport:
    lang: str
    generated_on: dt.date
    identity: Identity
    actions: list[ActionRow]
    progress: RoadmapProgress
    filters: list[str] = field(default_factory=list)  # the filters applied, in words
    document_title: str = ""


# -- pieces ------------------------------------------------------------------------------------

def identity_of(establishment: Establishment, campaign_name: str = "", campaign_id: int = 0,
                year: int = 0) -> Identity:
    return Identity(
        name=establishment.name, finess=establishment.finess_et,
        region=establishment.region.name if establishment.region else establishment.region_code,
        ght=establishment.ght.name if establishment.ght else "—",
        category=CATEGORIES.get(establishment.category, establishment.category),
        campaign=campaign_name, campaign_id=campaign_id, year=year)


def action_rows(actions: list, lang: str, today: dt.date) -> list[ActionRow]:  # RoadmapAction
    from careapp.assessments.labels import AXIS_LABELS

    return [ActionRow(
        priority=a.priority.value, title=a.display_title(lang), detail=a.display_detail(lang),
        origin=str(roadmap_labels.ORIGIN[a.origin]) + (
            f" {a.origin_ref}" if a.origin.value == "question" else ""),
        axis=str(AXIS_LABELS.get(a.axis_id, "—")) if a.axis_id else "—",
        owner=a.owner or "—", due_on=_day(a.due_on), status=str(roadmap_labels.STATUS[a.status]),
        overdue=a.is_overdue(today), open=a.is_open) for a in actions]


def _registers(establishment: Establishment, today: dt.date, lang: str) -> Registers:
    registers = registers_of(establishment, today)
    d2 = [CheckRow(label=translate(i.label), kind=i.kind, status=i.status.value,
                   status_label=str(register_labels.READINESS[i.status.value]),
                   evidence=translate(i.evidence), ref=i.ref) for i in registers.d2.items]
    shown, older = [], 0
    for e in registers.exercises:
        if e.is_held and not held_within_12_months(e.held_on, today):
            older += 1
            continue
        if not e.is_held and e.held_on < today:
            older += 1
            continue
        shown.append(ExerciseRow(
            held_on=_day(e.held_on), status=str(register_labels.EXERCISE_STATUS[e.status]),
            type=str(register_labels.EXERCISE_TYPE[e.type]),
            scenario=str(register_labels.SCENARIO[e.scenario]) + (
                f" — {e.scenario_detail}" if e.scenario_detail else ""),
            retex_on=_day(e.retex_on), retex_summary=e.retex_summary,
            retex_missing=e.id in registers.indicators.retex_missing,
            findings=[FindingRow(f.text, (f"{f.action.display_title(lang)} — "
                                          f"{roadmap_labels.STATUS[f.action.status]}")
                                 if f.action is not None else "") for f in e.findings]))
    activities = [ActivityRow(
        kind=str(register_labels.ACTIVITY_KIND[a.kind]), name=a.name,
        bia=_("Oui") if a.bia_done else _("Non"), rto=a.rto_hours, rpo=a.rpo_hours,
        pca=str(register_labels.PLAN_STATUS[a.pca_status]),
        pra=str(register_labels.PLAN_STATUS[a.pra_status]), last_test=_day(a.last_test_on),
        last_result=str(register_labels.TEST_RESULT[a.last_test_result])
        if a.last_test_result else "—") for a in registers.activities]
    return Registers(
        d2=d2, d2_met=registers.d2.met, d2_total=registers.d2.total,
        within_12_months=registers.indicators.within_12_months,
        last_held_on=_day(registers.indicators.last_held_on),
        warnings=[translate(w) for w in registers.indicators.warnings],
        exercises=shown, older_exercises=older, activities=activities)


def _annex(questionnaire: Questionnaire, results: dict[str, Any], answers: dict[str, AnswerView],
           lang: str) -> list[AnnexSection]:
    sections = []
    for section in questionnaire.sections:
        rows = []
        for q in section.questions:
            r = results["questions"][q.id]
            answer = answers.get(q.id)
            rows.append(AnnexRow(id=q.id, text=tr(q.text, lang), answer=answer, level=r["level"],
                                 weight=r["weight"],
                                 dont_know=answer is not None and answer.state == "dont_know"))
        sections.append(AnnexSection(tr(section.title, lang), rows))
    return sections


def _urgent(questionnaire: Questionnaire, results: dict[str, Any],
            actions: list[ActionRow] | None, lang: str) -> list[str]:
    """The five most urgent actions: the roadmap's open ones by priority when the reader may
    see the roadmap, else the recommended actions of the weakest points."""
    if actions is not None:
        return [f"{a.priority} — {a.title}" for a in actions if a.open][:URGENT_COUNT]
    return [f"{qid} — {tr(questionnaire.question(qid).action['title'], lang)}"
            for qid in results["weakest"][:URGENT_COUNT]]


# -- the reports -------------------------------------------------------------------------------

def establishment_report(assessment: Assessment, lang: str = "fr", *,
                         with_registers: bool = True, today: dt.date | None = None
                         ) -> EstablishmentReport:
    """The establishment's report for one assessment. `with_registers`: the registers and the
    roadmap (members of the establishment only, like their pages)."""
    today = today or dt.date.today()
    establishment = assessment.establishment
    campaign = assessment.campaign
    questionnaire = assessments.questionnaire_of(assessment)
    results = assessments.results_of(assessment)
    answers = {a.question_id: AnswerView(a.state, a.value, a.justification or "", a.comment or "")
               for a in assessment.answers}
    from careapp.reports.render import page_context

    with page_context(), force_locale(lang):
        identity = identity_of(establishment, campaign.name, campaign.id, campaign.year)
        actions = (action_rows(roadmap.actions_of(establishment, today=today), lang, today)
                   if with_registers else None)
        return EstablishmentReport(
            lang=lang, generated_on=today, draft=not assessment.is_submitted,
            identity=identity, questionnaire=questionnaire,
            questionnaire_label=f"{tr(questionnaire.title, lang)} — {questionnaire.label}",
            scoring_version=results["scoring_version"],
            submitted_on=_day(assessment.submitted_at),
            results=results, chart=axis_bars_svg(questionnaire, results, lang),
            peers=peer_comparison(assessment, [axis.id for axis in questionnaire.axes]),
            domains=[(str(label), results["domains"][key])
                     for key, label in DOMAIN_LABELS.items()],
            urgent=_urgent(questionnaire, results, actions, lang),
            registers=_registers(establishment, today, lang) if with_registers else None,
            roadmap=actions,
            annex=_annex(questionnaire, results, answers, lang),
            document_title=_("Rapport CaRE %(year)s — %(name)s", year=campaign.year,
                             name=establishment.name),
        )


def roadmap_report(establishment: Establishment, filters: roadmap.Filters, filter_words: list[str],
                   lang: str = "fr", today: dt.date | None = None) -> RoadmapReport:
    today = today or dt.date.today()
    actions = roadmap.actions_of(establishment, filters, today)
    everything = roadmap.actions_of(establishment, today=today)
    progress = roadmap.progress_of(everything, today)
    with force_locale(lang):
        return RoadmapReport(
            lang=lang, generated_on=today, identity=identity_of(establishment),
            actions=action_rows(actions, lang, today),
            progress=RoadmapProgress(
                by_status=[(str(label), progress.by_status[key.value])
                           for key, label in roadmap_labels.STATUS.items()],
                open_by_priority=[(str(label), progress.open_by_priority[key.value])
                                  for key, label in roadmap_labels.PRIORITY.items()],
                overdue=progress.overdue, total=len(everything)),
            filters=filter_words,
            document_title=_("Feuille de route CaRE — %(name)s", name=establishment.name))


# -- the regional report -----------------------------------------------------------------------

REGION_KINDS = ("participation", "overall", "axes", "levels", "socle", "domains", "exercises",
                "plans", "d2", "retex", "change")


@dataclass(frozen=True)
class GroupRow:
    """One group (category or GHT) of the overall score's breakdown; `hidden`: fewer than 5
    submitted assessments, or the complement that would give it away (no figure at all)."""

    label: str
    hidden: bool
    n: int | None
    median: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class PlanRow:
    kind: str
    n: int
    pca_formalised: int
    pca_tested: int
    pra_formalised: int
    pra_tested: int


@dataclass(frozen=True)
class RegionLine:
    name: str
    finess: str
    category: str
    ght: str
    status: str
    overall: float | None
    socle_rate: float | None
    d2: str
    last_exercise_on: str


@dataclass(frozen=True)
class RegionReport:
    lang: str
    generated_on: dt.date
    region: str
    region_code: str
    campaign: str
    campaign_id: int
    year: int
    questionnaire: Questionnaire
    questionnaire_label: str
    figures: dict[str, Any]  # the stored summaries (refresh.summaries), participation with late
    levels: list[dict[str, Any]]
    axes_chart: Markup
    levels_chart: Markup
    domains: list[tuple[str, dict[str, int]]]
    plans: list[PlanRow]
    by_category: list[GroupRow]
    by_ght: list[GroupRow]
    establishments: list[RegionLine] | None  # None: not the region's ARS
    min_group: int = 5
    document_title: str = ""


def _float_or_none(value: Any) -> float | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else float(value)


def suppressed_groups(lines: Any, by: str, labels: dict[Any, str]) -> list[GroupRow]:
    """The overall score's distribution per `by` (category, ght_code) over the submitted
    assessments of `lines`, every group present in the lines listed (by label), a group of
    fewer than MIN_GROUP and its complement hidden (suppression.py, as national_groups)."""
    import pandas as pd

    from careapp.rollups import indicators
    from careapp.rollups.suppression import apply_suppression, suppressed

    values = [v if isinstance(v, str) and v else None for v in lines[by]]
    keys: list[Any] = sorted({v for v in values if v is not None})
    if any(v is None for v in values):
        keys.append(None)  # outside any group (no GHT), listed last
    if not keys:
        return []
    frame = lines.assign(**{by: pd.Series(["" if v is None else v for v in values],
                                          index=lines.index, dtype=object)})
    index = ["" if k is None else k for k in keys]
    table = indicators.overall_distribution(frame, by=by).reindex(index)
    table["n"] = [int(n) if pd.notna(n) else 0 for n in table["n"]]
    table = table.astype(object).where(table.notna(), None)
    hidden = suppressed(table)
    shown = apply_suppression(table, hidden)
    rows = []
    for key, label_key in zip(index, keys, strict=True):
        row = shown.loc[key]
        rows.append(GroupRow(
            label=labels.get(label_key, str(label_key)), hidden=bool(hidden[key]),
            n=None if row["n"] is None else int(row["n"]),
            median=_float_or_none(row["median"]), q1=_float_or_none(row["q1"]),
            q3=_float_or_none(row["q3"])))
    return rows


def _region_lines(frame: Any, lang: str) -> list[RegionLine]:
    import pandas as pd

    from careapp.assessments.models import STATUS_LABELS

    status_words = {None if k is None else k.value: str(v) for k, v in STATUS_LABELS.items()}
    out = []
    for row in frame.to_dict("records"):
        status = row["status"] if isinstance(row["status"], str) else None
        last = row["last_exercise_on"]
        out.append(RegionLine(
            name=row["name"], finess=row["finess_et"],
            category=row["category"] or "—",  # the code (CH, CHU…): the column is narrow
            ght=row["ght_code"] if isinstance(row["ght_code"], str) else _("Hors GHT"),
            status=status_words.get(status, str(status)),
            overall=_float_or_none(row["overall"]), socle_rate=_float_or_none(row["socle_rate"]),
            d2=f"{int(row['d2_met'] or 0)} / {int(row['d2_total'] or 0)}",
            last_exercise_on=_day(last if last is not None and not pd.isna(last) else None)))
    return out


def region_report(campaign: Any, region: Any, lang: str = "fr", *, with_establishments: bool,
                  today: dt.date | None = None) -> RegionReport:
    """The regional report of `region` (a Region) for `campaign`: the stored summaries of the
    campaign × region (refresh.summaries, what the dashboard shows), the overall score by
    category and by GHT from the establishment lines (small groups suppressed), and, for the
    region's ARS only (`with_establishments`), the establishment list."""
    from careapp.assessments.services import questionnaire_of_campaign
    from careapp.reporting import charts
    from careapp.reports.render import page_context
    from careapp.resilience.models import ActivityKind
    from careapp.rollups import dashboard, loaders, refresh

    today = today or dt.date.today()
    stored = refresh.summaries(campaign, region.code, REGION_KINDS)
    figures = dict(stored)
    figures["participation"] = refresh.participation_as_of(stored["participation"],
                                                           campaign.deadline, today)
    figures["levels"] = {int(k) if str(k).isdigit() else k: n
                         for k, n in stored["levels"].items()}
    lines = loaders.establishment_rollups_frame(campaign.id, region.code)
    page = loaders.page_lines(campaign, region.code) if with_establishments else None
    dashboard.commit_keeping_loaded()  # summaries or lines read for the first time were stored
    questionnaire = questionnaire_of_campaign(campaign)
    ghts = {}
    if len(lines):
        from sqlalchemy import select

        from careapp.db import db
        from careapp.organisations.models import Ght

        ghts = {code: f"{code} — {name}" for code, name in db.session.execute(
            select(Ght.code, Ght.name).where(Ght.code.in_(
                [c for c in lines["ght_code"] if isinstance(c, str)])))}
    with page_context(), force_locale(lang):
        levels = dashboard.level_rows(questionnaire, figures["levels"], lang)
        kind_labels = {k.value: str(v) for k, v in register_labels.ACTIVITY_KIND.items()}
        plans_payload = figures.get("plans") or {}
        plans = [PlanRow(kind=kind_labels.get(key, key), **{
            f: int(values.get(f) or 0) for f in ("n", "pca_formalised", "pca_tested",
                                                  "pra_formalised", "pra_tested")})
            for key, values in sorted(plans_payload.items(), key=lambda kv: [
                k.value for k in ActivityKind].index(kv[0])
                if kv[0] in {k.value for k in ActivityKind} else 99)]
        domains_payload = figures.get("domains") or {}
        return RegionReport(
            lang=lang, generated_on=today, region=region.name, region_code=region.code,
            campaign=campaign.name, campaign_id=campaign.id, year=campaign.year,
            questionnaire=questionnaire,
            questionnaire_label=f"{tr(questionnaire.title, lang)} — {questionnaire.label}",
            figures=figures, levels=levels,
            axes_chart=charts.axis_distribution_svg(questionnaire, figures["axes"],
                                                    figures["overall"], lang,
                                                    chart_id="report-axes"),
            levels_chart=charts.levels_svg(levels, chart_id="report-levels"),
            domains=[(str(label), {s: int((domains_payload.get(key) or {}).get(s) or 0)
                                   for s in ("ready", "not_ready", "not_assessable")})
                     for key, label in DOMAIN_LABELS.items()],
            plans=plans,
            by_category=suppressed_groups(lines, "category", {
                k: str(v) for k, v in CATEGORIES.items()}),
            by_ght=suppressed_groups(lines, "ght_code", {**ghts, None: _("Hors GHT")}),
            establishments=_region_lines(page, lang) if page is not None else None,
            document_title=_("Rapport régional CaRE %(year)s — %(region)s", year=campaign.year,
                             region=region.name))
