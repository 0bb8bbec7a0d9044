"""A synthetic nation as plain rows (pure: no database, no request).

`generate(spec)` yields batches: one dict per table name, each a list of rows (dicts keyed by
column name, ids assigned from `spec.first_ids`), so that the loader can stream them to the
database. The same spec (seed included) always gives the same rows.

What it makes:
- GHT: about 135 for 2,970 establishments (scaled to the size asked), spread over the regions in
  proportion to their public establishments;
- establishments in the national proportions of care-reference.md (≈ 1,330 public, 660 ESPIC /
  non-profit, 980 for-profit), by category within each sector, in the 18 regions by weight, with
  valid FINESS numbers of a department of their region; 95 % of public ones in a GHT;
- one assessment per establishment and campaign for those taking part (participation rising
  year after year), answers drawn from a latent maturity per establishment (by category, plus
  noise) that improves a little each year; submitted ones get a snapshot computed by the real
  scoring function (careapp.assessments.scoring.score) on exactly the stored answers; in the
  last (open) campaign a quarter of them are half-filled drafts;
- registers: held and planned crisis exercises (with findings), continuity profiles, critical
  activities (PCA/PRA) following the same maturity;
- roadmap actions: the question gaps of the latest submitted assessment (the real generation
  rules of careapp.roadmap.generate), with a share in progress or done.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from careapp.assessments.answers import DONT_KNOW, NA, RawAnswer
from careapp.assessments.scoring import score
from careapp.demo import number_for_level  # the demo and the bench answer numbers alike
from careapp.organisations.finess import make_finess
from careapp.questionnaires.model import Question, Questionnaire
from careapp.roadmap.generate import _question_proposals  # the real rules for question gaps

Row = dict[str, Any]
Batch = dict[str, list[Row]]

# Load order (foreign keys first).
TABLES = ("ghts", "establishments", "assessments", "answers", "score_snapshots", "axis_scores",
          "crisis_exercises", "exercise_findings", "continuity_profiles", "critical_activities",
          "roadmap_actions")
WITH_ID = tuple(t for t in TABLES if t != "axis_scores")

REFERENCE_TOTAL = 2970  # care-reference.md: establishments in the CaRE programme
REFERENCE_GHT = 135
SECTORS = {"public": 1330, "prive_non_lucratif": 660, "prive_lucratif": 980}
CATEGORY_SHARES = {
    "public": {"CH": 0.58, "HL": 0.18, "CHS": 0.08, "CHU": 0.05, "SSR": 0.07, "HAD": 0.02,
               "DIALYSE": 0.02},
    "prive_non_lucratif": {"ESPIC": 0.50, "SSR": 0.25, "HAD": 0.12, "DIALYSE": 0.13},
    "prive_lucratif": {"CLINIQUE": 0.62, "SSR": 0.23, "HAD": 0.04, "DIALYSE": 0.11},
}
# A category's typical maturity (0..1) before each establishment's own deviation.
CATEGORY_MATURITY = {"CHU": 0.62, "CH": 0.50, "CHS": 0.42, "HL": 0.36, "ESPIC": 0.50,
                     "CLINIQUE": 0.47, "SSR": 0.40, "HAD": 0.38, "DIALYSE": 0.44}
CATEGORY_NAMES = {"CHU": "CHU", "CH": "Centre hospitalier", "CHS": "Centre hospitalier spécialisé",
                  "HL": "Hôpital de proximité", "ESPIC": "Hôpital privé", "CLINIQUE": "Clinique",
                  "SSR": "Centre SMR", "HAD": "HAD", "DIALYSE": "Centre de dialyse"}
# Region code → (weight, departments); overseas FINESS use department 97 and a serial whose
# first digit is the territory (971 Guadeloupe … 976 Mayotte).
REGIONS = {
    "11": (13.0, ["75", "77", "78", "91", "92", "93", "94", "95"]),
    "84": (12.0, ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]),
    "76": (10.0, ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]),
    "75": (9.5, ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]),
    "93": (9.0, ["04", "05", "06", "13", "83", "84"]),
    "44": (8.5, ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"]),
    "32": (8.0, ["02", "59", "60", "62", "80"]),
    "28": (4.5, ["14", "27", "50", "61", "76"]),
    "52": (4.5, ["44", "49", "53", "72", "85"]),
    "53": (4.5, ["22", "29", "35", "56"]),
    "27": (4.0, ["21", "25", "39", "58", "70", "71", "89", "90"]),
    "24": (3.5, ["18", "28", "36", "37", "41", "45"]),
    "94": (0.6, ["2A", "2B"]),
    "01": (0.7, ["97"]), "02": (0.6, ["97"]), "03": (0.4, ["97"]), "04": (1.0, ["97"]),
    "06": (0.2, ["97"]),
}
OVERSEAS_DIGIT = {"01": 1, "02": 2, "03": 3, "04": 4, "06": 6}
_TOWN_A = ["Saint-", "Mont", "Val-", "Bourg-", "Ville", "Beau", "Roche", "Font", "Belle", "Pont-"]
_TOWN_B = ["aubin", "mirail", "fleury", "lac", "rivière", "champ", "forêt", "plaine", "mer",
           "vallon", "bois", "colline"]
SCENARIOS = ["ransomware", "mail_compromise", "ehr_outage", "data_leak", "supplier_outage", "other"]
EXERCISE_TYPES = ["tabletop", "functional", "full_scale", "regional"]
KIT_LEVELS = ["none", "beginner", "intermediate", "advanced"]
KINDS = [("care_service", "Urgences"), ("administrative", "Admissions et facturation"),
         ("imaging", "Imagerie médicale"), ("pharmacy", "Pharmacie à usage intérieur"),
         ("biology", "Laboratoire de biologie")]
BATCH_ESTABLISHMENTS = 50


@dataclass(frozen=True)
class CampaignRef:
    id: int
    year: int
    open: bool  # the last one: still open, some drafts


@dataclass
class Spec:
    establishments: int
    campaigns: list[CampaignRef]
    questionnaire: Questionnaire
    questionnaire_hash: str
    seed: int = 1
    today: dt.date = field(default_factory=dt.date.today)
    regions: tuple[str, ...] = tuple(REGIONS)
    first_ids: dict[str, int] = field(default_factory=dict)


def quotas(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights` (largest remainder: the counts add up)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    rest = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[:rest]:
        counts[key] += 1
    return counts


def _clip(value: float, low: float = 0.03, high: float = 0.97) -> float:
    return min(high, max(low, value))


class _Ids:
    def __init__(self, first: dict[str, int]) -> None:
        self.next = {t: first.get(t, 1) for t in WITH_ID}

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        return value


def generate(spec: Spec, progress: Callable[[int], None] | None = None) -> Iterator[Batch]:
    """Yield batches of rows; `progress(n)` is told each time n more establishments are done."""
    rng = random.Random(spec.seed)  # noqa: S311 - synthetic data, not security
    ids = _Ids(spec.first_ids)
    regions = [r for r in spec.regions if r in REGIONS]
    kinds = _establishment_kinds(spec.establishments, rng)
    region_of = _regions(spec.establishments, regions, rng)
    ghts, ght_rows = _ghts(kinds, region_of, regions, ids, rng)
    serials: dict[str, int] = {}
    batch: Batch = {t: [] for t in TABLES}
    batch["ghts"] = ght_rows
    previous: dict[int, int] = {}  # establishment id → its last submitted assessment id
    for index in range(spec.establishments):
        sector, category = kinds[index]
        region = region_of[index]
        establishment = _establishment(index, sector, category, region, ghts, serials, ids, rng)
        batch["establishments"].append(establishment)
        maturity = _clip(CATEGORY_MATURITY[category] + rng.gauss(0, 0.15))
        latest = _assessments(spec, establishment["id"], maturity, previous, ids, rng, batch)
        _registers(spec, establishment["id"], maturity, ids, rng, batch)
        if latest is not None:
            _roadmap(spec, establishment["id"], maturity, latest, ids, rng, batch)
        if (index + 1) % BATCH_ESTABLISHMENTS == 0 or index + 1 == spec.establishments:
            yield batch
            if progress is not None:
                progress(len(batch["establishments"]))
            batch = {t: [] for t in TABLES}


def _establishment_kinds(total: int, rng: random.Random) -> list[tuple[str, str]]:
    kinds = []
    for sector, count in quotas(total, {k: float(v) for k, v in SECTORS.items()}).items():
        for category, n in quotas(count, CATEGORY_SHARES[sector]).items():
            kinds += [(sector, category)] * n
    rng.shuffle(kinds)
    return kinds


def _regions(total: int, regions: list[str], rng: random.Random) -> list[str]:
    out = []
    for region, n in quotas(total, {r: REGIONS[r][0] for r in regions}).items():
        out += [region] * n
    rng.shuffle(out)
    return out


def _ghts(kinds: list[tuple[str, str]], region_of: list[str], regions: list[str], ids: _Ids,
          rng: random.Random) -> tuple[dict[str, list[int]], list[Row]]:
    public = {r: 0 for r in regions}
    for (sector, _), region in zip(kinds, region_of, strict=True):
        if sector == "public":
            public[region] += 1
    wanted = max(1, round(REFERENCE_GHT * len(kinds) / REFERENCE_TOTAL))
    weights = {r: float(n) for r, n in public.items() if n}
    counts = quotas(min(wanted, sum(public.values())) or 1, weights) if weights else {}
    ghts: dict[str, list[int]] = {r: [] for r in regions}
    rows = []
    for region in regions:
        n = max(counts.get(region, 0), 1 if public[region] else 0)
        for k in range(n):
            ght_id = ids.take("ghts")
            ghts[region].append(ght_id)
            town = rng.choice(_TOWN_A) + rng.choice(_TOWN_B)
            rows.append({"id": ght_id, "code": f"GHT-{region}-{k + 1:02d}",
                         "name": f"GHT {town.capitalize()}", "region_code": region})
    return ghts, rows


def _establishment(index: int, sector: str, category: str, region: str,
                   ghts: dict[str, list[int]], serials: dict[str, int], ids: _Ids,
                   rng: random.Random) -> Row:
    department = rng.choice(REGIONS[region][1])
    counter = serials.get(region + department, 0) + 1
    serials[region + department] = counter
    serial = 2 * counter  # even: the establishment (ET), odd: its legal entity (EJ)
    if region in OVERSEAS_DIGIT:
        serial += OVERSEAS_DIGIT[region] * 100_000
    town = (rng.choice(_TOWN_A) + rng.choice(_TOWN_B)).capitalize()
    ght = None
    if sector == "public" and ghts[region] and rng.random() < 0.95:
        ght = rng.choice(ghts[region])
    return {"id": ids.take("establishments"), "finess_et": make_finess(department, serial),
            "finess_ej": make_finess(department, serial + 1),
            "name": f"{CATEGORY_NAMES[category]} de {town} ({index + 1})", "category": category,
            "sector": sector, "city": town, "region_code": region, "ght_id": ght}


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(7, 19), rng.randint(0, 59)), dt.UTC)


def _assessments(spec: Spec, establishment_id: int, maturity: float, previous: dict[int, int],
                 ids: _Ids, rng: random.Random, batch: Batch) -> tuple[Any, float] | None:
    """One assessment per campaign taken part in; returns (results, maturity) of the latest
    submitted one (the roadmap's source)."""
    latest = None
    count = len(spec.campaigns)
    for position, campaign in enumerate(spec.campaigns):
        year_maturity = _clip(maturity + 0.04 * (position - count + 1) + rng.uniform(-0.03, 0.03))
        participation = min(0.95, 0.68 + 0.1 * position) + (maturity - 0.5) * 0.3
        if rng.random() >= participation:
            continue
        draft_share = 0.25 if campaign.open else 0.04
        submitted = rng.random() >= draft_share
        opens = dt.date(campaign.year, 1, 15)
        end = min(dt.date(campaign.year, 11, 30), spec.today)
        day = opens + dt.timedelta(days=rng.randint(0, max(0, (end - opens).days)))
        created = _at(opens + dt.timedelta(days=rng.randint(0, max(0, (day - opens).days))), rng)
        submitted_at = _at(day, rng) if submitted else None
        assessment_id = ids.take("assessments")
        batch["assessments"].append({
            "id": assessment_id, "campaign_id": campaign.id, "establishment_id": establishment_id,
            "status": "submitted" if submitted else "draft", "created_at": created,
            "updated_at": submitted_at or created, "submitted_at": submitted_at,
            "submitted_by_id": None, "carried_from_id": previous.get(establishment_id),
            "reopened_at": None, "reopened_by_id": None, "reopen_reason": None,
            "revision": 2 if submitted else 1})
        raw = _answers(spec.questionnaire, year_maturity, day, rng, partial=not submitted)
        for question_id, answer in raw.items():
            batch["answers"].append({
                "id": ids.take("answers"), "assessment_id": assessment_id,
                "question_id": question_id, "state": answer.state, "value": answer.value,
                "justification": answer.justification, "comment": "", "carried_over": False,
                "updated_at": submitted_at or created, "updated_by_id": None, "revision": 1})
        if submitted:
            result = score(spec.questionnaire, raw, day)
            _snapshot(spec, assessment_id, result, submitted_at, ids, batch)
            previous[establishment_id] = assessment_id
            latest = (result, year_maturity)
    return latest


def _snapshot(spec: Spec, assessment_id: int, result: Any, at: dt.datetime, ids: _Ids,
              batch: Batch) -> None:
    snapshot_id = ids.take("score_snapshots")
    batch["score_snapshots"].append({
        "id": snapshot_id, "assessment_id": assessment_id,
        "questionnaire_hash": spec.questionnaire_hash, "scoring_version": result.scoring_version,
        "computed_at": at, "overall": result.overall, "overall_level": result.overall_level,
        "socle_rate": result.socle.rate, "completeness": result.completeness,
        "results": result.to_dict()})
    for axis in result.axes.values():
        batch["axis_scores"].append({
            "snapshot_id": snapshot_id, "axis_id": axis.axis_id, "score": axis.score,
            "level": axis.level, "coverage": axis.coverage, "provisional": axis.provisional})


def _answers(questionnaire: Questionnaire, maturity: float, day: dt.date, rng: random.Random, *,
             partial: bool) -> dict[str, RawAnswer]:
    out = {}
    sections = questionnaire.sections
    if partial:
        sections = sections[: max(1, len(sections) // 2)]
    for section in sections:
        for question in section.questions:
            out[question.id] = _answer(question, maturity, day, rng)
    return out


def _answer(question: Question, maturity: float, day: dt.date, rng: random.Random) -> RawAnswer:
    if question.allow_na and rng.random() < 0.04:
        return RawAnswer(NA, None, "Activité absente de l'établissement.")
    if question.allow_dont_know and question.weight and rng.random() < 0.05 * (1.2 - maturity):
        return RawAnswer(DONT_KNOW, None, "")
    target = min(3, max(0, round(maturity * 3 + rng.uniform(-1.0, 1.0))))
    value: Any
    if question.type in {"single", "multi"}:
        ranked = sorted(question.options, key=lambda o: (abs(o.level - target), o.id))
        value = ranked[0].id if question.type == "single" else [ranked[0].id]
    elif question.type in {"number", "percent"}:
        value = number_for_level(question, target, rng)
    elif question.type == "date":
        value = (day - dt.timedelta(days=rng.randint(30, 500))).isoformat()
    else:
        value = "Réponse synthétique."
    return RawAnswer("answered", value, "")


def _registers(spec: Spec, establishment_id: int, maturity: float, ids: _Ids,
               rng: random.Random, batch: Batch) -> None:
    today = spec.today
    created = _at(today - dt.timedelta(days=400), rng)
    if rng.random() < 0.45 + 0.5 * maturity:  # held an exercise (some more than 12 months ago)
        held_on = today - dt.timedelta(days=rng.randint(20, int(200 + 500 * (1 - maturity))))
        has_retex = rng.random() < maturity + 0.2
        exercise_id = ids.take("crisis_exercises")
        batch["crisis_exercises"].append({
            "id": exercise_id, "establishment_id": establishment_id, "status": "held",
            "held_on": held_on, "type": rng.choice(EXERCISE_TYPES),
            "kit_level": rng.choice(KIT_LEVELS), "scenario": rng.choice(SCENARIOS),
            "scenario_detail": "", "functions": ["direction", "it", "communication", "medical"][
                : 2 + rng.randint(0, 2)],
            "duration_hours": float(rng.choice([2, 3, 4, 6])),
            "objectives": "Activer la cellule de crise et tenir deux heures en mode dégradé.",
            "retex_on": held_on + dt.timedelta(days=21) if has_retex else None,
            "retex_summary": "Annuaire de crise à jour ; fiches réflexes à imprimer."
            if has_retex else "", "created_at": created, "updated_at": created,
            "updated_by_id": None, "revision": 1})
        if has_retex:
            batch["exercise_findings"].append({
                "id": ids.take("exercise_findings"), "exercise_id": exercise_id,
                "text": "Les fiches réflexes du mode dégradé ne sont pas imprimées.",
                "action_id": None, "created_at": created})
    if rng.random() < 0.35:
        batch["crisis_exercises"].append({
            "id": ids.take("crisis_exercises"), "establishment_id": establishment_id,
            "status": "planned", "held_on": today + dt.timedelta(days=rng.randint(15, 200)),
            "type": "tabletop", "kit_level": "intermediate", "scenario": "ehr_outage",
            "scenario_detail": "", "functions": [], "duration_hours": None,
            "objectives": "Tester la bascule sur les procédures papier.", "retex_on": None,
            "retex_summary": "", "created_at": created, "updated_at": created,
            "updated_by_id": None, "revision": 1})
    m = _clip(maturity + rng.uniform(-0.1, 0.1), 0.0, 1.0)
    if m > 0.15:
        batch["continuity_profiles"].append({
            "id": ids.take("continuity_profiles"), "establishment_id": establishment_id,
            "pssi_reviewed_on": dt.date(today.year - 4 + int(m * 4), 3, 1),
            "continuity_lead": "Direction des soins" if m > 0.4 else "",
            "plan_blanc_digital_on": dt.date(today.year - 1, 6, 1) if m > 0.5 else None,
            "crisis_cell_defined": m > 0.35, "test_schedule_defined": True if m > 0.7 else None,
            "continuity_organisation": True if m > 0.3 else None,
            "governance_scheme": True if m > 0.5 else None,
            "crisis_reporting_defined": (m > 0.45) if m > 0.3 else None,
            "absent_perimeters": [], "backup_policy": m > 0.3, "backup_outsourced": m > 0.5,
            "backup_policy_reviewed_on": dt.date(today.year - 1, 9, 1) if m > 0.3 else None,
            "backup_plans_up_to_date": m > 0.45,
            "backup_contract_clauses": (m > 0.65) if m > 0.5 else None,
            "backup_auth": "dedicated_ad" if m > 0.7 else (
                "local_accounts" if m > 0.4 else "production_ad"),
            "backup_ads_level": 3 if m > 0.7 else None, "backup_least_privilege": m > 0.5,
            "backup_mfa": "yes" if m > 0.75 else "no", "backup_isolable": m > 0.6,
            "backup_segmentation": "planned" if m > 0.55 else "none",
            "backup_segmentation_milestone_on": today + dt.timedelta(days=120)
            if m > 0.55 else None,
            "backup_321": "reached" if m > 0.8 else ("planned" if m > 0.5 else "none"),
            "backup_321_milestone_on": today + dt.timedelta(days=200)
            if 0.5 < m <= 0.8 else None,
            "backup_copy_immutable": m > 0.8, "backup_copy_offline": None,
            "backup_copy_offsite": m > 0.8, "backup_monitored": m > 0.5,
            "business_referent": True if m > 0.6 else None,
            "multi_entity": False, "pcra_activity_share": None,
            "field_test_activity_share": None,
            "restore_tested_on": today - dt.timedelta(days=rng.randint(30, 300))
            if m > 0.55 else None,
            "restore_test_result": "success" if m > 0.55 else None,
            "updated_by_id": None, "updated_at": created, "revision": 1})
    for position, (kind, name) in enumerate(KINDS[: 2 + int(m * 3.99)]):
        formal = m > 0.3 + position * 0.1
        tested = formal and m > 0.6
        batch["critical_activities"].append({
            "id": ids.take("critical_activities"), "establishment_id": establishment_id,
            "kind": kind, "name": name, "most_critical": kind == "administrative",
            "bia_done": formal, "rto_hours": float(4 * (position + 1)),
            "rpo_hours": float(position + 1) if formal else None, "degraded_procedure": formal,
            "pca_status": ("tested" if tested else "formalised") if formal else "in_progress",
            "pra_status": "formalised" if tested else "in_progress",
            "last_test_on": today - dt.timedelta(days=rng.randint(30, 300)) if tested else None,
            "last_test_result": rng.choice(["success", "partial"]) if tested else None,
            "created_at": created, "updated_at": created, "updated_by_id": None, "revision": 1})


def _roadmap(spec: Spec, establishment_id: int, maturity: float, latest: tuple[Any, float],
             ids: _Ids, rng: random.Random, batch: Batch) -> None:
    result, _ = latest
    created = _at(spec.today - dt.timedelta(days=rng.randint(20, 300)), rng)
    for proposal in _question_proposals(spec.questionnaire, result.questions):
        draw = rng.random()
        status = ("done" if draw < 0.35 * maturity else
                  "in_progress" if draw < 0.35 * maturity + 0.3 else "todo")
        due = None
        if status != "todo" or rng.random() < 0.3:
            due = spec.today + dt.timedelta(days=rng.randint(-120, 365))
        batch["roadmap_actions"].append({
            "id": ids.take("roadmap_actions"), "establishment_id": establishment_id,
            "key": proposal.key, "origin": proposal.origin.value,
            "origin_ref": proposal.origin_ref, "suggested_title": dict(proposal.title),
            "title": None, "detail": dict(proposal.detail), "axis_id": proposal.axis_id,
            "domain": proposal.domain, "suggested_priority": proposal.priority.value,
            "priority": proposal.priority.value, "priority_edited": False, "rank": proposal.rank,
            "owner": "RSSI" if status != "todo" else "", "due_on": due, "status": status,
            "abandon_reason": "", "comment": "", "gap_closed": False, "created_at": created,
            "updated_at": created, "updated_by_id": None, "revision": 1})
