"""Questionnaire files: the shipped one is valid and complete; broken copies are refused with
the path to the bad node and the reason; the app will not boot on a broken file and will not
use a stored version whose file changed under the same version number."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from careapp import create_app
from careapp.assessments import services
from careapp.config import PROJECT_ROOT
from careapp.db import db
from careapp.questionnaires import registry
from careapp.questionnaires.model import CONTEXT_TYPES, build_questionnaire
from careapp.questionnaires.registry import QuestionnaireError
from careapp.questionnaires.validation import SCHEMA_FILE, validate_file
from tests import factories

QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
CARE_V1 = QUESTIONNAIRES / "care-v1.yaml"
AXES = ("GOV", "RES", "SEN", "OPS")
DOMAINS = ("D1", "D2", "D3", "D4", "HOSPICONNECT")


@cache
def _shipped() -> dict[str, Any]:
    return yaml.safe_load(CARE_V1.read_text(encoding="utf-8"))


def load() -> dict[str, Any]:
    """A fresh copy of care-v1.yaml's data, free to mutate."""
    return copy.deepcopy(_shipped())


def questions(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, question) for every question, paths as the validator writes them."""
    for ai, axis in enumerate(data["axes"]):
        for si, section in enumerate(axis["sections"]):
            for qi, question in enumerate(section["questions"]):
                yield f"axes[{ai}].sections[{si}].questions[{qi}]", question


def find(data: dict[str, Any], predicate: Callable[[dict[str, Any]], bool]
         ) -> tuple[str, dict[str, Any]]:
    return next((path, q) for path, q in questions(data) if predicate(q))


@pytest.fixture(scope="module")
def plain_app() -> Iterator[Flask]:
    """An app for commands that need no database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    with app.app_context():
        yield app


def validate(app: Flask, path: Path):  # noqa: ANN201
    return app.test_cli_runner().invoke(args=["questionnaire", "validate", str(path)])


def dump(data: dict[str, Any], tmp_path: Path, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped questionnaire ---------------------------------------------------------------------

def test_the_shipped_questionnaire_is_valid() -> None:
    assert validate_file(CARE_V1, QUESTIONNAIRES) == []


def test_the_cli_says_the_shipped_questionnaire_is_valid(plain_app) -> None:  # noqa: ANN001
    result = validate(plain_app, CARE_V1)
    assert result.exit_code == 0, result.output
    assert "care-v1.yaml : valide" in result.output


def test_a_round_trip_through_yaml_dump_stays_valid(plain_app, tmp_path) -> None:  # noqa: ANN001
    # The broken copies below are dumps of the real file: an unchanged dump must pass.
    result = validate(plain_app, dump(load(), tmp_path, "copy.yaml"))
    assert result.exit_code == 0, result.output


# -- broken copies --------------------------------------------------------------------------------

def _duplicate_id(data: dict[str, Any]) -> tuple[str, str]:
    section = data["axes"][0]["sections"][0]["questions"]
    first = section[0]["id"]
    section[1]["id"] = first
    return ("axes[0].sections[0].questions[1].id",
            f"identifiant de question en double : {first} (déjà en axes[0].sections[0].questions[0])")


def _level_out_of_range(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: q["type"] == "single")
    question["options"][1]["level"] = 5
    return f"{path}.options[1].level", "valeur 5 supérieure au maximum 3"


def _depends_on_unknown_question(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: "depends_on" in q)
    question["depends_on"]["question"] = "GOV-99"
    return f"{path}.depends_on.question", "question inconnue ou placée après : GOV-99"


def _depends_on_a_later_question(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: "depends_on" in q)
    later = data["axes"][-1]["sections"][-1]["questions"][-1]["id"]
    question["depends_on"]["question"] = later
    return f"{path}.depends_on.question", f"question inconnue ou placée après : {later}"


def _depends_on_unknown_option(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: "depends_on" in q)
    target = question["depends_on"]["question"]
    question["depends_on"]["options"].append("pas_une_option")
    index = len(question["depends_on"]["options"]) - 1
    return (f"{path}.depends_on.options[{index}]",
            f"option inconnue de {target} : pas_une_option")


def _missing_french_text(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: q["id"].startswith("RES"))
    del question["text"]["fr"]
    return f"{path}.text", "texte français manquant (clé « fr » obligatoire)"


def _missing_french_option_label(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: q["id"].startswith("SEN") and q["type"] == "single")
    del question["options"][0]["label"]["fr"]
    return f"{path}.options[0].label", "texte français manquant (clé « fr » obligatoire)"


def _unknown_field(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: q["id"].startswith("OPS"))
    question["couleur"] = "rouge"
    return path, "champ inconnu : « couleur »"


def _unknown_field_at_the_root(data: dict[str, Any]) -> tuple[str, str]:
    data["auteur"] = "ANS"
    return "(racine)", "champ inconnu : « auteur »"


def _thresholds_not_ascending(data: dict[str, Any]) -> tuple[str, str]:
    path, question = find(data, lambda q: len(q.get("thresholds", [])) >= 3)
    mins = [t["min"] for t in question["thresholds"]]
    mins[1], mins[2] = mins[2], mins[1]
    for threshold, value in zip(question["thresholds"], mins, strict=True):
        threshold["min"] = value
    return f"{path}.thresholds", "les seuils doivent être croissants"


BROKEN = {
    "duplicate question id": _duplicate_id,
    "option level out of range": _level_out_of_range,
    "depends_on an unknown question": _depends_on_unknown_question,
    "depends_on a later question": _depends_on_a_later_question,
    "depends_on an unknown option": _depends_on_unknown_option,
    "missing French text": _missing_french_text,
    "missing French option label": _missing_french_option_label,
    "unknown field": _unknown_field,
    "unknown field at the root": _unknown_field_at_the_root,
    "thresholds not ascending": _thresholds_not_ascending,
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_copy_is_refused_with_the_path_and_the_reason(plain_app, tmp_path,  # noqa: ANN001
                                                               kind: str) -> None:
    data = load()
    path, reason = BROKEN[kind](data)
    result = validate(plain_app, dump(data, tmp_path))
    assert result.exit_code == 1, result.output
    assert "broken.yaml : " in result.stderr and "erreur(s)" in result.stderr
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert any(line.startswith(f"{path} : ") and reason in line for line in lines), (
        f"expected « {path} : …{reason}… » in:\n{result.stderr}")
    assert "valide" not in result.stdout


def test_unknown_field_names_the_field(plain_app, tmp_path) -> None:  # noqa: ANN001
    data = load()
    _unknown_field(data)
    result = validate(plain_app, dump(data, tmp_path))
    assert "couleur" in result.stderr


def test_every_error_is_listed_not_only_the_first(plain_app, tmp_path) -> None:  # noqa: ANN001
    data = load()
    expected = [_duplicate_id(data), _depends_on_unknown_question(data),
                _thresholds_not_ascending(data)]
    result = validate(plain_app, dump(data, tmp_path))
    assert result.exit_code == 1
    for path, reason in expected:
        assert f"{path} : " in result.stderr and reason in result.stderr


def test_unreadable_yaml_gives_the_line(plain_app, tmp_path) -> None:  # noqa: ANN001
    lines = CARE_V1.read_text(encoding="utf-8").splitlines()
    title = lines.index("title:")
    bad = next(i for i in range(title, len(lines)) if lines[i].startswith("  en:"))
    lines[bad] = " " + lines[bad]  # one space too many: "mapping values are not allowed here"
    path = tmp_path / "syntax.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate(plain_app, path)
    assert result.exit_code == 1
    assert f"ligne {bad + 1}, colonne" in result.stderr, result.stderr
    assert "YAML illisible" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_mapping_is_refused(plain_app, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    result = validate(plain_app, path)
    assert result.exit_code == 1
    assert "(racine) : le fichier doit contenir un objet YAML" in result.stderr


# -- content coverage of care v1 --------------------------------------------------------------------

def test_the_questionnaire_covers_the_care_programme() -> None:
    data = load()
    model = build_questionnaire(data)
    assert len(model.questions) >= 60
    per_axis = Counter(q.axis_id for q in model.questions)
    assert set(per_axis) == set(AXES)
    assert all(per_axis[axis] >= 12 for axis in AXES), per_axis
    for question in model.questions:
        assert question.help.get("fr") and question.help.get("en"), question.id
        assert question.text.get("fr") and question.text.get("en"), question.id
        assert question.action.get("title", {}).get("fr"), question.id
        if question.type in CONTEXT_TYPES:
            assert question.weight == 0, question.id
        else:
            assert 1 <= question.weight <= 3, question.id
    socle_axes = {q.axis_id for q in model.questions if q.socle}
    assert socle_axes == set(AXES)
    tagged = {domain for q in model.questions for domain in q.domains}
    assert set(DOMAINS) <= tagged, set(DOMAINS) - tagged


def test_every_option_and_level_is_bilingual() -> None:
    data = load()
    for level in data["scale"]:
        assert level["label"].get("en") and level["definition"].get("en")
    for path, question in questions(data):
        for option in question.get("options", []):
            assert option["label"].get("fr") and option["label"].get("en"), (path, option["id"])


# -- the application refuses a broken questionnaire directory ----------------------------------------

def broken_directory(tmp_path: Path) -> Path:
    directory = tmp_path / "questionnaires"
    directory.mkdir()
    shutil.copy(QUESTIONNAIRES / SCHEMA_FILE, directory / SCHEMA_FILE)
    data = load()
    _depends_on_unknown_option(data)
    dump(data, directory, "care-v1.yaml")
    return directory


def test_the_app_refuses_to_boot_on_a_broken_questionnaire(tmp_path) -> None:  # noqa: ANN001
    directory = broken_directory(tmp_path)
    with pytest.raises(QuestionnaireError, match=r"questionnaire invalide care-v1\.yaml") as exc:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                    "SECRET_KEY": "test-secret", "QUESTIONNAIRE_DIR": str(directory)})
    assert "depends_on.options[" in str(exc.value) and "pas_une_option" in str(exc.value)


def test_the_environment_variable_points_to_the_questionnaires(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CAREAPP_QUESTIONNAIRE_DIR", str(broken_directory(tmp_path)))
    with pytest.raises(QuestionnaireError, match="questionnaire invalide"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                    "SECRET_KEY": "test-secret"})


def test_two_files_with_the_same_version_refuse_to_boot(tmp_path) -> None:  # noqa: ANN001
    directory = tmp_path / "questionnaires"
    directory.mkdir()
    shutil.copy(QUESTIONNAIRES / SCHEMA_FILE, directory / SCHEMA_FILE)
    shutil.copy(CARE_V1, directory / "care-v1.yaml")
    shutil.copy(CARE_V1, directory / "care-v1-copie.yaml")
    with pytest.raises(QuestionnaireError, match="déjà définie"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                    "SECRET_KEY": "test-secret", "QUESTIONNAIRE_DIR": str(directory)})


# -- a stored version never changes ----------------------------------------------------------------

def test_a_stored_version_is_reused_while_the_file_is_unchanged(app) -> None:  # noqa: ANN001
    first = registry.store_version("care", "1.0.0")
    db.session.commit()
    assert registry.store_version("care", "1.0.0").id == first.id


def test_a_stored_version_whose_content_changed_is_refused(app) -> None:  # noqa: ANN001
    stored = registry.store_version("care", "1.0.0")
    stored.content_hash = "0" * 64  # as if the file had been edited after its first use
    db.session.commit()
    with pytest.raises(QuestionnaireError, match="a changé depuis son premier usage"):
        registry.store_version("care", "1.0.0")


def test_editing_a_used_file_without_a_new_version_blocks_new_campaigns(app, tmp_path) -> None:  # noqa: ANN001
    factories.campaign(2026)  # stores care 1.0.0 as it is today
    db.session.commit()
    directory = tmp_path / "questionnaires"
    directory.mkdir()
    shutil.copy(QUESTIONNAIRES / SCHEMA_FILE, directory / SCHEMA_FILE)
    data = load()
    data["axes"][0]["sections"][0]["questions"][0]["text"]["fr"] += " (reformulée)"
    dump(data, directory, "care-v1.yaml")
    edited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "ENV_NAME": "test",
                         "SECRET_KEY": "test-secret", "QUESTIONNAIRE_DIR": str(directory)})
    with edited.app_context():
        try:
            with pytest.raises(QuestionnaireError, match="nouveau numéro de version"):
                factories.campaign(2027)
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def test_an_unknown_version_is_refused(app) -> None:  # noqa: ANN001
    with pytest.raises(QuestionnaireError, match="questionnaire inconnu"):
        services.open_campaign(name="x", year=2026, questionnaire_key="care",
                               questionnaire_version="9.9.9", opens_on=dt.date(2026, 1, 1),
                               deadline=dt.date(2026, 12, 31), region_code=None,
                               created_by=None)
