"""Rollup indicators: pure functions of DataFrames (no database, no request, no clock).

The loaders (careapp/rollups/loaders.py) read the frames; these functions only count and
summarise them, on the exact stored figures (rounded once, when shown: careapp/numbers.py).

Frames
------
* establishments: one row per establishment of the scope, columns `establishment_id`,
  `region_code`, `category`, `sector`, `ght_code` (None outside a GHT), `status`
  (None = not started, "draft", "submitted"), `submitted_at`, `overall`, `overall_level`,
  `socle_rate` (percent, exact), `scoring_version`.
* axis scores (long): `establishment_id`, `axis_id`, `score`, `level`.
* domains (long): `establishment_id`, `domain`, `met`, `total`.
* activities: `establishment_id`, `kind`, `pca_status`, `pra_status`.
* exercises: `establishment_id`, `last_held_on` (the last exercise held, or None).
* roadmap: `establishment_id`, `priority`, `status`, `due_on`.

Grouping: every function takes `by`, one column or a list of columns of the establishments
frame (`region_code`, `category`, `ght_code`, `national_group` — see `with_national_group`), or
None for the whole scope (one row, index `ALL`). A group is a row of the result, indexed by the
group's value(s); groups with no establishment do not appear.

Quartiles: pandas' default (linear interpolation between closest ranks, "type 7"): the median of
10, 20, 30, 40 is 25, its Q1 17.5 and Q3 32.5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from careapp.assessments.scoring import DOMAINS, level_from_score
from careapp.resilience.indicators import held_within_12_months

ALL = "ensemble"
GROUP = "national_group"
LEVELS = (0, 1, 2, 3)
NOT_STARTED, DRAFT, SUBMITTED = "not_started", "draft", "submitted"
READY, NOT_READY, NOT_ASSESSABLE = "ready", "not_ready", "not_assessable"
FORMALISED = frozenset({"formalised", "tested"})
OPEN_ACTIONS = frozenset({"todo", "in_progress"})

# The four groups of the national CaRE statistics (Establishment.national_group).
GHT_MEMBER = "Membre d'un GHT"
PUBLIC_OUTSIDE_GHT = "Public hors GHT"
PRIVATE_NONPROFIT = "Privé non lucratif (ESPIC)"
PRIVATE_FORPROFIT = "Privé lucratif"
NATIONAL_GROUPS = (GHT_MEMBER, PUBLIC_OUTSIDE_GHT, PRIVATE_NONPROFIT, PRIVATE_FORPROFIT)

By = str | Sequence[str] | None


def national_group(sector: str, in_ght: bool) -> str:
    """Same rule as Establishment.national_group, on plain values."""
    if sector == "public":
        return GHT_MEMBER if in_ght else PUBLIC_OUTSIDE_GHT
    return PRIVATE_NONPROFIT if sector == "prive_non_lucratif" else PRIVATE_FORPROFIT


def with_national_group(establishments: pd.DataFrame) -> pd.DataFrame:
    """The establishments with a `national_group` column."""
    groups = [national_group(str(sector), pd.notna(ght)) for sector, ght
              in zip(establishments["sector"], establishments["ght_code"], strict=True)]
    return establishments.assign(**{GROUP: pd.Series(groups, index=establishments.index,
                                                     dtype=object)})


def _keys(by: By) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _grouped(frame: pd.DataFrame, by: By) -> tuple[pd.DataFrame, list[str]]:
    keys = _keys(by)
    if keys:
        frame = frame.copy()
        for key in keys:  # a missing GHT is a group of its own, not dropped
            frame[key] = frame[key].astype(object).where(frame[key].notna(), "—")
        return frame, keys
    return frame.assign(_scope=ALL), ["_scope"]


def _index_name(result: pd.DataFrame, by: By, empty: dict | None = None) -> pd.DataFrame:
    """Without grouping, the one row `ALL`, there even when the scope is empty (`empty`)."""
    if not _keys(by):
        if empty is not None and ALL not in result.index:
            result = pd.DataFrame([empty], index=pd.Index([ALL]), columns=result.columns)
        result.index.name = None
    return result


def _attach(frame: pd.DataFrame, establishments: pd.DataFrame, by: By) -> pd.DataFrame:
    """`frame` (by establishment_id) with the grouping columns of its establishment."""
    keys = _keys(by)
    columns = ["establishment_id", *[k for k in keys if k not in frame.columns]]
    return frame.merge(establishments[columns], on="establishment_id", how="inner")


def status_of(establishments: pd.DataFrame) -> pd.Series:
    """not_started / draft / submitted for each establishment."""
    return establishments["status"].astype(object).where(establishments["status"].notna(),
                                                         NOT_STARTED).map(str)


def participation(establishments: pd.DataFrame, deadline: dt.date, today: dt.date,
                  by: By = None) -> pd.DataFrame:
    """Counts of not started / draft / submitted, the total, `late` (not submitted and the
    deadline gone by: from the day after it) and `submitted_late` (submitted after it)."""
    frame, keys = _grouped(establishments, by)
    status = status_of(frame)
    submitted_on = pd.to_datetime(frame["submitted_at"]).dt.date
    frame = frame.assign(
        not_started=status == NOT_STARTED, draft=status == DRAFT, submitted=status == SUBMITTED,
        late=(status != SUBMITTED) & (today > deadline),
        submitted_late=(status == SUBMITTED) & submitted_on.map(
            lambda d: d is not None and pd.notna(d) and d > deadline),
    )
    columns = ["not_started", "draft", "submitted", "late", "submitted_late"]
    result = frame.groupby(keys, dropna=False)[columns].sum().astype(int)
    result.insert(3, "total", frame.groupby(keys, dropna=False).size().astype(int))
    return _index_name(result, by, dict.fromkeys(result.columns, 0))


def _summary(values: pd.Series) -> dict[str, float | int | None]:
    values = values.dropna().astype(float)
    if values.empty:
        return {"n": 0, "median": None, "q1": None, "q3": None}
    return {"n": int(values.size), "median": float(values.median()),
            "q1": float(values.quantile(0.25)), "q3": float(values.quantile(0.75))}


def distribution(frame: pd.DataFrame, column: str, keys: list[str]) -> pd.DataFrame:
    rows = {name: _summary(group[column]) for name, group in frame.groupby(keys, dropna=False)}
    result = pd.DataFrame.from_dict(rows, orient="index", columns=["n", "median", "q1", "q3"])
    result["n"] = result["n"].astype(int)
    result.index = _index(rows.keys(), keys)
    return result.astype(object).where(result.notna(), None)


_EMPTY = {"n": 0, "median": None, "q1": None, "q3": None}


def _index(names: object, keys: list[str]) -> pd.Index:
    names = [n[0] if isinstance(n, tuple) and len(n) == 1 else n for n in names]  # type: ignore[attr-defined]
    if len(keys) > 1:
        return pd.MultiIndex.from_tuples(names, names=keys)
    return pd.Index(names, name=keys[0])


def _submitted(establishments: pd.DataFrame) -> pd.DataFrame:
    return establishments[status_of(establishments) == SUBMITTED]


def overall_distribution(establishments: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Median, Q1, Q3 and n of the overall score of the submitted assessments."""
    frame, keys = _grouped(_submitted(establishments), by)
    return _index_name(distribution(frame, "overall", keys), by, _EMPTY)


def axis_distribution(axis_scores: pd.DataFrame, establishments: pd.DataFrame,
                      by: By = None) -> pd.DataFrame:
    """Median, Q1, Q3 and n per axis (rows: group × axis) of the submitted assessments."""
    frame = _attach(axis_scores, _submitted(establishments), by)
    frame, keys = _grouped(frame, by)
    return _index_name(distribution(frame, "score", [*keys, "axis_id"]), by)


def level_of(score: float | None, stored: float | None = None) -> int | None:
    """The level an establishment was given: the stored one (the scoring module's output,
    socle cap included), else the scoring module's rule on the exact score."""
    if stored is not None and pd.notna(stored):
        return int(stored)
    if score is None or pd.isna(score):
        return None
    return level_from_score(float(score))


def level_distribution(frame: pd.DataFrame, establishments: pd.DataFrame | None = None,
                       score: str = "overall", level: str = "overall_level",
                       by: By = None) -> pd.DataFrame:
    """Count of establishments at each maturity level 0-3 (columns 0…3, plus n).
    `frame` is the establishments frame (overall) or an axis frame (score/level columns)."""
    frame = (_submitted(frame) if establishments is None
             else _attach(frame, _submitted(establishments), by))
    levels = [level_of(s, lv) for s, lv in zip(
        frame[score], frame[level] if level in frame.columns else [None] * len(frame), strict=True)]
    frame, keys = _grouped(frame.assign(_level=levels), by)
    frame = frame[frame["_level"].notna()]
    counts = pd.crosstab([frame[k] for k in keys], frame["_level"].astype(int)) if len(frame) \
        else pd.DataFrame(columns=list(LEVELS))
    counts = counts.reindex(columns=list(LEVELS), fill_value=0).astype(int)
    counts.columns.name = None
    counts["n"] = counts.sum(axis=1).astype(int)
    if not _keys(by) and counts.empty:
        counts.loc[ALL] = 0
    return _index_name(counts, by)


def socle_attainment(establishments: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Median, Q1, Q3 and n of the Socle Cyber rate, and the share (percent) of submitted
    assessments meeting the whole socle (`full_share`, None when n is 0)."""
    frame, keys = _grouped(_submitted(establishments), by)
    result = distribution(frame, "socle_rate", keys)
    full = frame.assign(_full=frame["socle_rate"] >= 100)[frame["socle_rate"].notna()]
    shares = full.groupby(keys)["_full"].mean() * 100 if len(full) else pd.Series(dtype=float)
    shares.index = _index(shares.index, keys) if len(shares) else shares.index
    result["full_share"] = [float(shares[i]) if i in shares.index else None for i in result.index]
    return _index_name(result, by, {**_EMPTY, "full_share": None})


def readiness(met: int, total: int) -> str:
    """A domain is ready when something is judged and all of it is met (scoring.RatioResult)."""
    if not total:
        return NOT_ASSESSABLE
    return READY if met == total else NOT_READY


def domain_readiness(domains: pd.DataFrame, establishments: pd.DataFrame,
                     by: By = None) -> pd.DataFrame:
    """Per group × domain (D1…D4, HOSPICONNECT): counts ready, not_ready, not_assessable."""
    states = domains[["establishment_id", "domain"]].assign(state=[
        readiness(int(m), int(t)) for m, t in zip(domains["met"], domains["total"], strict=True)])
    return domain_states(states, establishments, by)


def domain_states(states: pd.DataFrame, establishments: pd.DataFrame,
                  by: By = None) -> pd.DataFrame:
    """domain_readiness from each domain's state already judged (long frame
    `establishment_id`, `domain`, `state`: what the establishment lines store)."""
    frame = _attach(states, _submitted(establishments), by)
    frame, keys = _grouped(frame, by)
    frame = frame.assign(_state=frame["state"].astype(object))
    columns = [READY, NOT_READY, NOT_ASSESSABLE]
    if frame.empty:
        index = pd.MultiIndex.from_product([[ALL] if not _keys(by) else [], list(DOMAINS)],
                                           names=[*keys, "domain"])
        return _index_name(pd.DataFrame(0, index=index, columns=columns), by)
    counts = pd.crosstab([frame[k] for k in [*keys, "domain"]], frame["_state"])
    counts = counts.reindex(columns=columns, fill_value=0).astype(int)
    counts.columns.name = None
    return _index_name(counts, by)


def _share(flags: pd.Series) -> float | None:
    return float(flags.mean() * 100) if len(flags) else None


def exercise_share(exercises: pd.DataFrame, establishments: pd.DataFrame, today: dt.date,
                   by: By = None) -> pd.DataFrame:
    """Share (percent) of the establishments with a crisis exercise held in the last 12
    months (the yearly rule of careapp/resilience/indicators.py), and n."""
    frame = establishments[["establishment_id", *_keys(by)]].merge(
        exercises, on="establishment_id", how="left")
    frame, keys = _grouped(frame, by)
    frame = frame.assign(_within=[pd.notna(d) and held_within_12_months(d, today)
                                  for d in frame["last_held_on"]])
    grouped = frame.groupby(keys, dropna=False)["_within"]
    result = pd.DataFrame({"n": grouped.size().astype(int), "within_12_months":
                           grouped.sum().astype(int)})
    result["share"] = [_share(g) for _, g in grouped]
    return _index_name(result, by)


def plans_by_kind(activities: pd.DataFrame, establishments: pd.DataFrame,
                  by: By = None) -> pd.DataFrame:
    """Per group × activity kind: n activities, PCA and PRA formalised (formalised or
    tested) and tested, counted over the establishments of the scope."""
    frame = _attach(activities, establishments, by)
    frame, keys = _grouped(frame, by)
    frame = frame.assign(
        pca_formalised=frame["pca_status"].map(lambda s: str(s) in FORMALISED),
        pca_tested=frame["pca_status"].map(lambda s: str(s) == "tested"),
        pra_formalised=frame["pra_status"].map(lambda s: str(s) in FORMALISED),
        pra_tested=frame["pra_status"].map(lambda s: str(s) == "tested"))
    columns = ["pca_formalised", "pca_tested", "pra_formalised", "pra_tested"]
    grouped = frame.groupby([*keys, "kind"], dropna=False)
    result = grouped[columns].sum().astype(int)
    result.insert(0, "n", grouped.size().astype(int))
    return _index_name(result, by)


COUNT_COLUMNS = ["open", "open_p1", "overdue"]
# Per establishment only (its line and the « à relancer » list), not summed per scope.
LINE_COUNT_COLUMNS = [*COUNT_COLUMNS, "overdue_p1"]


def roadmap_counts(roadmap: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Per establishment with actions: open actions, open P1 actions, overdue open actions
    (due before today) and overdue open P1 actions (both at once: an overdue P2 beside a P1
    not yet due counts none). loaders.roadmap_counts_frame computes the same in SQL."""
    is_open = roadmap["status"].astype(str).isin(list(OPEN_ACTIONS))
    due = pd.to_datetime(roadmap["due_on"], errors="coerce")
    p1 = is_open & (roadmap["priority"].astype(str) == "P1")
    late = is_open & (due < pd.Timestamp(today))
    flags = pd.DataFrame({
        "establishment_id": roadmap["establishment_id"], "open": is_open,
        "open_p1": p1, "overdue": late, "overdue_p1": p1 & late})
    counts = flags.groupby("establishment_id", as_index=False)[LINE_COUNT_COLUMNS].sum()
    return counts.astype({c: int for c in LINE_COUNT_COLUMNS})


def roadmap_progress(roadmap: pd.DataFrame, establishments: pd.DataFrame, today: dt.date,
                     by: By = None) -> pd.DataFrame:
    """Per group: open actions, open P1 actions, overdue open actions (due before today)."""
    return roadmap_progress_from_counts(roadmap_counts(roadmap, today), establishments, by)


def roadmap_progress_from_counts(counts: pd.DataFrame, establishments: pd.DataFrame,
                                 by: By = None) -> pd.DataFrame:
    """roadmap_progress from per-establishment counts (what the national refresh reads: a few
    thousand rows instead of every action)."""
    frame = _attach(counts, establishments, by)
    frame, keys = _grouped(frame, by)
    base, base_keys = _grouped(establishments, by)
    result = pd.DataFrame(0, index=base.groupby(base_keys, dropna=False).size().index,
                          columns=COUNT_COLUMNS)
    if len(frame):
        sums = frame.groupby(keys, dropna=False)[COUNT_COLUMNS].sum()
        result.loc[sums.index, sums.columns] = sums.astype(int)
    return _index_name(result.astype(int), by)


def per_establishment_change(current: pd.DataFrame, previous: pd.DataFrame,
                             column: str = "overall") -> pd.DataFrame:
    """The establishments submitted in both campaigns: previous, current and delta of
    `column`, indexed by establishment_id."""
    now = _submitted(current)[["establishment_id", column]].dropna()
    before = _submitted(previous)[["establishment_id", column]].dropna()
    paired = now.merge(before, on="establishment_id", suffixes=("_current", "_previous"))
    result = pd.DataFrame({
        "previous": paired[f"{column}_previous"].astype(float).to_numpy(),
        "current": paired[f"{column}_current"].astype(float).to_numpy()},
        index=pd.Index(paired["establishment_id"], name="establishment_id"))
    result["delta"] = result["current"] - result["previous"]
    return result.sort_index()


def change_since_previous(current: pd.DataFrame, previous: pd.DataFrame,
                          column: str = "overall", by: By = None) -> pd.DataFrame:
    """Per group, on the same establishments both campaigns: n, the previous and current
    medians, their difference (`median_change`) and the median of the deltas."""
    deltas = per_establishment_change(current, previous, column).reset_index()
    frame = _attach(deltas, current, by)
    frame, keys = _grouped(frame, by)
    rows = {}
    for name, group in frame.groupby(keys, dropna=False):
        before, now = group["previous"].median(), group["current"].median()
        rows[name] = {"n": len(group), "median_previous": float(before),
                      "median_current": float(now), "median_change": float(now - before),
                      "median_delta": float(group["delta"].median())}
    columns = ["n", "median_previous", "median_current", "median_change", "median_delta"]
    if not rows:
        return pd.DataFrame(columns=columns)
    result = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    result.index = _index(rows.keys(), keys)
    return _index_name(result, by)


def d2_distribution(lines: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Over every establishment of the scope (lines: `establishment_id`, `d2_met`,
    `d2_total`): n, median, Q1, Q3 of the D2 items met, and `all_met`, the establishments
    meeting every item they were judged on (D2Readiness.ready: met == total)."""
    frame, keys = _grouped(lines, by)
    result = distribution(frame, "d2_met", keys)
    flags = frame.assign(_all=[int(m) == int(t) for m, t
                               in zip(frame["d2_met"], frame["d2_total"], strict=True)])
    counts = flags.groupby(keys, dropna=False)["_all"].sum()
    result["all_met"] = [int(c) for c in counts.reindex(result.index, fill_value=0)] \
        if len(result) else []
    return _index_name(result, by, {**_EMPTY, "all_met": 0})


def retex_missing(lines: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """n establishments and `with_missing`, those with at least one exercise held whose RETEX
    is missing (lines: `establishment_id`, `retex_missing`, a count per establishment)."""
    frame, keys = _grouped(lines, by)
    frame = frame.assign(_missing=[int(m) > 0 for m in frame["retex_missing"]])
    grouped = frame.groupby(keys, dropna=False)["_missing"]
    result = pd.DataFrame({"n": grouped.size().astype(int),
                           "with_missing": grouped.sum().astype(int)})
    return _index_name(result, by, {"n": 0, "with_missing": 0})


def _long_axes(lines: pd.DataFrame) -> pd.DataFrame:
    submitted = _submitted(lines)
    rows = [(eid, axis, float(score)) for eid, axes in zip(
        submitted["establishment_id"], submitted["axes"], strict=True)
        for axis, score in (axes or {}).items() if score is not None and pd.notna(score)]
    return pd.DataFrame(rows, columns=["establishment_id", "axis_id", "score"])


def axes_change_since_previous(current: pd.DataFrame, previous: pd.DataFrame,
                               by: By = None) -> pd.DataFrame:
    """change_since_previous of every axis at once, indexed by axis_id (with `by`: by the
    group × axis_id, the group of each establishment taken from `current`), from frames with
    `establishment_id`, `status` and `axes` ({axis_id: score}, the establishment lines): the
    same figures as change_since_previous on each axis's scores, one merge."""
    columns = ["n", "median_previous", "median_current", "median_change", "median_delta"]
    keys = _keys(by)
    paired = _long_axes(current).merge(_long_axes(previous), on=["establishment_id", "axis_id"],
                                       suffixes=("_current", "_previous"))
    if paired.empty:
        if keys:
            return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples(
                [], names=[*keys, "axis_id"]))
        return pd.DataFrame(columns=columns, index=pd.Index([], name="axis_id"))
    paired["delta"] = paired["score_current"] - paired["score_previous"]
    if keys:
        paired, keys = _grouped(_attach(paired, current, by), by)
    grouped = paired.groupby([*keys, "axis_id"])
    result = pd.DataFrame({
        "n": grouped.size().astype(int),
        "median_previous": grouped["score_previous"].median().astype(float),
        "median_current": grouped["score_current"].median().astype(float)})
    result["median_change"] = result["median_current"] - result["median_previous"]
    result["median_delta"] = grouped["delta"].median().astype(float)
    return result[columns].sort_index()
