"""FINESS number checks (pure functions).

A FINESS number has 9 characters: the department (2 characters, 2A/2B for Corsica, 97/98 for
overseas), 6 digits and a check digit. For all-digit numbers the check digit follows the Luhn
algorithm. Corsican numbers carry letters: only their shape is checked, since no published
rule maps the letters for the Luhn computation.
"""

from __future__ import annotations

import re

_SHAPE = re.compile(r"^(?:\d{2}|2A|2B)\d{7}$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(first_eight: str) -> str:
    for candidate in "0123456789":
        if luhn_valid(first_eight + candidate):
            return candidate
    raise AssertionError("unreachable: one digit always completes a Luhn sum")


def finess_error(value: str) -> str | None:
    """Return a French reason why `value` is not a FINESS number, or None when it is one."""
    if len(value) != 9:
        return f"un numéro FINESS a 9 caractères (reçu {len(value)})"
    if not _SHAPE.match(value):
        return "format attendu : 2 caractères de département (chiffres, 2A ou 2B) puis 7 chiffres"
    if value.isdigit() and not luhn_valid(value):
        return "clé de contrôle (Luhn) invalide"
    return None


def normalise_finess(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def make_finess(department: str, serial: int) -> str:
    """Build a valid FINESS number (demo data and tests).

    For Corsica (2A/2B) the last digit is computed as if the department were 20: any digit is
    accepted there, so this only keeps generated numbers deterministic.
    """
    if not 0 <= serial < 1_000_000:
        raise ValueError(f"a FINESS serial has 6 digits: {serial}")
    if not (department.isdigit() and len(department) == 2) and department not in {"2A", "2B"}:
        raise ValueError(f"unknown department code: {department!r}")
    body = f"{department}{serial:06d}"
    return body + luhn_check_digit(body.replace("2A", "20").replace("2B", "20"))
