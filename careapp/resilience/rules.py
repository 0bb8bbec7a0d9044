"""The D2 checklist's thresholds and dates, read from d2_rules.yaml (data with its sources).

Loaded and validated once, at import: a malformed file stops the application at start-up
rather than producing a wrong checklist later.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

HERE = Path(__file__).parent


class RulesError(RuntimeError):
    pass


@dataclass(frozen=True)
class D2Rules:
    pssi_reviewed_since: dt.date
    backup_policy_reviewed_since: dt.date
    operational_phase_start: dt.date
    multi_entity_share_min: float
    backup_directory_ads_min: int
    refs: dict[str, str]  # checklist item id -> its reference in the ANS guide (D2.P1…)
    sources: dict[str, str]  # rule name -> its source, as written in the file


def load_rules(path: Path = HERE / "d2_rules.yaml") -> D2Rules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads((HERE / "d2_rules.schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
    if errors:
        raise RulesError(f"{path.name} : {errors[0].message}")
    dates = ("pssi_reviewed_since", "backup_policy_reviewed_since", "operational_phase_start")
    try:
        since, policy_since, phase = (dt.date.fromisoformat(data[name]["value"])
                                      for name in dates)
    except ValueError as exc:
        raise RulesError(f"{path.name} : {exc}") from exc
    rules = (*dates, "multi_entity_share_min", "backup_directory_ads_min")
    return D2Rules(since, policy_since, phase, float(data["multi_entity_share_min"]["value"]),
                   int(data["backup_directory_ads_min"]["value"]), dict(data["items"]),
                   {name: data[name]["source"] for name in rules})


RULES = load_rules()
