"""FINESS numbers: 9 characters, department first, Luhn check digit for all-digit numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careapp.organisations.finess import finess_error, luhn_valid, make_finess, normalise_finess

# Real establishments: AP-HP (Paris), CHU de Bordeaux, Hospices civils de Lyon.
REAL = ["750712184", "330781196", "690781810"]

NUMERIC_DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["97", "98"]


@pytest.mark.parametrize("number", REAL)
def test_real_finess_numbers_are_valid(number: str) -> None:
    assert luhn_valid(number)
    assert finess_error(number) is None


@pytest.mark.parametrize("number", REAL)
def test_any_other_check_digit_is_refused(number: str) -> None:
    for digit in "0123456789":
        if digit == number[-1]:
            continue
        altered = number[:-1] + digit
        assert finess_error(altered) == "clé de contrôle (Luhn) invalide", altered


@pytest.mark.parametrize("number", REAL)
def test_swapping_two_neighbour_digits_is_noticed(number: str) -> None:
    # Luhn catches every transposition of adjacent digits except 09 <-> 90.
    for i in range(len(number) - 1):
        pair = number[i:i + 2]
        if pair[0] == pair[1] or pair in {"09", "90"}:
            continue
        swapped = number[:i] + pair[::-1] + number[i + 2:]
        assert finess_error(swapped) is not None, swapped


@pytest.mark.parametrize("value, received", [
    ("75071218", 8), ("7507121840", 10), ("", 0), ("7507 12184", 10),
])
def test_wrong_length_is_refused_with_the_length(value: str, received: int) -> None:
    assert finess_error(value) == f"un numéro FINESS a 9 caractères (reçu {received})"


@pytest.mark.parametrize("value", ["2C0000012", "AB0712184", "7507121A4", "2a0000012", "B20000012"])
def test_letters_are_only_allowed_as_2A_or_2B(value: str) -> None:
    assert "format attendu" in (finess_error(value) or "")


@pytest.mark.parametrize("value", ["2A0000012", "2B0001234", "2A1234567"])
def test_corsican_numbers_are_accepted(value: str) -> None:
    assert finess_error(value) is None


def test_normalise_removes_spaces_and_upcases() -> None:
    assert normalise_finess("  2a 000 001 2 ") == "2A0000012"
    assert finess_error(normalise_finess(" 750 712 184")) is None


@given(department=st.sampled_from(NUMERIC_DEPARTMENTS), serial=st.integers(0, 999_999))
def test_make_finess_always_builds_a_valid_number(department: str, serial: int) -> None:
    number = make_finess(department, serial)
    assert len(number) == 9
    assert number.startswith(department)
    assert finess_error(number) is None


@given(department=st.sampled_from(NUMERIC_DEPARTMENTS), serial=st.integers(0, 999_999),
       wrong=st.integers(1, 9))
def test_make_finess_check_digit_is_the_only_one(department: str, serial: int, wrong: int) -> None:
    number = make_finess(department, serial)
    altered = number[:-1] + str((int(number[-1]) + wrong) % 10)
    assert finess_error(altered) is not None


@pytest.mark.parametrize("department", ["2A", "2B"])
def test_make_finess_builds_corsican_numbers(department: str) -> None:
    # Corsica is a department like the others; tests/factories.py works around this today.
    number = make_finess(department, 123)
    assert number.startswith(department)
    assert finess_error(number) is None


def test_make_finess_refuses_a_serial_that_does_not_fit() -> None:
    # Six digits of serial: a larger one would silently make a 10-character "FINESS".
    with pytest.raises(ValueError):
        make_finess("35", 1_000_000)
