"""Questionnaire validation: the JSON schema first, then the rules a schema cannot express.

Every error names the path to the bad node (e.g. `axes[0].sections[1].questions[2].options[0]`)
and says why, in French, so that the person editing the YAML can fix it without reading code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SCHEMA_FILE = "questionnaire.schema.json"


@dataclass(frozen=True)
class ValidationIssue:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(racine)'} : {self.message}"


@cache
def _validator(schema_dir: str) -> Draft202012Validator:
    schema = json.loads((Path(schema_dir) / SCHEMA_FILE).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def format_path(parts: list[str | int] | tuple[str | int, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_message(error: Any) -> str:
    validator = error.validator
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        if missing == "fr":
            return "texte français manquant (clé « fr » obligatoire)"
        return f"champ obligatoire manquant : « {missing} »"
    if validator == "maximum":
        return f"valeur {error.instance!r} supérieure au maximum {error.validator_value}"
    if validator == "minimum":
        return f"valeur {error.instance!r} inférieure au minimum {error.validator_value}"
    if validator == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"valeur {error.instance!r} non autorisée (attendu : {allowed})"
    if validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in allowed)
        return "champ inconnu : " + ", ".join(f"« {k} »" for k in unknown)
    if validator == "type":
        return f"type attendu : {error.validator_value}, reçu {error.instance!r}"
    if validator == "pattern":
        return f"{error.instance!r} ne respecte pas le format {error.validator_value}"
    if validator == "const":
        return f"valeur attendue {error.validator_value!r}, reçu {error.instance!r}"
    return error.message


def validate_data(data: Any, schema_dir: str | Path) -> list[ValidationIssue]:
    if not isinstance(data, dict):
        return [ValidationIssue("", "le fichier doit contenir un objet YAML (clé: valeur)")]
    validator = _validator(str(schema_dir))
    issues = [
        ValidationIssue(format_path(list(e.absolute_path)), _schema_message(e))
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    ]
    if issues:
        return issues
    return _semantic_issues(data)


def _semantic_issues(data: dict[str, Any]) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    levels = sorted(s["level"] for s in data["scale"])
    if levels != [0, 1, 2, 3]:
        issues.append(ValidationIssue("scale", "l'échelle doit définir les niveaux 0, 1, 2 et 3"))
    seen: dict[str, str] = {}
    seen_sections: dict[str, str] = {}
    seen_axes: set[str] = set()
    earlier: dict[str, dict[str, Any]] = {}
    for ai, axis in enumerate(data["axes"]):
        apath = f"axes[{ai}]"
        if axis["id"] in seen_axes:
            issues.append(ValidationIssue(f"{apath}.id", f"axe en double : {axis['id']}"))
        seen_axes.add(axis["id"])
        for si, section in enumerate(axis["sections"]):
            spath = f"{apath}.sections[{si}]"
            if section["id"] in seen_sections:
                issues.append(ValidationIssue(
                    f"{spath}.id",
                    f"section en double : {section['id']} (déjà en {seen_sections[section['id']]})",
                ))
            seen_sections.setdefault(section["id"], spath)
            if not section["id"].startswith(axis["id"] + "-"):
                issues.append(ValidationIssue(
                    f"{spath}.id", f"l'identifiant doit commencer par « {axis['id']}- »"))
            for qi, question in enumerate(section["questions"]):
                qpath = f"{spath}.questions[{qi}]"
                issues.extend(_question_issues(question, qpath, axis["id"], seen, earlier))
                seen.setdefault(question["id"], qpath)
                earlier[question["id"]] = question
    return issues


def _question_issues(
    q: dict[str, Any], path: str, axis_id: str, seen: dict[str, str],
    earlier: dict[str, dict[str, Any]],
) -> list[ValidationIssue]:
    issues = []
    qid = q["id"]
    if qid in seen:
        issues.append(ValidationIssue(f"{path}.id",
                                      f"identifiant de question en double : {qid} (déjà en {seen[qid]})"))
    if not qid.startswith(axis_id + "-"):
        issues.append(ValidationIssue(f"{path}.id", f"l'identifiant doit commencer par « {axis_id}- »"))
    option_ids = [o["id"] for o in q.get("options", [])]
    for oi, option_id in enumerate(option_ids):
        if option_ids.index(option_id) != oi:
            issues.append(ValidationIssue(f"{path}.options[{oi}].id",
                                          f"option en double : {option_id}"))
    needs_thresholds = q["type"] in {"number", "percent"} or q.get("multi_aggregation") == "count"
    if needs_thresholds and "thresholds" not in q:
        issues.append(ValidationIssue(path, "seuils (« thresholds ») obligatoires pour ce type"))
    thresholds = q.get("thresholds", [])
    if thresholds:
        mins = [t["min"] for t in thresholds]
        lvls = [t["level"] for t in thresholds]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            issues.append(ValidationIssue(f"{path}.thresholds", "les seuils doivent être croissants"))
        if lvls != sorted(lvls):
            issues.append(ValidationIssue(f"{path}.thresholds",
                                          "les niveaux des seuils ne doivent pas décroître"))
    required = q.get("required_options")
    if required:
        rpath = f"{path}.required_options"
        if q.get("multi_aggregation") != "count":
            issues.append(ValidationIssue(
                rpath, "réservé aux questions à choix multiple comptées (multi_aggregation: count)"))
        for gi, group in enumerate(required["groups"]):
            for oi, option_id in enumerate(group):
                if option_id not in option_ids:
                    issues.append(ValidationIssue(f"{rpath}.groups[{gi}][{oi}]",
                                                  f"option inconnue de {qid} : {option_id}"))
    if q.get("socle") and q["weight"] == 0:
        issues.append(ValidationIssue(f"{path}.socle",
                                      "une question du socle doit avoir un poids ≥ 1"))
    depends = q.get("depends_on")
    if depends:
        target = earlier.get(depends["question"])
        dpath = f"{path}.depends_on"
        if depends["question"] == qid:
            issues.append(ValidationIssue(dpath, "une question ne peut dépendre d'elle-même"))
        elif target is None:
            issues.append(ValidationIssue(
                f"{dpath}.question",
                f"question inconnue ou placée après : {depends['question']}"))
        elif target["type"] not in {"single", "multi"}:
            issues.append(ValidationIssue(
                f"{dpath}.question",
                f"{depends['question']} n'est pas une question à choix"))
        else:
            known = {o["id"] for o in target["options"]}
            for oi, option_id in enumerate(depends["options"]):
                if option_id not in known:
                    issues.append(ValidationIssue(
                        f"{dpath}.options[{oi}]",
                        f"option inconnue de {depends['question']} : {option_id}"))
    return issues


def load_yaml(path: Path) -> tuple[Any, list[ValidationIssue]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else ""
        return None, [ValidationIssue(where, f"YAML illisible : {getattr(exc, 'problem', exc)}")]
    except OSError as exc:
        return None, [ValidationIssue("", f"fichier illisible : {exc.strerror}")]


def validate_file(path: Path, schema_dir: str | Path) -> list[ValidationIssue]:
    data, issues = load_yaml(path)
    return issues or validate_data(data, schema_dir)
