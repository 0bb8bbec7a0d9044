"""Display labels of the audit journal: what each recorded action means, what each object and
each detail key is called (translated when shown). The codes stay in the database as recorded;
an unknown code is shown as itself."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# Every action code passed to careapp.audit.services.record anywhere in careapp.
# tests/audit/test_labels.py greps the code for record(...) calls and fails on a missing one.
ACTIONS: dict[str, Any] = {
    # accounts and sessions
    "login.success": _l("Connexion réussie"),
    "login.password_ok": _l("Mot de passe accepté, second facteur demandé"),
    "login.failure": _l("Échec de connexion"),
    "login.throttled": _l("Connexion retardée après des échecs"),
    "login.unlock": _l("Compte débloqué"),
    "logout": _l("Déconnexion"),
    "password.change": _l("Mot de passe changé"),
    "mfa.enable": _l("Second facteur activé"),
    "mfa.replace": _l("Second facteur remplacé"),
    "mfa.disable": _l("Second facteur désactivé"),
    "api_token.create": _l("Jeton d'API créé"),
    "api_token.revoke": _l("Jeton d'API révoqué"),
    # organisations
    "establishments.import": _l("Import des établissements"),
    # campaigns and assessments
    "campaign.open": _l("Campagne ouverte"),
    "campaign.close": _l("Campagne clôturée"),
    "campaign.reopen": _l("Campagne rouverte"),
    "assessment.start": _l("Évaluation commencée"),
    "answers.save": _l("Réponses enregistrées"),
    "assessment.submit": _l("Évaluation soumise"),
    "assessment.reopen": _l("Évaluation rouverte"),
    # registers
    "exercise.create": _l("Exercice de crise ajouté"),
    "exercise.update": _l("Exercice de crise modifié"),
    "exercise.delete": _l("Exercice de crise supprimé"),
    "finding.create": _l("Constat d'exercice ajouté"),
    "finding.delete": _l("Constat d'exercice supprimé"),
    "continuity.create": _l("Profil de continuité créé"),
    "continuity.update": _l("Profil de continuité modifié"),
    "activity.create": _l("Activité critique ajoutée"),
    "activity.update": _l("Activité critique modifiée"),
    "activity.delete": _l("Activité critique supprimée"),
    # roadmap
    "roadmap.create": _l("Action de feuille de route ajoutée"),
    "roadmap.update": _l("Action de feuille de route modifiée"),
    "roadmap.delete": _l("Action de feuille de route supprimée"),
    "roadmap.regenerate": _l("Feuille de route mise à jour depuis les écarts"),
}

OBJECTS: dict[str, Any] = {
    "users": _l("Compte"),
    "api_tokens": _l("Jeton d'API"),
    "file": _l("Fichier"),
    "campaign": _l("Campagne"),
    "assessment": _l("Évaluation"),
    "establishments": _l("Établissement"),
    "crisis_exercises": _l("Exercice de crise"),
    "exercise_findings": _l("Constat d'exercice"),
    "continuity_profiles": _l("Profil de continuité"),
    "critical_activities": _l("Activité critique"),
    "roadmap_actions": _l("Action de feuille de route"),
}

# Keys of the details themselves (not fields of a register row).
DETAIL_KEYS: dict[str, Any] = {
    "changes": _l("Champs modifiés"),
    "after": _l("Champs renseignés"),
    "before": _l("Champs supprimés"),
    "section": _l("Section"),
    "wait": _l("Attente imposée (secondes)"),
    "step": _l("Étape"),
    "by": _l("Par"),
    "added": _l("Ajoutées"),
    "updated": _l("Mises à jour"),
    "closed": _l("Clôturées"),
    "reopened": _l("Rouvertes"),
    "created": _l("Créés"),
    "carried_from": _l("Reprise de l'évaluation n°"),
    "frozen_overall": _l("Score global figé jusque-là"),
    "overall": _l("Score global"),
    "scoring_version": _l("Version du calcul"),
    "name": _l("Nom"),
    "year": _l("Année"),
    "questionnaire": _l("Questionnaire (empreinte)"),
    "truncated": _l("Détails tronqués"),
    "keys": _l("Clés"),
}

STEPS: dict[str, Any] = {"code": _l("code du second facteur"),
                         "mfa-change": _l("changement du second facteur")}


def action_label(code: str) -> Any:
    """The action's label, or the code itself when it is not known."""
    return ACTIONS.get(code, code)


def object_label(object_type: str) -> Any:
    return OBJECTS.get(object_type, humanise(object_type))


def humanise(name: str) -> str:
    """`retex_summary` → `Retex summary`: a field without a label still reads as words."""
    words = str(name).replace("_", " ").replace(".", " ").strip()
    return words[:1].upper() + words[1:]


_FIELDS: dict[str, dict[str, Any]] | None = None


def _form_labels(form: type) -> dict[str, Any]:
    """name → label of a WTForms form class, read from its unbound fields."""
    found = {}
    for name in dir(form):
        unbound = getattr(form, name, None)
        if getattr(unbound, "_formfield", False):
            label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else None)
            if label:
                found[name] = label
    return found


def field_labels() -> dict[str, dict[str, Any]]:
    """object type → field name → the label its form shows (forms are imported on first use)."""
    global _FIELDS  # noqa: PLW0603  built once, the forms do not change at run time
    if _FIELDS is None:
        from careapp.resilience.forms import ActivityForm, ExerciseForm, FindingForm, ProfileForm
        from careapp.roadmap.forms import ManualActionForm

        _FIELDS = {"crisis_exercises": _form_labels(ExerciseForm),
                   "exercise_findings": _form_labels(FindingForm),
                   "continuity_profiles": _form_labels(ProfileForm),
                   "critical_activities": _form_labels(ActivityForm),
                   "roadmap_actions": _form_labels(ManualActionForm)}
    return _FIELDS


def field_label(object_type: str, name: str) -> Any:
    """A register field's form label, a detail key's label, or the humanised name."""
    return (field_labels().get(object_type, {}).get(name) or DETAIL_KEYS.get(name)
            or humanise(name))
