"""Correspondence between two versions of a questionnaire, and the carry-over it allows (pure).

A mapping file (questionnaires/mappings/*.yaml, schema mapping.schema.json) lists every question
of the older version once, with its kind:

* kept: same id, same answer values; the newer version's rules score it (levels, weight and
  domains may have changed, the meaning of the answer has not);
* renamed: another id, same answer values;
* transformed: the answer values translate (`values`), or some are asked again (`ask_again`);
* split: one question becomes several, each target with its own translation;
* merged: several questions become one; when more than one answer feeds it, the most
  restrictive level wins;
* removed: nothing carries.

States other than "answered" (N/A, "Je ne sais pas", "Géré par le GHT") carry for kept and
renamed questions, and for the others only when the target lists them in `states`. Anything not
carried is asked again: a carried answer is never one whose meaning changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from careapp.assessments.answers import ANSWERED, RawAnswer, interpret
from careapp.questionnaires.model import Questionnaire
from careapp.questionnaires.validation import _schema_message, format_path, load_yaml

SCHEMA_FILE = "mapping.schema.json"
KINDS = ("kept", "renamed", "transformed", "split", "merged", "removed")
OTHER_STATES = frozenset({"na", "dont_know", "ght"})
CHOICE = frozenset({"single", "multi"})


@dataclass(frozen=True)
class Target:
    question_id: str
    values: MappingABC[str, str] | None  # None: the value is copied as it is
    ask_again: frozenset[str]
    states: frozenset[str]

    def translate(self, raw: RawAnswer) -> RawAnswer | None:
        """The answer as the target question reads it, or None when it must be asked again."""
        state = raw.state
        if state is None and raw.value not in (None, "", []):
            state = ANSWERED
        if state is None:
            return None
        if state != ANSWERED:
            if state not in self.states:
                return None
            return RawAnswer(state, raw.value, raw.justification)
        if self.values is None:
            return RawAnswer(raw.state, raw.value, raw.justification)
        chosen = [raw.value] if isinstance(raw.value, str) else raw.value
        if not isinstance(chosen, list) or any(not isinstance(v, str) for v in chosen):
            return None
        translated: list[str] = []
        for option in chosen:
            new = self.values.get(option)
            if new is None:  # asked again, or a value the old version never offered
                return None
            if new not in translated:
                translated.append(new)
        value: Any = translated[0] if isinstance(raw.value, str) else translated
        return RawAnswer(raw.state, value, raw.justification)


@dataclass(frozen=True)
class QuestionMap:
    from_id: str
    kind: str
    reason: str
    targets: tuple[Target, ...]

    @property
    def comparable(self) -> bool:
        """Year-over-year comparison makes sense only when the answer kept its meaning."""
        return self.kind in {"kept", "renamed"}


@dataclass(frozen=True)
class VersionMapping:
    key: str
    from_version: str
    to_version: str
    questions: MappingABC[str, QuestionMap]
    new: tuple[str, ...]
    path: Path | None = None

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for item in self.questions.values():
            out[item.kind] += 1
        return out

    def comparable(self) -> dict[str, str]:
        """old question id -> new question id, for the questions whose answers compare."""
        return {q.from_id: q.targets[0].question_id
                for q in self.questions.values() if q.comparable}


@dataclass(frozen=True)
class Carried:
    question_id: str
    answer: RawAnswer
    sources: tuple[str, ...]


def carry_answers(mapping: VersionMapping, answers: MappingABC[str, RawAnswer],
                  new: Questionnaire) -> dict[str, Carried]:
    """What carries into the newer version: translated answers that the newer question accepts.

    Several old answers feeding one question (merged) keep the most restrictive level; if one
    of them has no level (N/A, "Je ne sais pas"…), the question is asked again."""
    candidates: dict[str, list[tuple[str, RawAnswer]]] = {}
    for old_id, raw in answers.items():
        item = mapping.questions.get(old_id)
        if item is None:
            continue
        for target in item.targets:
            translated = target.translate(raw)
            if translated is None or not new.has_question(target.question_id):
                continue
            if interpret(new.question(target.question_id), translated).error is not None:
                continue
            candidates.setdefault(target.question_id, []).append((old_id, translated))
    out: dict[str, Carried] = {}
    for question_id, found in candidates.items():
        if len(found) == 1:
            out[question_id] = Carried(question_id, found[0][1], (found[0][0],))
            continue
        question = new.question(question_id)
        levels = [interpret(question, raw).level for _old, raw in found]
        if any(level is None for level in levels):
            continue
        lowest = min(range(len(found)), key=lambda i: levels[i])  # type: ignore[arg-type]
        out[question_id] = Carried(question_id, found[lowest][1],
                                   tuple(old for old, _raw in found))
    return out


# -- loading and checking ----------------------------------------------------------------------

@cache
def _validator(schema_path: str) -> Draft202012Validator:
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_mapping(data: Any, old: Questionnaire, new: Questionnaire, name: str,
                  schema_path: Path) -> list[str]:
    """Every problem of a mapping file, in French, each naming the file and the question."""
    if not isinstance(data, dict):
        return [f"{name} : le fichier doit contenir un objet YAML (clé: valeur)"]
    errors = sorted(_validator(str(schema_path)).iter_errors(data),
                    key=lambda e: list(map(str, e.path)))
    if errors:
        return [f"{name} : {format_path(list(e.absolute_path)) or '(racine)'} : "
                f"{_schema_message(e)}" for e in errors]
    problems: list[str] = []

    def say(question_id: str, message: str) -> None:
        problems.append(f"{name} : {question_id} : {message}")

    if data["questionnaire"] != old.key or data["questionnaire"] != new.key:
        problems.append(f"{name} : questionnaire « {data['questionnaire']} » différent de "
                        f"« {old.key} »")
    seen: set[str] = set()
    reached: set[str] = set()
    for entry in data["questions"]:
        qid = entry["from"]
        if qid in seen:
            say(qid, "question citée plusieurs fois (chaque question de la version "
                     f"{old.version} apparaît une seule fois)")
            continue
        seen.add(qid)
        if not old.has_question(qid):
            say(qid, f"question inconnue de la version {old.version}")
            continue
        question = old.question(qid)
        kind = entry["kind"]
        targets = entry.get("to", [{"question": qid}] if kind == "kept" else [])
        ids = [t["question"] for t in targets]
        if len(set(ids)) != len(ids):
            say(qid, "la même question cible apparaît deux fois")
        if kind == "renamed" and ids == [qid]:
            say(qid, "« renamed » avec le même identifiant : utilisez « kept »")
        for target in targets:
            tid = target["question"]
            where = f"{qid} → {tid}" if tid != qid else qid
            if not new.has_question(tid):
                problems.append(f"{name} : {where} : question inconnue de la version "
                                f"{new.version}")
                continue
            reached.add(tid)
            problems.extend(f"{name} : {where} : {p}"
                            for p in _target_problems(question, new.question(tid), target))
    for qid in sorted(q.id for q in old.questions if q.id not in seen):
        say(qid, f"question de la version {old.version} absente de la correspondance "
                 "(indiquez kept, renamed, transformed, split, merged ou removed)")
    listed_new = set(data.get("new", []))
    for qid in sorted(listed_new):
        if not new.has_question(qid):
            say(qid, f"déclarée nouvelle mais inconnue de la version {new.version}")
        elif qid in reached:
            say(qid, "déclarée nouvelle alors qu'une réponse de l'ancienne version l'alimente")
    for qid in sorted(q.id for q in new.questions if q.id not in reached | listed_new):
        say(qid, f"question de la version {new.version} ni alimentée par une ancienne "
                 "question ni déclarée nouvelle (liste « new »)")
    return problems


def _target_problems(old_q: Any, new_q: Any, target: dict[str, Any]) -> list[str]:
    problems = []
    values = target.get("values")
    ask_again = target.get("ask_again")
    old_options = [o.id for o in old_q.options]
    new_options = {o.id for o in new_q.options}
    for state in target.get("states", []):
        allowed = {"na": new_q.allow_na, "dont_know": new_q.allow_dont_know,
                   "ght": new_q.allow_ght}[state]
        if not allowed:
            problems.append(f"l'état « {state} » n'est pas proposé par {new_q.id}")
    if values is None and ask_again is None:
        if old_q.type != new_q.type:
            problems.append(f"type « {old_q.type} » devenu « {new_q.type} » : la valeur ne "
                            "peut pas être copiée telle quelle (utilisez values / ask_again)")
        for option in old_options:
            if option not in new_options:
                problems.append(f"option « {option} » absente de {new_q.id} : traduisez-la "
                                "(values) ou redemandez-la (ask_again)")
        return problems
    if old_q.type not in CHOICE or new_q.type not in CHOICE:
        return problems + ["values / ask_again ne s'appliquent qu'entre questions à choix"]
    values = values or {}
    ask_again = ask_again or []
    for option in old_options:
        covered = (option in values) + (option in ask_again)
        if covered == 0:
            problems.append(f"valeur « {option} » sans correspondance : traduisez-la (values) "
                            "ou redemandez-la (ask_again)")
        elif covered == 2:
            problems.append(f"valeur « {option} » à la fois traduite et redemandée")
    for option in sorted(set(values) | set(ask_again)):
        if option not in old_options:
            problems.append(f"valeur « {option} » inconnue de {old_q.id}")
    for option in sorted(set(values.values())):
        if option not in new_options:
            problems.append(f"valeur cible « {option} » inconnue de {new_q.id}")
    return problems


def build_mapping(data: dict[str, Any], path: Path | None = None) -> VersionMapping:
    """The model of a mapping that passed check_mapping."""
    questions: dict[str, QuestionMap] = {}
    for entry in data["questions"]:
        kind = entry["kind"]
        default_states = OTHER_STATES if kind in {"kept", "renamed"} else frozenset()
        raw_targets = entry.get("to", [{"question": entry["from"]}] if kind == "kept" else [])
        targets = tuple(
            Target(
                question_id=t["question"],
                values=(None if "values" not in t and "ask_again" not in t
                        else dict(t.get("values", {}))),
                ask_again=frozenset(t.get("ask_again", ())),
                states=frozenset(t["states"]) if "states" in t else default_states,
            )
            for t in raw_targets
        )
        questions[entry["from"]] = QuestionMap(entry["from"], kind, entry.get("reason", ""),
                                               targets)
    return VersionMapping(data["questionnaire"], data["from"], data["to"], questions,
                          tuple(data.get("new", ())), path)


class MappingError(RuntimeError):
    pass


def load_mappings(directory: Path, models: MappingABC[tuple[str, str], Questionnaire]
                  ) -> dict[tuple[str, str, str], VersionMapping]:
    """Every mappings/*.yaml beside the questionnaires, checked against both versions; and a
    version that supersedes a loaded one must come with its mapping."""
    folder = directory / "mappings"
    loaded: dict[tuple[str, str, str], VersionMapping] = {}
    if folder.is_dir():
        schema_path = folder / SCHEMA_FILE
        for path in sorted(folder.glob("*.yaml")):
            data, issues = load_yaml(path)
            if issues:
                raise MappingError(f"correspondance invalide {path.name} :\n  "
                                   + "\n  ".join(str(i) for i in issues))
            problems: list[str]
            if not isinstance(data, dict) or not all(
                    isinstance(data.get(k), str) for k in ("questionnaire", "from", "to")):
                problems = check_mapping(data, None, None, path.name, schema_path)  # type: ignore[arg-type]
                raise MappingError(f"correspondance invalide {path.name} :\n  "
                                   + "\n  ".join(problems))
            old = models.get((data["questionnaire"], data["from"]))
            new = models.get((data["questionnaire"], data["to"]))
            if old is None or new is None:
                missing = data["from"] if old is None else data["to"]
                raise MappingError(f"correspondance invalide {path.name} : version "
                                   f"{data['questionnaire']} v{missing} introuvable")
            problems = check_mapping(data, old, new, path.name, schema_path)
            if problems:
                raise MappingError(f"correspondance invalide {path.name} :\n  "
                                   + "\n  ".join(problems))
            key = (data["questionnaire"], data["from"], data["to"])
            if key in loaded:
                raise MappingError(f"{path.name} : correspondance {key} déjà définie par "
                                   f"{loaded[key].path.name if loaded[key].path else '?'}")
            loaded[key] = build_mapping(data, path)
    for (key, version), model in models.items():
        previous = model.raw.get("supersedes")
        if previous and (key, previous) in models and (key, previous, version) not in loaded:
            raise MappingError(f"{key} v{version} remplace la v{previous} sans fichier de "
                               f"correspondance (mappings/{key}-v{previous}-to-v{version}.yaml)")
    return loaded
