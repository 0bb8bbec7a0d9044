"""Loads every questionnaire file at boot (refusing to start on an invalid one) and stores
versions in the database when a campaign first pins them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from careapp.db import db
from careapp.questionnaires.mapping import MappingError, VersionMapping, load_mappings
from careapp.questionnaires.model import Questionnaire, build_questionnaire
from careapp.questionnaires.models import QuestionnaireVersion
from careapp.questionnaires.validation import load_yaml, validate_data
from careapp.resilience.crosscheck import Crosscheck, CrosscheckError, check_against, load_crosschecks


class QuestionnaireError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadedQuestionnaire:
    path: Path
    content_hash: str
    data: dict[str, Any]
    model: Questionnaire


def content_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_directory(directory: Path) -> dict[tuple[str, str], LoadedQuestionnaire]:
    files = tuple((p, p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(directory.glob("*.yaml")))
    return _load_files(directory, files)


@lru_cache(maxsize=8)
def _load_files(directory: Path, files: tuple[tuple[Path, int, int], ...]
                ) -> dict[tuple[str, str], LoadedQuestionnaire]:
    """Parse and validate once per file state (apps are created per test)."""
    loaded: dict[tuple[str, str], LoadedQuestionnaire] = {}
    for path, _mtime, _size in files:
        data, issues = load_yaml(path)
        issues = issues or validate_data(data, directory)
        if issues:
            details = "\n".join(f"  {issue}" for issue in issues)
            raise QuestionnaireError(f"questionnaire invalide {path.name} :\n{details}")
        key = (data["id"], data["version"])
        if key in loaded:
            raise QuestionnaireError(f"{path.name} : version {key} déjà définie par "
                                     f"{loaded[key].path.name}")
        loaded[key] = LoadedQuestionnaire(path, content_hash(data), data,
                                          build_questionnaire(data))
    return loaded


def init_app(app: Flask) -> None:
    directory = Path(app.config["QUESTIONNAIRE_DIR"])
    loaded = app.extensions["careapp.questionnaires"] = load_directory(directory)
    app.extensions["careapp.crosschecks"] = _load_crosschecks(directory, loaded)
    try:
        app.extensions["careapp.mappings"] = load_mappings(
            directory, {key: item.model for key, item in loaded.items()})
    except MappingError as exc:
        raise QuestionnaireError(str(exc)) from exc


def _load_crosschecks(directory: Path, loaded: dict[tuple[str, str], LoadedQuestionnaire]
                      ) -> dict[str, tuple[Crosscheck, ...]]:
    """The question ↔ register mappings, checked against every version they apply to."""
    try:
        mappings = load_crosschecks(directory)
    except CrosscheckError as exc:
        raise QuestionnaireError(f"contrôles de cohérence invalides : {exc}") from exc
    for (key, version), item in loaded.items():
        problems = check_against(mappings.get(key, ()), item.model)
        if problems:
            raise QuestionnaireError(f"contrôles de cohérence de {key} v{version} :\n  "
                                     + "\n  ".join(problems))
    return mappings


def crosschecks(key: str) -> tuple[Crosscheck, ...]:
    return current_app.extensions["careapp.crosschecks"].get(key, ())


def mapping_between(key: str, from_version: str, to_version: str) -> VersionMapping | None:
    """How answers of one version carry into another (None: no mapping, nothing carries)."""
    return current_app.extensions["careapp.mappings"].get((key, from_version, to_version))


def available() -> list[LoadedQuestionnaire]:
    loaded = current_app.extensions["careapp.questionnaires"]
    return [q for q in loaded.values() if q.data["status"] != "retired"]


def newest(questionnaires: list[LoadedQuestionnaire]) -> LoadedQuestionnaire | None:
    """The most recent active version (by version number): what a new campaign should use."""
    active = [q for q in questionnaires if q.data["status"] == "active"]
    return max(active, key=lambda q: tuple(int(p) for p in q.data["version"].split(".")),
               default=None)


def store_version(key: str, version: str) -> QuestionnaireVersion:
    """Return the stored version, storing it on first use; refuse a changed file."""
    loaded = current_app.extensions["careapp.questionnaires"].get((key, version))
    stored = db.session.scalar(
        select(QuestionnaireVersion).filter_by(key=key, version=version)
    )
    if stored is not None:
        if loaded is not None and loaded.content_hash != stored.content_hash:
            raise QuestionnaireError(
                f"{key} v{version} a changé depuis son premier usage : une modification "
                "exige un nouveau numéro de version."
            )
        return stored
    if loaded is None:
        raise QuestionnaireError(f"questionnaire inconnu : {key} v{version}")
    stored = QuestionnaireVersion(
        key=key, version=version, title=loaded.data["title"]["fr"],
        content_hash=loaded.content_hash, content=loaded.data,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


_models: dict[str, Questionnaire] = {}


def model_of(stored: QuestionnaireVersion) -> Questionnaire:
    """The in-memory model of a stored version (cached: stored content never changes)."""
    model = _models.get(stored.content_hash)
    if model is None:
        model = _models[stored.content_hash] = build_questionnaire(stored.content)
    return model
