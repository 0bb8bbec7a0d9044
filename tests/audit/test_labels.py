"""The journal's labels and its details in words (careapp.audit.labels, careapp.audit.presenting):
pure functions on hand-made details, labels checked against every action the code records."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

from careapp.audit import labels
from careapp.audit.presenting import Line, Words, describe, value_text
from careapp.audit.services import LOGIN_FAILED, LOGIN_UNLOCK

ROOT = Path(__file__).parents[2] / "careapp"


def recorded_actions() -> set[str]:
    """Every action code the application passes to the audit log, read from its source."""
    codes = {LOGIN_FAILED, LOGIN_UNLOCK}
    calls = re.compile(r"\b(?:record|_record_mfa|_audit|_record)\(\s*(?:\w+,\s*)?f?\"([^\"]+)\"")
    conditional = re.compile(r"(?:record|_record_mfa)\(\s*\"([^\"]+)\" if [^\"]+ else \"([^\"]+)\"")
    for path in ROOT.rglob("*.py"):
        source = path.read_text()
        codes.update(calls.findall(source))
        for pair in conditional.findall(source):
            codes.update(pair)
    registers = {code for code in codes if code.startswith("{name}.")}
    codes -= registers
    for verb in {code.split(".", 1)[1] for code in registers}:  # _save_row(..., "exercise", ...)
        names = re.findall(r"_save_row\(\w+, \"(\w+)\"", (ROOT / "resilience/services.py").read_text())
        codes.update(f"{name}.{verb}" for name in names)
    return codes


def test_every_recorded_action_has_a_label() -> None:
    codes = recorded_actions()
    assert {"login.success", "mfa.replace", "roadmap.update", "exercise.update",
            "continuity.update", "activity.create", "establishments.import"} <= codes
    assert codes - set(labels.ACTIONS) == set()


def test_labels_are_french_and_translated_when_shown(app) -> None:  # noqa: ANN001
    with app.test_request_context(), force_locale("fr"):
        assert str(labels.action_label("roadmap.update")) == "Action de feuille de route modifiée"
        assert str(labels.field_label("crisis_exercises", "retex_summary")) == "Synthèse du RETEX"
        assert str(labels.field_label("roadmap_actions", "owner")) == "Responsable"
    with app.test_request_context(), force_locale("en"):
        assert str(labels.field_label("roadmap_actions", "owner")) == "Owner"


def test_an_unknown_code_or_field_reads_as_itself() -> None:
    assert labels.action_label("campaign.forged") == "campaign.forged"
    assert labels.humanise("gap_closed") == "Gap closed"
    assert labels.object_label("mystery_rows") == "Mystery rows"


def test_a_field_without_a_form_label_is_humanised(app) -> None:  # noqa: ANN001
    with app.test_request_context(), force_locale("fr"):
        assert str(labels.field_label("roadmap_actions", "gap_closed")) == "Gap closed"
        assert str(labels.field_label("assessment", "section")) == "Section"


def upper(name: str) -> str:
    return name.upper()


def test_changes_read_as_before_and_after() -> None:
    lines = describe({"changes": {"owner": ["Alice", "Bob"], "done": [False, True],
                                  "due_on": [None, "2026-09-01"]}}, upper)
    assert lines == [Line("CHANGES", "OWNER : Alice → Bob ; DONE : non → oui ; "
                                     "DUE_ON : — → 2026-09-01")]


def test_redacted_values_leave_only_the_field_names() -> None:
    lines = describe({"changes": {"retex_summary": "…", "objectives": "…"},
                      "after": {"status": "…"}}, upper)
    assert lines == [Line("CHANGES", "RETEX_SUMMARY ; OBJECTIVES"), Line("AFTER", "STATUS")]


def test_rich_values_and_empty_fields() -> None:
    details = {"section": "GOV", "changes": {"GOV-1": {"before": [1, ""], "after": [2, "vu"]}},
               "after": {"title": "Former", "owner": "", "functions": ["it", "direction"]},
               "before": {}, "keys": {"a": 1, "b": 2}, "overall": 61.25, "carried_from": None}
    assert describe(details, upper, words=Words(yes="yes", no="no", empty="-")) == [
        Line("SECTION", "GOV"), Line("CHANGES", "GOV-1"),
        Line("AFTER", "TITLE : Former ; FUNCTIONS : it, direction"), Line("KEYS", "A, B"),
        Line("OVERALL", "61.25"), Line("CARRIED_FROM", "-")]


def test_a_value_hook_turns_codes_into_words() -> None:
    def step(key: str, value: object) -> str | None:
        return "second factor" if key == "step" and value == "code" else None

    assert describe({"step": "code", "wait": 30}, upper, step) == [
        Line("STEP", "second factor"), Line("WAIT", "30")]


def test_value_text() -> None:
    assert value_text(True) == "oui" and value_text(None) == "—" and value_text([]) == "—"
    assert value_text(2.0) == "2" and value_text(["a", None]) == "a, —"
