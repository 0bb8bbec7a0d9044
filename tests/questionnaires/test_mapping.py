"""The v1 -> v2 mapping: checked at boot, and on every v1 question, every answer value carries,
is translated, or is asked again — never silently wrong."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from careapp import create_app
from careapp.assessments.answers import ANSWERED, DONT_KNOW, GHT, NA, RawAnswer, interpret
from careapp.questionnaires.mapping import (
    VersionMapping,
    build_mapping,
    carry_answers,
    check_mapping,
)
from careapp.questionnaires.model import Question
from careapp.questionnaires.registry import QuestionnaireError
from careapp.questionnaires.validation import SCHEMA_FILE
from tests.assessments.scoring_support import QUESTIONNAIRES, care
from tests.questionnaires.test_care_v2 import v2

MAPPINGS = QUESTIONNAIRES / "mappings"
MAPPING_FILE = MAPPINGS / "care-v1-to-v2.yaml"
V1_IDS = tuple(q.id for q in care().questions)  # fixed by the shipped v1 file (80 questions)

# What each non-kept v1 answer becomes, written from the questions' wording (not read from the
# mapping): target -> new option, or None when the meaning changed and the RSSI is asked again.
EXPECTED: dict[str, dict[str, dict[str, str | None]]] = {
    "GOV-06": {"none": {"GOV-06": "none"}, "informal": {"GOV-06": "informal"},
               "named_lead": {"GOV-06": "project_org"}, "steering": {"GOV-06": "steering"}},
    "GOV-15": {"improvised": {"GOV-15": None}, "beginner": {"GOV-15": "beginner"},
               "intermediate": {"GOV-15": "intermediate"},
               "advanced": {"GOV-15": "confirmed"}},
    "OPS-19": {"none": {"OPS-19": "none"}, "framing": {"OPS-19": "framing"},
               "partial": {"OPS-19": "partial"}, "generalised": {"OPS-19": None}},
    "OPS-26": {"domain_joined": {"OPS-26": "domain_joined"},
               "dedicated_accounts": {"OPS-26": "dedicated_accounts"},
               "own_auth": {"OPS-26": None}, "hardened": {"OPS-26": "own_auth_compliant"}},
    "OPS-25": {"single_copy": {"OPS-29": None, "OPS-30": None},
               "online_copies": {"OPS-29": None, "OPS-30": None},
               "protected_copy": {"OPS-29": "reached", "OPS-30": None},
               "full": {"OPS-29": "reached", "OPS-30": "protected_verified"}},
    "OPS-28": {"none": {"OPS-31": "none", "OPS-32": "none"},
               "monitored": {"OPS-31": None, "OPS-32": "partial"},
               "restore_test": {"OPS-31": None, "OPS-32": None},
               "programme": {"OPS-31": None, "OPS-32": None}},
    # v1 "no" may be a private group or a GCS in v2: asked again (issue 13).
    "RES-01": {"yes": {"RES-01": "ght"}, "no": {"RES-01": None}},
}
# States that still hold for the targets of non-kept questions.
EXPECTED_STATES = {"GOV-06": {GHT}, "GOV-15": {DONT_KNOW}, "OPS-19": {GHT}, "OPS-26": {GHT},
                   "OPS-25": {GHT}, "OPS-28": {GHT}, "RES-01": set()}
# Kept questions whose wording only widens the audience from the GHT to "the GHT or the group"
# (issue 13): v1 showed them to GHT members only, for whom the answer keeps its meaning.
WIDENED = ("RES-10", "RES-11")
WIDENINGS = (("au sein du GHT", "au sein du GHT ou du groupe"),
             ("RSSI de GHT", "RSSI de GHT ou de groupe"),
             ("au niveau du GHT", "au niveau du GHT ou du groupe"),
             ("comité sécurité de GHT", "comité sécurité commun"),
             ("en instance du GHT", "en instance du GHT ou du groupe"))


def _wording(question_id: str, old: str) -> str:
    """The v2 wording expected for a kept question: the same, or only widened to groups."""
    if question_id in WIDENED:
        for before, after in WIDENINGS:
            old = old.replace(before, after)
    return old


@cache
def mapping() -> VersionMapping:
    data = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    assert check_mapping(data, care(), v2(), MAPPING_FILE.name,
                         MAPPINGS / "mapping.schema.json") == []
    return build_mapping(data)


def sample_answers(question: Question) -> list[RawAnswer]:
    """Every answer a v1 question can hold: each option, a number, a date, a text, the states."""
    values: list[Any]
    if question.type == "single":
        values = [o.id for o in question.options]
    elif question.type == "multi":
        positive = [o.id for o in question.options if o.level > 0]
        values = [[o] for o in positive] + [positive] + [
            [o.id for o in question.options if o.level == 0]]
    elif question.type in {"number", "percent"}:
        values = ["0", "1", "50", "100"]
    elif question.type == "date":
        values = ["2025-03-01"]
    else:
        values = ["Remarque"]
    answers = [RawAnswer(ANSWERED, v) for v in values]
    answers += [RawAnswer(DONT_KNOW), RawAnswer(GHT), RawAnswer(NA, None, "sans objet")]
    return [a for a in answers if interpret(question, a).error is None]


def test_the_shipped_mapping_is_complete_and_counted() -> None:
    assert set(mapping().questions) == set(V1_IDS)
    assert mapping().counts() == {"kept": 73, "renamed": 0, "transformed": 5, "split": 2,
                                  "merged": 0, "removed": 0}
    assert mapping().new == ("OPS-33", "GOV-21", "GOV-22", "GOV-23", "RES-17", "RES-18",
                             "RES-19", *(f"OPS-{n}" for n in range(34, 47)))


@pytest.mark.parametrize("question_id", V1_IDS)
def test_every_v1_answer_carries_translates_or_is_asked_again(question_id: str) -> None:
    old = care().question(question_id)
    item = mapping().questions[question_id]
    for raw in sample_answers(old):
        carried = carry_answers(mapping(), {question_id: raw}, v2())
        if item.kind == "kept":
            new = v2().question(question_id)
            # Same answer, same meaning: the wording of the question and of every old option
            # is unchanged in v2 (only levels, weight, domains or N/A may differ).
            assert new.text["fr"] == _wording(question_id, old.text["fr"])
            assert new.type == old.type
            for option in old.options:
                assert new.option(option.id).label["fr"] == _wording(question_id,
                                                                     option.label["fr"]), option.id
            expected_ok = interpret(new, raw).error is None
            assert (question_id in carried) == expected_ok, raw
            if expected_ok:
                assert carried[question_id].answer == raw
            continue
        for target, new_option in _expected(question_id, raw).items():
            if new_option is None:
                assert target not in carried, (raw, target)
            elif raw.state != ANSWERED:
                assert carried[target].answer.state == new_option, (raw, target)
            else:
                assert carried[target].answer.value == new_option, (raw, target)
                assert carried[target].sources == (question_id,)


def _expected(question_id: str, raw: RawAnswer) -> dict[str, str | None]:
    table = EXPECTED[question_id]
    targets = next(iter(table.values())).keys()
    if raw.state != ANSWERED:
        return {t: (raw.state if raw.state in EXPECTED_STATES[question_id] else None)
                for t in targets}
    if isinstance(raw.value, list):  # a multiple choice: every ticked option translates
        return {t: [table[v][t] for v in raw.value] for t in targets}
    return table[raw.value]


def test_states_carry_as_expected_on_split_targets() -> None:
    carried = carry_answers(mapping(), {"OPS-25": RawAnswer(GHT)}, v2())
    assert {k: c.answer.state for k, c in carried.items()} == {"OPS-29": GHT, "OPS-30": GHT}
    assert carry_answers(mapping(), {"OPS-25": RawAnswer(DONT_KNOW)}, v2()) == {}


def test_a_merge_keeps_the_most_restrictive_level() -> None:
    data = {"questionnaire": "care", "from": "1.0.0", "to": "2.0.0", "questions": [
        {"from": "GOV-01", "kind": "merged", "reason": "essai",
         "to": [{"question": "GOV-02", "values": {"none": "none", "occasional": "mentioned",
                                                  "regular": "objectives", "board": "monitored"}}]},
        {"from": "GOV-02", "kind": "kept"}]}
    merged = build_mapping(data)
    carried = carry_answers(merged, {"GOV-01": RawAnswer(ANSWERED, "board"),
                                     "GOV-02": RawAnswer(ANSWERED, "mentioned")}, v2())
    assert carried["GOV-02"].answer.value == "mentioned"
    assert set(carried["GOV-02"].sources) == {"GOV-01", "GOV-02"}


def test_year_over_year_compares_only_what_kept_its_meaning() -> None:
    comparable = mapping().comparable()
    assert comparable["GOV-07"] == "GOV-07" and comparable["OPS-16"] == "OPS-16"
    for changed in EXPECTED:
        assert changed not in comparable


# -- a broken mapping is refused, in French, naming the file and the question ---------------------

def _data() -> dict[str, Any]:
    return yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))


def _check(data: dict[str, Any]) -> list[str]:
    return check_mapping(data, care(), v2(), "care-v1-to-v2.yaml", MAPPINGS / "mapping.schema.json")


def _entry(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(e for e in data["questions"] if e["from"] == question_id)


def test_a_missing_v1_question_is_named() -> None:
    data = _data()
    data["questions"] = [e for e in data["questions"] if e["from"] != "SEN-04"]
    assert _check(data) == [
        "care-v1-to-v2.yaml : SEN-04 : question de la version 1.0.0 absente de la "
        "correspondance (indiquez kept, renamed, transformed, split, merged ou removed)",
        "care-v1-to-v2.yaml : SEN-04 : question de la version 2.0.0 ni alimentée par une "
        "ancienne question ni déclarée nouvelle (liste « new »)"]


def test_a_question_listed_twice_is_named() -> None:
    data = _data()
    data["questions"].append({"from": "GOV-01", "kind": "removed", "reason": "doublon"})
    assert any("GOV-01 : question citée plusieurs fois" in p for p in _check(data))


def test_an_unknown_target_is_named() -> None:
    data = _data()
    _entry(data, "OPS-25")["to"][0]["question"] = "OPS-99"
    problems = _check(data)
    assert "care-v1-to-v2.yaml : OPS-25 → OPS-99 : question inconnue de la version 2.0.0" in problems
    assert any("OPS-29 : question de la version 2.0.0 ni alimentée" in p for p in problems)


def test_an_uncovered_value_is_named() -> None:
    data = _data()
    _entry(data, "OPS-26")["to"][0]["ask_again"] = []
    assert _check(data) == ["care-v1-to-v2.yaml : OPS-26 : valeur « own_auth » sans "
                            "correspondance : traduisez-la (values) ou redemandez-la (ask_again)"]


def test_an_unknown_new_option_is_named() -> None:
    data = _data()
    _entry(data, "GOV-15")["to"][0]["values"]["advanced"] = "avance"
    assert _check(data) == ["care-v1-to-v2.yaml : GOV-15 : valeur cible « avance » inconnue "
                            "de GOV-15"]


def test_kept_refuses_an_option_that_disappeared() -> None:
    data = _data()
    entry = _entry(data, "OPS-26")
    entry.clear()
    entry.update({"from": "OPS-26", "kind": "kept"})
    problems = _check(data)
    assert any("OPS-26 : option « own_auth » absente de OPS-26" in p for p in problems)


def test_an_unknown_kind_is_refused_by_the_schema() -> None:
    data = _data()
    _entry(data, "GOV-01")["kind"] = "moved"
    assert _check(data) == ["care-v1-to-v2.yaml : questions[0].kind : valeur 'moved' non "
                            "autorisée (attendu : 'kept', 'renamed', 'transformed', 'split', "
                            "'merged', 'removed')"]


def _directory(tmp_path: Path, mapping_data: dict[str, Any] | None) -> Path:
    directory = tmp_path / "questionnaires"
    (directory / "mappings").mkdir(parents=True)
    for name in (SCHEMA_FILE, "care-v1.yaml", "care-v2.yaml"):
        shutil.copy(QUESTIONNAIRES / name, directory / name)
    shutil.copy(MAPPINGS / "mapping.schema.json", directory / "mappings" / "mapping.schema.json")
    if mapping_data is not None:
        (directory / "mappings" / "care-v1-to-v2.yaml").write_text(
            yaml.safe_dump(mapping_data, allow_unicode=True), encoding="utf-8")
    return directory


def _boot(directory: Path) -> None:
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test", "TESTING": True,
                "SECRET_KEY": "test-secret", "QUESTIONNAIRE_DIR": str(directory)})


def test_the_app_refuses_to_boot_on_a_broken_mapping(tmp_path: Path) -> None:
    data = _data()
    data["questions"] = [e for e in data["questions"] if e["from"] != "RES-03"]
    with pytest.raises(QuestionnaireError, match=r"correspondance invalide care-v1-to-v2\.yaml"
                       r"[\s\S]*RES-03 : question de la version 1\.0\.0 absente"):
        _boot(_directory(tmp_path, data))


def test_a_new_version_without_its_mapping_refuses_to_boot(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match=r"care v2\.0\.0 remplace la v1\.0\.0 sans "
                                                 r"fichier de correspondance"):
        _boot(_directory(tmp_path, None))


def test_the_shipped_directory_boots(tmp_path: Path) -> None:
    _boot(_directory(tmp_path, _data()))
