"""argon2id password hashing and the password policy."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from careapp.messages import Msg

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# Verifying against this hash when the account does not exist keeps timings alike.
_DUMMY_HASH = _hasher.hash("careapp-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# The policy follows ANSSI, « Recommandations relatives à l'authentification multifacteur et
# aux mots de passe » (2021): a long enough password (12 characters here, 16 for
# administrators), no composition rule, but refuse the passwords that are common or easy to
# guess (the lists attackers try first) and those built on the person's own name or address.
# Guessability is estimated by zxcvbn (Dropbox's estimator: common-password and word lists,
# keyboard patterns, repeats, sequences, dates), given the person's name and address and the
# French passwords below; a score under 3 (fewer than ~10^8 guesses) is refused.
MIN_SCORE = 3
_EVALUATED_LENGTH = 72  # zxcvbn's own limit; its cost grows with the length
# Common French passwords and words of this service, which zxcvbn's English lists miss.
FRENCH_COMMON = (
    "motdepasse", "azerty", "azertyuiop", "soleil", "bonjour", "doudou", "chouchou", "loulou",
    "jetaime", "coucou", "marseille", "chocolat", "princesse", "nicolas", "julien", "camille",
    "vacances", "bretagne", "liberte", "amour", "bisous", "pompier", "france", "paris",
    "toulouse", "lyon", "bordeaux", "hopital", "clinique", "sante", "infirmier", "infirmiere",
    "medecin", "urgences", "careapp", "cybersecurite", "securite", "connexion", "bienvenue",
    "administrateur", "utilisateur", "changeme", "qwertz", "wxcvbn",
)
_zxcvbn_lock = threading.Lock()  # zxcvbn keeps the user's words in a module-level dictionary


def password_problem(password: str, min_length: int = 12, *,
                     user_inputs: Iterable[str] = ()) -> str | None:
    """Why this password is refused, or None. `user_inputs`: the person's name and e-mail."""
    if len(password) < min_length:
        return Msg("Le mot de passe doit compter au moins %(count)s caractères.", count=min_length)
    personal = personal_words(user_inputs)
    folded = _fold(password)
    if any(word in folded for word in personal):
        return Msg("Le mot de passe ne doit contenir ni votre nom ni votre adresse électronique.")
    result = _estimate(password[:_EVALUATED_LENGTH], sorted(personal))
    if result["score"] < MIN_SCORE:
        return Msg("Mot de passe trop facile à deviner : %(reason)s Préférez une phrase de "
                   "plusieurs mots peu courants.", reason=_reason(result))
    return None


def personal_words(user_inputs: Iterable[str]) -> set[str]:
    """Pieces of the person's name and of the local part of their e-mail (folded: lower case,
    no accents) that a password must not contain: the whole local part and each word, when
    four characters or more ("Le", "de", "ars" alone would refuse too many innocent passwords;
    the e-mail's domain is the organisation's, not the person's)."""
    words: set[str] = set()
    for text in user_inputs:
        folded = _fold(text or "").strip()
        if "@" in folded:
            folded = folded.rsplit("@", 1)[0]
            words.add(folded)
        words.update(re.split(r"[^a-z]+", folded))
    return {word for word in words if len(word) >= 4}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _estimate(password: str, user_inputs: list[str]) -> dict[str, Any]:
    from zxcvbn import matching, zxcvbn

    with _zxcvbn_lock:
        if "french_common" not in matching.RANKED_DICTIONARIES:
            matching.add_frequency_lists({"french_common": list(FRENCH_COMMON)})
        return zxcvbn(password, user_inputs=user_inputs, max_length=_EVALUATED_LENGTH)


def _reason(result: dict[str, Any]) -> Msg:
    """Why zxcvbn finds the password easy, from the longest pattern it recognised."""
    matches = [m for m in result.get("sequence", []) if m.get("pattern") != "bruteforce"]
    if not matches:
        return Msg("il est trop court pour ce qu'il contient.")
    match = max(matches, key=lambda m: len(m.get("token", "")))
    pattern = match["pattern"]
    if pattern == "dictionary":
        if match.get("dictionary_name") in {"passwords", "french_common"}:
            return Msg("il ressemble à l'un des mots de passe les plus courants.")
        if match.get("dictionary_name") == "user_inputs":
            return Msg("il reprend votre nom ou votre adresse électronique.")
        return Msg("il repose sur un mot ou un nom courant.")
    if pattern == "repeat":
        return Msg("il répète les mêmes caractères ou le même motif.")
    if pattern == "sequence":
        return Msg("il suit une suite comme « abcd » ou « 6543 ».")
    if pattern == "spatial":
        return Msg("il suit des touches voisines du clavier.")
    if pattern in {"date", "regex"}:
        return Msg("il repose sur une date ou une année.")
    return Msg("il est trop court pour ce qu'il contient.")
