"""D2 readiness (continuity and recovery): a checklist computed from the registers (pure).

Each item of the D2 prerequisites and objectives (care-reference.md, order of 3 July 2025) is
met, not met, or unknown (the register does not say), with the facts that decided it.
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

from careapp.messages import Msg
from careapp.resilience.models import MEDICO_TECHNICAL, ActivityKind, PlanStatus, TestResult

# "A PSSI signed and reviewed recently (since mid-2022)".
PSSI_REVIEWED_SINCE = dt.date(2022, 7, 1)
# Module constants: enum member lookups are slow in loops (regional summaries run 3,000 times).
FORMAL = frozenset({PlanStatus.FORMALISED, PlanStatus.TESTED})
CARE, ADMIN = ActivityKind.CARE_SERVICE, ActivityKind.ADMINISTRATIVE


class Readiness(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class ProfileLike(Protocol):
    pssi_reviewed_on: dt.date | None
    continuity_lead: str
    plan_blanc_digital_on: dt.date | None
    crisis_cell_defined: bool | None
    test_schedule_defined: bool | None
    backup_policy: bool | None
    backup_321_offline: bool | None
    backup_own_auth_mfa: bool | None
    backup_isolated: bool | None
    backup_monitored: bool | None
    restore_tested_on: dt.date | None
    restore_test_result: TestResult | None


class ActivityLike(Protocol):
    kind: ActivityKind
    name: str
    most_critical: bool
    bia_done: bool
    pca_status: PlanStatus
    last_test_on: dt.date | None


@dataclass(frozen=True)
class CheckItem:
    id: str
    kind: str  # "prerequisite" or "objective"
    label: Msg
    status: Readiness
    evidence: Msg


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
_PSSI_LABEL = Msg("PSSI signée et révisée depuis mi-2022")
_PSSI_NO_DATE = Msg("Date de révision de la PSSI non renseignée.")
_LEAD_LABEL = Msg("Organisation projet de la continuité (un responsable nommé est recommandé)")
_NO_LEAD = Msg("Aucun responsable indiqué.")
_PLAN_BLANC_LABEL = Msg("Risque cyber intégré au plan blanc, avec des procédures de crise cyber")
_NO_PLAN_BLANC_DATE = Msg("Aucune date de volet numérique du plan blanc.")
_BIA_LABEL = Msg("BIA couvrant au moins un service de soins critique, le processus administratif "
                "le plus critique et une plateforme médico-technique")
_NO_ACTIVITY = Msg("Aucune activité critique enregistrée.")
_MISSING_CARE = Msg("un service de soins")
_MISSING_ADMIN = Msg("le processus administratif le plus critique")
_MISSING_MEDICO = Msg("une plateforme médico-technique")
_PCA_LABEL = Msg("Plan de continuité formalisé pour les activités analysées (BIA)")
_NO_BIA = Msg("Aucune activité analysée par un BIA.")
_FIELD_TEST_LABEL = Msg("Au moins un test terrain d'un plan de continuité")
_NO_FIELD_TEST = Msg("Aucune date de test terrain enregistrée.")
_RESTORE_LABEL = Msg("Au moins une restauration réelle en production réussie")
_NO_RESTORE_TEST = Msg("Aucun test de restauration enregistré.")
_CRISIS_CELL_LABEL = Msg("Cellule de crise définie pour une crise cyber")
_TEST_SCHEDULE_LABEL = Msg("Calendrier de tests des plans défini")
_BACKUP_POLICY_LABEL = Msg("Politique de sauvegarde et de restauration, plans de sauvegarde à jour")
_BACKUP_AUTH_LABEL = Msg("Systèmes de sauvegarde avec leur propre authentification et MFA")
_BACKUP_ISOLATION_LABEL = Msg("Sauvegardes isolables de la production (« bouton rouge »)")
_BACKUP_321_LABEL = Msg("Règle 3-2-1 avec une copie immuable, hors ligne ou hors site")
_BACKUP_MONITORING_LABEL = Msg("Sauvegardes supervisées")


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _stated(value: bool | None, label: Msg, item_id: str, kind: str = "objective") -> CheckItem:
    if value is None:
        return CheckItem(item_id, kind, label, Readiness.UNKNOWN, _NOT_STATED)
    if value:
        return CheckItem(item_id, kind, label, Readiness.MET, _STATED_PRESENT)
    return CheckItem(item_id, kind, label, Readiness.NOT_MET, _STATED_ABSENT)


def _pssi(profile: ProfileLike | None) -> CheckItem:
    label = _PSSI_LABEL
    if profile is None or profile.pssi_reviewed_on is None:
        return CheckItem("pssi", "prerequisite", label, Readiness.UNKNOWN,
                         _PSSI_NO_DATE)
    when = _date(profile.pssi_reviewed_on)
    if profile.pssi_reviewed_on >= PSSI_REVIEWED_SINCE:
        return CheckItem("pssi", "prerequisite", label, Readiness.MET,
                         Msg("PSSI révisée le %(date)s.", date=when))
    return CheckItem("pssi", "prerequisite", label, Readiness.NOT_MET,
                     Msg("Dernière révision le %(date)s, avant juillet 2022.", date=when))


def _lead(profile: ProfileLike | None) -> CheckItem:
    label = _LEAD_LABEL
    if profile is None:
        return CheckItem("project_lead", "prerequisite", label, Readiness.UNKNOWN,
                         _NOT_STATED)
    if profile.continuity_lead.strip():
        return CheckItem("project_lead", "prerequisite", label, Readiness.MET,
                         Msg("Responsable : %(name)s.", name=profile.continuity_lead.strip()))
    return CheckItem("project_lead", "prerequisite", label, Readiness.UNKNOWN,
                     _NO_LEAD)


def _plan_blanc(profile: ProfileLike | None) -> CheckItem:
    label = _PLAN_BLANC_LABEL
    if profile is None:
        return CheckItem("plan_blanc", "objective", label, Readiness.UNKNOWN, _NOT_STATED)
    if profile.plan_blanc_digital_on is None:
        return CheckItem("plan_blanc", "objective", label, Readiness.UNKNOWN,
                         _NO_PLAN_BLANC_DATE)
    return CheckItem("plan_blanc", "objective", label, Readiness.MET,
                     Msg("Volet numérique du plan blanc daté du %(date)s.",
                         date=_date(profile.plan_blanc_digital_on)))


def _bia(activities: Sequence[ActivityLike]) -> CheckItem:
    label = _BIA_LABEL
    if not activities:
        return CheckItem("bia_coverage", "objective", label, Readiness.UNKNOWN,
                         _NO_ACTIVITY)
    covered = [a for a in activities if a.bia_done]
    missing = []
    if not any(a.kind is CARE for a in covered):
        missing.append(_MISSING_CARE)
    if not any(a.kind is ADMIN and a.most_critical for a in covered):
        missing.append(_MISSING_ADMIN)
    if not any(a.kind in MEDICO_TECHNICAL for a in covered):
        missing.append(_MISSING_MEDICO)
    if missing:
        return CheckItem("bia_coverage", "objective", label, Readiness.NOT_MET,
                         Msg("BIA manquant pour : %(what)s.",
                             what=_join(missing)))
    return CheckItem("bia_coverage", "objective", label, Readiness.MET,
                     Msg("%(count)d activité(s) couverte(s) par un BIA.", count=len(covered)))



def _join(parts: list[Msg]) -> Msg:
    # Three parts at most: a fixed pattern keeps each part translatable on its own.
    patterns = {1: "%(a)s", 2: "%(a)s, %(b)s", 3: "%(a)s, %(b)s, %(c)s"}
    return Msg(patterns[len(parts)], **dict(zip("abc", parts, strict=False)))


def _pca(activities: Sequence[ActivityLike]) -> CheckItem:
    label = _PCA_LABEL
    covered = [a for a in activities if a.bia_done]
    if not covered:
        return CheckItem("pca_formalised", "objective", label,
                         Readiness.UNKNOWN if not activities else Readiness.NOT_MET,
                         _NO_BIA)
    lacking = [a for a in covered if a.pca_status not in FORMAL]
    if lacking:
        return CheckItem("pca_formalised", "objective", label, Readiness.NOT_MET,
                         Msg("PCA non formalisé pour %(count)d activité(s) : %(names)s.",
                             count=len(lacking), names=", ".join(a.name for a in lacking)))
    return CheckItem("pca_formalised", "objective", label, Readiness.MET,
                     Msg("PCA formalisé pour les %(count)d activité(s) analysée(s).",
                         count=len(covered)))


def _field_test(activities: Sequence[ActivityLike]) -> CheckItem:
    label = _FIELD_TEST_LABEL
    tested = [a for a in activities if a.last_test_on is not None]
    if tested:
        last = max(tested, key=lambda a: a.last_test_on or dt.date.min)
        return CheckItem("field_test", "objective", label, Readiness.MET,
                         Msg("Dernier test : %(name)s, le %(date)s.", name=last.name,
                             date=_date(last.last_test_on or dt.date.min)))
    if not activities:
        return CheckItem("field_test", "objective", label, Readiness.UNKNOWN,
                         _NO_ACTIVITY)
    return CheckItem("field_test", "objective", label, Readiness.NOT_MET,
                     _NO_FIELD_TEST)


def _restore(profile: ProfileLike | None) -> CheckItem:
    label = _RESTORE_LABEL
    if profile is None or profile.restore_tested_on is None:
        return CheckItem("restore_test", "objective", label, Readiness.UNKNOWN,
                         _NO_RESTORE_TEST)
    when = _date(profile.restore_tested_on)
    if profile.restore_test_result is TestResult.FAILURE:
        return CheckItem("restore_test", "objective", label, Readiness.NOT_MET,
                         Msg("Le test du %(date)s a échoué.", date=when))
    if profile.restore_test_result is None:
        return CheckItem("restore_test", "objective", label, Readiness.UNKNOWN,
                         Msg("Test du %(date)s, résultat non renseigné.", date=when))
    return CheckItem("restore_test", "objective", label, Readiness.MET,
                     Msg("Test du %(date)s réussi.", date=when)
                     if profile.restore_test_result is TestResult.SUCCESS
                     else Msg("Test du %(date)s réussi en partie.", date=when))


def d2_readiness(profile: ProfileLike | None, activities: Iterable[ActivityLike]) -> D2Readiness:
    activities = list(activities)
    p = profile
    return D2Readiness((
        _pssi(p),
        _lead(p),
        _plan_blanc(p),
        _stated(p.crisis_cell_defined if p else None,
                _CRISIS_CELL_LABEL, "crisis_cell"),
        _bia(activities),
        _pca(activities),
        _field_test(activities),
        _stated(p.test_schedule_defined if p else None,
                _TEST_SCHEDULE_LABEL, "test_schedule"),
        _stated(p.backup_policy if p else None,
                _BACKUP_POLICY_LABEL,
                "backup_policy"),
        _stated(p.backup_own_auth_mfa if p else None,
                _BACKUP_AUTH_LABEL,
                "backup_auth"),
        _stated(p.backup_isolated if p else None,
                _BACKUP_ISOLATION_LABEL,
                "backup_isolation"),
        _stated(p.backup_321_offline if p else None,
                _BACKUP_321_LABEL,
                "backup_321"),
        _stated(p.backup_monitored if p else None,
                _BACKUP_MONITORING_LABEL, "backup_monitoring"),
        _restore(p),
    ))
