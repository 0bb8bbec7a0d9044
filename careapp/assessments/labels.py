"""Display labels of scoring concepts (translated when shown; scoring.py stays pure)."""

from flask_babel import lazy_gettext as _l

DOMAIN_LABELS = {
    "D1": _l("D1 — Annuaires (Active Directory) et exposition sur internet"),
    "D2": _l("D2 — Continuité et reprise d'activité"),
    "D3": _l("D3 — Sécurisation des accès de télémaintenance"),
    "D4": _l("D4 — Sécurité des postes de travail et détection"),
    "HOSPICONNECT": _l("HospiConnect — identification électronique des professionnels"),
}

# The four axes of the CaRE programme (questionnaire axis ids).
AXIS_LABELS = {
    "GOV": _l("Gouvernance et résilience"),
    "RES": _l("Ressources et mutualisation"),
    "SEN": _l("Sensibilisation"),
    "OPS": _l("Sécurité opérationnelle"),
}
