"""D2 readiness (continuity and recovery): a checklist computed from the registers (pure).

Each prerequisite and objective of the ANS D2 guide (D2.P1 to D2.O4, order of 3 July 2025) is
met, not met, or unknown (the register does not say), with the facts that decided it. The
dates and thresholds come from d2_rules.yaml, each with its source (careapp.resilience.rules).
"Unknown" is never counted as met. A blank field is unknown, not "not met": only a stated fact
(an old date, a "no", a failed test, a BIA missing where activities are listed) is "not met", so
that saving one field never turns the others into failures.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from careapp.messages import Figure, Msg
from careapp.resilience.models import (
    MEDICO_TECHNICAL,
    ActivityKind,
    BackupAuth,
    BackupMfa,
    Perimeter,
    PlanStatus,
    TestResult,
    Trajectory,
)
from careapp.resilience.rules import RULES, D2Rules

# Module constants: enum member lookups are slow in loops (regional summaries run 3,000 times).
FORMAL = frozenset({PlanStatus.FORMALISED, PlanStatus.TESTED})
CARE, ADMIN = ActivityKind.CARE_SERVICE, ActivityKind.ADMINISTRATIVE


class Readiness(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class ProfileLike(Protocol):
    pssi_reviewed_on: dt.date | None
    continuity_organisation: bool | None
    continuity_lead: str
    governance_scheme: bool | None
    plan_blanc_digital_on: dt.date | None
    crisis_cell_defined: bool | None
    crisis_reporting_defined: bool | None
    absent_perimeters: list[str]
    multi_entity: bool | None
    pcra_activity_share: float | None
    field_test_activity_share: float | None
    test_schedule_defined: bool | None
    backup_policy: bool | None
    backup_policy_reviewed_on: dt.date | None
    backup_plans_up_to_date: bool | None
    backup_outsourced: bool | None
    backup_contract_clauses: bool | None
    backup_auth: BackupAuth | None
    backup_ads_level: int | None
    backup_least_privilege: bool | None
    backup_mfa: BackupMfa | None
    backup_isolable: bool | None
    backup_segmentation: Trajectory | None
    backup_segmentation_milestone_on: dt.date | None
    backup_321: Trajectory | None
    backup_321_milestone_on: dt.date | None
    backup_copy_immutable: bool | None
    backup_copy_offline: bool | None
    backup_copy_offsite: bool | None
    backup_monitored: bool | None
    restore_tested_on: dt.date | None
    restore_test_result: TestResult | None
    business_referent: bool | None


class ActivityLike(Protocol):
    kind: ActivityKind
    name: str
    most_critical: bool
    bia_done: bool
    pca_status: PlanStatus
    pra_status: PlanStatus
    last_test_on: dt.date | None


@dataclass(frozen=True)
class CheckItem:
    id: str
    kind: str  # "prerequisite" or "objective"
    label: Msg
    status: Readiness
    evidence: Msg
    ref: str = ""  # the ANS D2 guide's reference (D2.P1…), from d2_rules.yaml


@dataclass(frozen=True)
class D2Readiness:
    items: tuple[CheckItem, ...]

    @property
    def met(self) -> int:
        return sum(1 for i in self.items if i.status is Readiness.MET)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def unknown(self) -> int:
        return sum(1 for i in self.items if i.status is Readiness.UNKNOWN)

    @property
    def ready(self) -> bool:
        return self.met == self.total

    def item(self, item_id: str) -> CheckItem:
        return next(i for i in self.items if i.id == item_id)


# Messages without parameters, built once (a national refresh runs the checklist 3,000 times
# per campaign; a Msg is immutable text, so sharing one is the same as building it again).
_NOT_STATED = Msg("Non renseigné.")
_STATED_PRESENT = Msg("Déclaré en place.")
_STATED_ABSENT = Msg("Déclaré absent.")
LABELS = {
    "pssi": Msg("PSSI signée et revue depuis le 16 juillet 2022"),
    "project_lead": Msg("Organisation projet de la continuité décrite (un responsable nommé "
                        "est recommandé, non exigé)"),
    "governance_scheme": Msg("Schéma de gouvernance de la continuité et de la reprise"),
    "plan_blanc": Msg("Risque cyber intégré au plan blanc"),
    "crisis_cell": Msg("Procédures de crise cyber : cellule de crise et modalités de "
                       "signalement"),
    "bia_coverage": Msg("BIA couvrant, s'ils existent, un service de soins critique, le "
                        "processus administratif le plus critique et une plateforme "
                        "médico-technique"),
    "pca_formalised": Msg("Plan de continuité et de reprise (PCA et PRA) formalisé pour les "
                          "activités analysées"),
    "field_test": Msg("Au moins un test terrain d'un PCA pendant la phase opérationnelle"),
    "test_schedule": Msg("Calendrier de tests des plans défini"),
    "backup_policy": Msg("Politique de sauvegarde et de restauration validée et revue depuis le "
                         "16 juillet 2022, clauses pour les sauvegardes externalisées ou SaaS"),
    "backup_plans": Msg("Plans de sauvegarde des systèmes critiques à jour, avec leur procédure "
                        "de mise à jour"),
    "backup_auth": Msg("Sauvegardes : authentification indépendante, moindre privilège, MFA si "
                       "le produit le permet"),
    "backup_isolation": Msg("Sauvegardes isolables (« bouton rouge ») et trajectoire de "
                            "cloisonnement"),
    "backup_321": Msg("Trajectoire 3-2-1 datée vers une copie à la fois immuable, et hors ligne "
                      "ou hors site"),
    "backup_monitoring": Msg("Sauvegardes supervisées, avec une procédure en cas d'échec"),
    "restore_test": Msg("Restauration réelle en production réussie pendant la phase "
                        "opérationnelle, avec un référent métier"),
}
PREREQUISITES = frozenset({"pssi", "project_lead"})
_NO_ACTIVITY = Msg("Aucune activité critique enregistrée.")
_MISSING = {Perimeter.CARE_SERVICE: Msg("un service de soins"),
            Perimeter.ADMINISTRATIVE: Msg("le processus administratif le plus critique"),
            Perimeter.MEDICO_TECHNICAL: Msg("une plateforme médico-technique")}
_NO_BIA = Msg("Aucune activité analysée par un BIA.")


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _item(item_id: str, status: Readiness, evidence: Msg) -> CheckItem:
    kind = "prerequisite" if item_id in PREREQUISITES else "objective"
    return CheckItem(item_id, kind, LABELS[item_id], status, evidence,
                     RULES.refs.get(item_id, ""))


def _join(parts: list[Msg]) -> Msg:
    # A fixed pattern per count keeps each part translatable on its own.
    patterns = {1: "%(a)s", 2: "%(a)s ; %(b)s", 3: "%(a)s ; %(b)s ; %(c)s",
                4: "%(a)s ; %(b)s ; %(c)s ; %(d)s"}
    return Msg(patterns[len(parts)], **dict(zip("abcd", parts, strict=False)))


def _combine(item_id: str, failed: list[Msg], unknown: list[Msg], met: Msg) -> CheckItem:
    """Several facts make one item: one stated failure fails it, then one blank leaves it unknown."""
    if failed:
        return _item(item_id, Readiness.NOT_MET, _join(failed))
    if unknown:
        return _item(item_id, Readiness.UNKNOWN,
                     Msg("Non renseigné : %(what)s.", what=_join(unknown)))
    return _item(item_id, Readiness.MET, met)


def _stated(item_id: str, value: bool | None) -> CheckItem:
    if value is None:
        return _item(item_id, Readiness.UNKNOWN, _NOT_STATED)
    if value:
        return _item(item_id, Readiness.MET, _STATED_PRESENT)
    return _item(item_id, Readiness.NOT_MET, _STATED_ABSENT)


def _pssi(p: ProfileLike | None, rules: D2Rules) -> CheckItem:
    if p is None or p.pssi_reviewed_on is None:
        return _item("pssi", Readiness.UNKNOWN, Msg("Date de révision de la PSSI non renseignée."))
    when = _date(p.pssi_reviewed_on)
    if p.pssi_reviewed_on >= rules.pssi_reviewed_since:
        return _item("pssi", Readiness.MET, Msg("PSSI révisée le %(date)s.", date=when))
    return _item("pssi", Readiness.NOT_MET,
                 Msg("Dernière révision le %(date)s, avant le %(since)s.", date=when,
                     since=_date(rules.pssi_reviewed_since)))


def _organisation(p: ProfileLike | None) -> CheckItem:
    """D2.P2: the organisation is the prerequisite; a named lead is only recommended."""
    if p is None:
        return _item("project_lead", Readiness.UNKNOWN, _NOT_STATED)
    lead = p.continuity_lead.strip()
    if p.continuity_organisation is False:
        return _item("project_lead", Readiness.NOT_MET,
                     Msg("Organisation projet déclarée absente."))
    if p.continuity_organisation:
        return _item("project_lead", Readiness.MET,
                     Msg("Organisation projet décrite ; responsable : %(name)s.", name=lead)
                     if lead else Msg("Organisation projet décrite, sans responsable nommé "
                                      "(recommandé, non exigé)."))
    if lead:  # a named continuity lead is an organisation, even if the box was left blank
        return _item("project_lead", Readiness.MET, Msg("Responsable nommé : %(name)s.", name=lead))
    return _item("project_lead", Readiness.UNKNOWN, _NOT_STATED)


def _plan_blanc(p: ProfileLike | None) -> CheckItem:
    if p is None or p.plan_blanc_digital_on is None:
        return _item("plan_blanc", Readiness.UNKNOWN,
                     Msg("Aucune date de volet numérique du plan blanc."))
    return _item("plan_blanc", Readiness.MET,
                 Msg("Volet numérique du plan blanc daté du %(date)s.",
                     date=_date(p.plan_blanc_digital_on)))


def _crisis_procedures(p: ProfileLike | None) -> CheckItem:
    """D2.O1.b: the cyber-crisis procedures include the crisis cell and how to report."""
    cell = p.crisis_cell_defined if p else None
    reporting = p.crisis_reporting_defined if p else None
    failed, unknown = [], []
    for value, what in ((cell, Msg("la cellule de crise")),
                        (reporting, Msg("les modalités de signalement"))):
        if value is False:
            failed.append(Msg("Procédures sans %(what)s.", what=what))
        elif value is None:
            unknown.append(what)
    return _combine("crisis_cell", failed, unknown,
                    Msg("Cellule de crise et modalités de signalement définies."))


def _exists(perimeter: Perimeter, activity: ActivityLike) -> bool:
    if perimeter is Perimeter.CARE_SERVICE:
        return activity.kind is CARE
    if perimeter is Perimeter.ADMINISTRATIVE:
        return activity.kind is ADMIN
    return activity.kind in MEDICO_TECHNICAL


def _required_perimeters(p: ProfileLike | None,
                         activities: Sequence[ActivityLike]) -> list[Perimeter]:
    """The perimeters that exist: not declared absent, or proven by a registered activity of
    that kind (a pharmacy on the register exists, whatever the box says)."""
    absent = set(p.absent_perimeters) if p else set()
    return [q for q in Perimeter
            if q.value not in absent or any(_exists(q, a) for a in activities)]


def _covers(perimeter: Perimeter, activity: ActivityLike) -> bool:
    """An activity whose BIA answers for the perimeter: for the administrative one, only the
    most critical process counts."""
    return _exists(perimeter, activity) and (perimeter is not Perimeter.ADMINISTRATIVE
                                             or activity.most_critical)


def _bia(p: ProfileLike | None, activities: Sequence[ActivityLike]) -> CheckItem:
    """D2.O1.c: the three perimeters "s'ils existent au sein de la structure"."""
    required = _required_perimeters(p, activities)
    if not required:
        return _item("bia_coverage", Readiness.UNKNOWN,
                     Msg("Les trois périmètres sont déclarés inexistants : vérifiez la fiche."))
    if not activities:
        return _item("bia_coverage", Readiness.UNKNOWN, _NO_ACTIVITY)
    covered = [a for a in activities if a.bia_done]
    missing = [_MISSING[q] for q in required if not any(_covers(q, a) for a in covered)]
    if missing:
        return _item("bia_coverage", Readiness.NOT_MET,
                     Msg("BIA manquant pour : %(what)s.", what=_join(missing)))
    skipped = len(Perimeter) - len(required)
    return _item("bia_coverage", Readiness.MET,
                 Msg("%(count)d activité(s) couverte(s) par un BIA ; %(skipped)d périmètre(s) "
                     "sans objet dans la structure.", count=len(covered), skipped=skipped)
                 if skipped else
                 Msg("%(count)d activité(s) couverte(s) par un BIA.", count=len(covered)))


def _share(p: ProfileLike | None, share: float | None, what: Msg,
           rules: D2Rules) -> tuple[list[Msg], list[Msg]]:
    """The 66 % rule of multi-entity candidatures (GHT with several FINESS EJ, or several EG)."""
    if p is None or p.multi_entity is False:
        return [], []
    if p.multi_entity is None:  # unknown never counts as met: one entity or several?
        return [], [Msg("candidature pour une ou plusieurs entités")]
    if share is None:
        return [], [Msg("part de l'activité couverte (%(what)s)", what=what)]
    if share < rules.multi_entity_share_min:
        return [Msg("%(what)s : %(share)s %% de l'activité combinée, moins de %(min)s %%.",
                    what=what, share=Figure(share, places=None),
                    min=Figure(rules.multi_entity_share_min, places=None))], []
    return [], []


def _pcra(p: ProfileLike | None, activities: Sequence[ActivityLike], rules: D2Rules) -> CheckItem:
    """D2.O1.c: a PCRA (continuity AND recovery) on the analysed activities."""
    covered = [a for a in activities if a.bia_done]
    if not covered:
        return _item("pca_formalised",
                     Readiness.UNKNOWN if not activities else Readiness.NOT_MET, _NO_BIA)
    failed, unknown = _share(p, p.pcra_activity_share if p else None,
                             Msg("BIA et PCRA"), rules)
    lacking = [a for a in covered if a.pca_status not in FORMAL or a.pra_status not in FORMAL]
    if lacking:
        failed.insert(0, Msg("PCA ou PRA non formalisé pour %(count)d activité(s) : %(names)s.",
                             count=len(lacking), names=", ".join(a.name for a in lacking)))
    return _combine("pca_formalised", failed, unknown,
                    Msg("PCA et PRA formalisés pour les %(count)d activité(s) analysée(s).",
                        count=len(covered)))


def _field_test(p: ProfileLike | None, activities: Sequence[ActivityLike],
                rules: D2Rules) -> CheckItem:
    """D2.O1.d: a field test during the operational phase (after the order of 3 July 2025)."""
    dated = [a for a in activities if a.last_test_on is not None]
    start = rules.operational_phase_start
    in_phase = [a for a in dated if a.last_test_on and a.last_test_on >= start]
    if not in_phase:
        if dated:
            last = max(dated, key=lambda a: a.last_test_on or dt.date.min)
            return _item("field_test", Readiness.NOT_MET,
                         Msg("Dernier test le %(date)s (%(name)s), avant la phase "
                             "opérationnelle (%(start)s).", name=last.name,
                             date=_date(last.last_test_on or dt.date.min), start=_date(start)))
        if not activities:
            return _item("field_test", Readiness.UNKNOWN, _NO_ACTIVITY)
        return _item("field_test", Readiness.NOT_MET,
                     Msg("Aucune date de test terrain enregistrée."))
    last = max(in_phase, key=lambda a: a.last_test_on or dt.date.min)
    failed, unknown = _share(p, p.field_test_activity_share if p else None,
                             Msg("test de PCA"), rules)
    return _combine("field_test", failed, unknown,
                    Msg("Dernier test : %(name)s, le %(date)s.", name=last.name,
                        date=_date(last.last_test_on or dt.date.min)))


def _backup_policy(p: ProfileLike | None, rules: D2Rules) -> CheckItem:
    """D2.O2.a: a validated policy, updated since 16 July 2022, that covers outsourced and SaaS
    backups through contract clauses."""
    if p is None or p.backup_policy is None:
        return _item("backup_policy", Readiness.UNKNOWN, _NOT_STATED)
    if p.backup_policy is False:
        return _item("backup_policy", Readiness.NOT_MET, _STATED_ABSENT)
    failed: list[Msg] = []
    unknown: list[Msg] = []
    since = rules.backup_policy_reviewed_since
    reviewed = p.backup_policy_reviewed_on
    if reviewed is None:
        unknown.append(Msg("date de la dernière revue de la politique"))
    elif reviewed < since:
        failed.append(Msg("Politique revue le %(date)s, avant le %(since)s.",
                          date=_date(reviewed), since=_date(since)))
    if p.backup_outsourced is None:
        unknown.append(Msg("sauvegardes externalisées ou SaaS"))
    elif p.backup_outsourced:
        if p.backup_contract_clauses is None:
            unknown.append(Msg("clauses contractuelles des sauvegardes externalisées"))
        elif not p.backup_contract_clauses:
            failed.append(Msg("Sauvegardes externalisées sans clauses contractuelles."))
    met = (Msg("Politique revue le %(date)s ; clauses contractuelles pour les sauvegardes "
               "externalisées.", date=_date(reviewed or since))
           if p.backup_outsourced else
           Msg("Politique revue le %(date)s, sans sauvegarde externalisée.",
               date=_date(reviewed or since)))
    return _combine("backup_policy", failed, unknown, met)


def _backup_auth(p: ProfileLike | None, rules: D2Rules) -> CheckItem:
    """D2.O3.a: independent authentication, least privilege, MFA if the product allows it,
    and a dedicated directory audited by ADS at the guide's minimum level."""
    failed: list[Msg] = []
    unknown: list[Msg] = []
    auth = p.backup_auth if p else None
    if auth is None:
        unknown.append(Msg("système d'authentification"))
    elif auth is BackupAuth.PRODUCTION_AD:
        failed.append(Msg("Authentification par l'annuaire de production, non indépendante."))
    elif auth is BackupAuth.DEDICATED_AD:
        level = p.backup_ads_level if p else None
        if level is None:
            unknown.append(Msg("niveau ADS de l'annuaire dédié"))
        elif level < rules.backup_directory_ads_min:
            failed.append(Msg("Annuaire dédié au niveau ADS %(level)d, moins que %(min)d.",
                              level=level, min=rules.backup_directory_ads_min))
    privilege = p.backup_least_privilege if p else None
    if privilege is None:
        unknown.append(Msg("moindre privilège"))
    elif not privilege:
        failed.append(Msg("Rôles de sauvegarde non réduits au strict nécessaire."))
    mfa = p.backup_mfa if p else None
    if mfa is None:
        unknown.append(Msg("MFA"))
    elif mfa is BackupMfa.NO:
        failed.append(Msg("Pas de MFA alors que le produit le permet."))
    met = (Msg("Authentification indépendante et moindre privilège ; le produit ne permet pas "
               "de MFA.") if mfa is BackupMfa.UNSUPPORTED
           else Msg("Authentification indépendante, moindre privilège et MFA."))
    return _combine("backup_auth", failed, unknown, met)


def _trajectory(value: Trajectory | None, milestone: dt.date | None, what: Msg,
                failed: list[Msg], unknown: list[Msg], today: dt.date) -> None:
    if value is None:
        unknown.append(what)
    elif value is Trajectory.NONE:
        failed.append(Msg("Aucune trajectoire : %(what)s.", what=what))
    elif value is Trajectory.PLANNED and milestone is None:
        unknown.append(Msg("prochain jalon daté (%(what)s)", what=what))
    elif value is Trajectory.PLANNED and milestone is not None and milestone < today:
        # a trajectory whose next milestone has passed is no longer followed
        failed.append(Msg("Prochain jalon du %(date)s dépassé : mettez à jour la trajectoire "
                          "(%(what)s).", date=_date(milestone), what=what))


def _backup_isolation(p: ProfileLike | None, today: dt.date) -> CheckItem:
    """D2.O3.b: able to isolate the backups (red button), on a segmentation trajectory."""
    failed: list[Msg] = []
    unknown: list[Msg] = []
    isolable = p.backup_isolable if p else None
    if isolable is None:
        unknown.append(Msg("« bouton rouge »"))
    elif not isolable:
        failed.append(Msg("Les sauvegardes ne peuvent pas être isolées en cas d'incident."))
    _trajectory(p.backup_segmentation if p else None,
                p.backup_segmentation_milestone_on if p else None,
                Msg("cloisonnement de l'infrastructure de sauvegarde"), failed, unknown, today)
    return _combine("backup_isolation", failed, unknown,
                    Msg("Sauvegardes isolables ; cloisonnement atteint ou planifié."))


def _backup_321(p: ProfileLike | None, today: dt.date) -> CheckItem:
    """D2.O3.c: a dated trajectory to 3-2-1 whose protected copy is immutable AND (offline OR
    off-site); once 3-2-1 is said reached, the copy must be so."""
    value = p.backup_321 if p else None
    failed: list[Msg] = []
    unknown: list[Msg] = []
    _trajectory(value, p.backup_321_milestone_on if p else None, Msg("règle 3-2-1"),
                failed, unknown, today)
    if failed or unknown or p is None:
        return _combine("backup_321", failed, unknown, _NOT_STATED)
    if value is Trajectory.PLANNED:
        return _item("backup_321", Readiness.MET,
                     Msg("Trajectoire 3-2-1 définie ; prochain jalon le %(date)s.",
                         date=_date(p.backup_321_milestone_on or dt.date.min)))
    immutable, offline, offsite = (p.backup_copy_immutable, p.backup_copy_offline,
                                   p.backup_copy_offsite)
    if immutable is False:
        failed.append(Msg("3-2-1 déclarée atteinte, mais la copie protégée n'est pas "
                          "immuable."))
    elif immutable is None:
        unknown.append(Msg("copie immuable"))
    if offline is False and offsite is False:
        failed.append(Msg("3-2-1 déclarée atteinte, mais la copie protégée n'est ni hors ligne "
                          "ni hors site."))
    elif not (offline or offsite):
        unknown.append(Msg("copie hors ligne ou hors site"))
    return _combine("backup_321", failed, unknown,
                    Msg("3-2-1 atteinte avec une copie à la fois immuable, et hors ligne ou hors "
                        "site."))


def _restore(p: ProfileLike | None, rules: D2Rules) -> CheckItem:
    """D2.O4: a real, complete restore into production during the operational phase, with a
    business referent identified."""
    if p is None or p.restore_tested_on is None:
        return _item("restore_test", Readiness.UNKNOWN,
                     Msg("Aucun test de restauration enregistré."))
    when = _date(p.restore_tested_on)
    start = rules.operational_phase_start
    if p.restore_tested_on < start:  # whatever its result, it does not count
        return _item("restore_test", Readiness.NOT_MET,
                     Msg("Test du %(date)s, avant la phase opérationnelle (%(start)s).",
                         date=when, start=_date(start)))
    if p.restore_test_result is None:
        return _item("restore_test", Readiness.UNKNOWN,
                     Msg("Test du %(date)s, résultat non renseigné.", date=when))
    if p.restore_test_result is TestResult.FAILURE:
        return _item("restore_test", Readiness.NOT_MET,
                     Msg("Le test du %(date)s a échoué.", date=when))
    if p.restore_test_result is TestResult.PARTIAL:
        return _item("restore_test", Readiness.NOT_MET,
                     Msg("Le test du %(date)s n'a réussi qu'en partie : l'objectif demande une "
                         "remise en production complète.", date=when))
    if p.business_referent is None:
        return _item("restore_test", Readiness.UNKNOWN,
                     Msg("Test du %(date)s réussi ; référent métier non renseigné.", date=when))
    if not p.business_referent:
        return _item("restore_test", Readiness.NOT_MET,
                     Msg("Test du %(date)s réussi, mais aucun référent métier identifié.",
                         date=when))
    return _item("restore_test", Readiness.MET, Msg("Test du %(date)s réussi.", date=when))


def d2_readiness(profile: ProfileLike | None, activities: Iterable[ActivityLike],
                 rules: D2Rules = RULES, today: dt.date | None = None) -> D2Readiness:
    """`today` decides whether a trajectory's next milestone has passed."""
    activities = list(activities)
    today = today or dt.date.today()
    p = profile
    return D2Readiness((
        _pssi(p, rules),
        _organisation(p),
        _stated("governance_scheme", p.governance_scheme if p else None),
        _plan_blanc(p),
        _crisis_procedures(p),
        _bia(p, activities),
        _pcra(p, activities, rules),
        _field_test(p, activities, rules),
        _stated("test_schedule", p.test_schedule_defined if p else None),
        _backup_policy(p, rules),
        _stated("backup_plans", p.backup_plans_up_to_date if p else None),
        _backup_auth(p, rules),
        _backup_isolation(p, today),
        _backup_321(p, today),
        _stated("backup_monitoring", p.backup_monitored if p else None),
        _restore(p, rules),
    ))
