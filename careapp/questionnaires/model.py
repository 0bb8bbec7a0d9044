"""Immutable in-memory view of a questionnaire version (built from its validated YAML data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

CONTEXT_TYPES = frozenset({"text", "date"})


def tr(text: dict[str, str] | None, lang: str = "fr") -> str:
    """Pick a translation, falling back to French (always present)."""
    if not text:
        return ""
    return text.get(lang) or text["fr"]


@dataclass(frozen=True)
class Option:
    id: str
    label: dict[str, str]
    level: int


@dataclass(frozen=True)
class Threshold:
    min: float
    level: int


@dataclass(frozen=True)
class Question:
    id: str
    axis_id: str
    section_id: str
    type: str
    text: dict[str, str]
    help: dict[str, str]
    weight: int
    socle: bool
    socle_min_level: int
    target_level: int
    domains: tuple[str, ...]
    allow_na: bool
    allow_dont_know: bool
    allow_ght: bool
    action: dict[str, Any]
    options: tuple[Option, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    bounds: dict[str, Any] = field(default_factory=dict)
    multi_aggregation: str | None = None
    unit: dict[str, str] | None = None
    depends_on: tuple[str, tuple[str, ...]] | None = None
    references: tuple[dict[str, str], ...] = ()
    evidence_hint: dict[str, str] | None = None
    # Counted multiple choice: the level stays at or below `max_level_without` unless one option
    # of every group is ticked (care-v2 GOV-07: the three mandatory BIA perimeters).
    required_groups: tuple[frozenset[str], ...] = ()
    max_level_without: int = 3
    rationale: dict[str, str] | None = None

    @property
    def scored(self) -> bool:
        return self.weight > 0 and self.type not in CONTEXT_TYPES

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def level_for_number(self, value: float) -> int:
        level = 0
        for threshold in self.thresholds:
            if value >= threshold.min:
                level = threshold.level
        return level

    def level_for_options(self, option_ids: list[str]) -> int | None:
        """Level of a single or multi answer; None when no known option is selected."""
        chosen = [o for o in self.options if o.id in option_ids]
        if not chosen:
            return None
        if self.type == "single" or self.multi_aggregation == "max":
            return max(o.level for o in chosen)
        if self.multi_aggregation == "min":
            return min(o.level for o in chosen)
        # "count": level from the number of selected options that carry a positive level.
        level = self.level_for_number(sum(1 for o in chosen if o.level > 0))
        ticked = {o.id for o in chosen}
        if any(not (group & ticked) for group in self.required_groups):
            level = min(level, self.max_level_without)
        return level


@dataclass(frozen=True)
class Section:
    id: str
    axis_id: str
    title: dict[str, str]
    intro: dict[str, str] | None
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Axis:
    id: str
    title: dict[str, str]
    sections: tuple[Section, ...]

    @property
    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: str
    title: dict[str, str]
    scale: tuple[dict[str, Any], ...]
    min_coverage: float
    axes: tuple[Axis, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def label(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def questions(self) -> list[Question]:
        return [q for axis in self.axes for q in axis.questions]

    @property
    def sections(self) -> list[Section]:
        return [s for axis in self.axes for s in axis.sections]

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._by_id

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def level_label(self, level: int, lang: str = "fr") -> str:
        return tr(self.scale[level]["label"], lang)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


def build_questionnaire(data: dict[str, Any]) -> Questionnaire:
    """Build the model from data that has already passed validation."""
    scoring = data["scoring"]
    default_target = scoring["default_target_level"]
    socle_min = scoring.get("socle_min_level", 2)
    axes = []
    for axis in data["axes"]:
        sections = []
        for section in axis["sections"]:
            questions = tuple(
                _build_question(q, axis["id"], section["id"], default_target, socle_min)
                for q in section["questions"]
            )
            sections.append(
                Section(section["id"], axis["id"], section["title"], section.get("intro"),
                        questions)
            )
        axes.append(Axis(axis["id"], axis["title"], tuple(sections)))
    scale = tuple(sorted(data["scale"], key=lambda s: s["level"]))
    return Questionnaire(
        key=data["id"],
        version=data["version"],
        title=data["title"],
        scale=scale,
        min_coverage=float(scoring["min_coverage"]),
        axes=tuple(axes),
        raw=data,
    )


def _build_question(
    q: dict[str, Any], axis_id: str, section_id: str, default_target: int, socle_min: int
) -> Question:
    depends = q.get("depends_on")
    required = q.get("required_options") or {}
    return Question(
        id=q["id"],
        axis_id=axis_id,
        section_id=section_id,
        type=q["type"],
        text=q["text"],
        help=q["help"],
        weight=q["weight"],
        socle=q.get("socle", False),
        socle_min_level=q.get("socle_min_level", socle_min),
        target_level=q.get("target_level", default_target),
        domains=tuple(q.get("domains", ())),
        allow_na=q.get("allow_na", False),
        allow_dont_know=q.get("allow_dont_know", True),
        allow_ght=q.get("allow_ght", False),
        action=q["action"],
        options=tuple(Option(o["id"], o["label"], o["level"]) for o in q.get("options", ())),
        thresholds=tuple(Threshold(t["min"], t["level"]) for t in q.get("thresholds", ())),
        bounds=dict(q.get("bounds", {})),
        multi_aggregation=q.get("multi_aggregation"),
        unit=q.get("unit"),
        depends_on=(depends["question"], tuple(depends["options"])) if depends else None,
        references=tuple(q.get("references", ())),
        evidence_hint=q.get("evidence_hint"),
        required_groups=tuple(frozenset(g) for g in required.get("groups", ())),
        max_level_without=required.get("max_level_without", 3),
        rationale=q.get("rationale"),
    )
