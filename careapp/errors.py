"""Error pages in the interface language, instead of Werkzeug's English defaults."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from careapp.db import db

MESSAGES = {
    400: (_l("Requête invalide"),
          _l("La page a expiré ou le formulaire est incomplet. Revenez en arrière, rechargez la "
             "page puis recommencez : vos réponses déjà enregistrées sont conservées.")),
    403: (_l("Accès refusé"), _l("Votre compte ne permet pas cette action.")),
    404: (_l("Page introuvable"),
          _l("Cette page n'existe pas ou ne fait pas partie de votre périmètre.")),
    405: (_l("Méthode non permise"), _l("Cette adresse ne s'utilise pas ainsi.")),
    413: (_l("Envoi trop volumineux"),
          _l("Les données envoyées dépassent la taille permise. Rien n'a été enregistré.")),
    500: (_l("Erreur interne"),
          _l("Une erreur inattendue s'est produite ; rien n'a été enregistré. "
             "Réessayez, et signalez-la si elle se reproduit.")),
}


def init_app(app: Flask) -> None:
    def handle(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description))
        return render_template("error.html", code=code, title=title, message=message), code

    for code in MESSAGES:
        app.register_error_handler(code, handle)

    def internal_error(error: HTTPException) -> tuple[str, int]:
        # The failed request's transaction may be broken (a flush that failed): the page reads
        # the database too (the signed-in account), so roll it back first.
        db.session.rollback()
        return handle(error)

    app.register_error_handler(500, internal_error)
