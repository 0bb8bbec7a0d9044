from flask_babel import lazy_gettext as _l

from careapp.roadmap.models import ActionStatus, Origin, Priority

PRIORITY = {Priority.P1: _l("P1 — prioritaire"), Priority.P2: _l("P2 — important"),
            Priority.P3: _l("P3 — à planifier")}
STATUS = {
    ActionStatus.TODO: _l("À faire"),
    ActionStatus.IN_PROGRESS: _l("En cours"),
    ActionStatus.DONE: _l("Fait"),
    ActionStatus.ABANDONED: _l("Abandonné"),
}
ORIGIN = {
    Origin.QUESTION: _l("Question"),
    Origin.EXERCISE: _l("Exercice"),
    Origin.CONTINUITY: _l("PCA/PRA"),
    Origin.MANUAL: _l("Manuelle"),
}

# Short names of the domains in the list (the full names are in assessments.labels).
DOMAIN_SHORT = {"HOSPICONNECT": "HospiConnect",
                "INSTRUCTION-1": _l("Instruction DNS/2025/12, action 1")}
ORIGIN_KIND = {"question": _l("question %(ref)s"), "d2": _l("point D2 « %(label)s »"),
               "exercise": _l("%(label)s")}


def origins_text(origins: list[dict[str, object]], lang: str) -> str:
    """« question OPS-25, point D2 « Règle 3-2-1… » »: every origin of a merged action."""
    parts = []
    for origin in origins:
        pattern = ORIGIN_KIND.get(str(origin.get("kind")))
        if pattern is None:
            continue
        label = origin.get("label") or {}
        text = (label.get(lang) or label.get("fr", "")) if isinstance(label, dict) else ""
        parts.append(str(pattern) % {"ref": origin.get("ref", ""), "label": text})
    return ", ".join(parts)
