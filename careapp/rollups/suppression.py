"""Small-group suppression (pure): no aggregate of fewer than MIN_GROUP establishments is shown,
and none can be recovered by subtraction.

Primary suppression hides every cell whose group counts fewer than MIN_GROUP establishments.
Complementary suppression then looks at each set of siblings (the cells that differ by one index
level only, which add up to the total shown beside them): when exactly one of them is hidden, its
value would be the total minus the others, so the smallest other sibling is hidden too. Hiding a
cell in one direction can expose one in another (a two-way table): sets are completed
cheapest first, with a cell that also completes a set of another direction when there is one,
else the smallest; repeated until no set has exactly one hidden cell.
"""

from __future__ import annotations

import pandas as pd

MIN_GROUP = 5


def suppressed(frame: pd.DataFrame, n: str = "n", minimum: int = MIN_GROUP) -> pd.Series:
    """True for the rows (cells) to hide; `frame[n]` is each group's number of establishments,
    its index the group (one level per dimension)."""
    counts = frame[n].astype(int)
    hidden = counts < minimum
    levels = list(range(frame.index.nlevels))
    sets = {level: _sibling_sets(frame, level, levels) for level in levels}
    while True:
        # The set to complete first: the one whose cheapest complement is the smallest.
        pending = [(level, siblings) for level in levels for siblings in sets[level]
                   if len(siblings) > 1 and int(hidden[siblings].sum()) == 1]
        if not pending:
            break
        level, siblings = min(pending, key=lambda p: min(
            int(counts[c]) for c in p[1] if not hidden[c]))

        def cost(cell: object, level: int = level) -> tuple[bool, int]:
            # Prefer a cell whose hiding also completes a set of another direction.
            helps = any(cell in other and int(hidden[other].sum()) == 1
                        for lv in levels if lv != level for other in sets[lv])
            return (not helps, int(counts[cell]))

        hidden[min((c for c in siblings if not hidden[c]), key=cost)] = True
    return hidden


def _sibling_sets(frame: pd.DataFrame, level: int, levels: list[int]) -> list[list[object]]:
    others = [lv for lv in levels if lv != level]
    if not others:
        return [list(frame.index)]
    return [list(g.index) for _, g in frame.groupby(level=others, dropna=False)]


def apply_suppression(frame: pd.DataFrame, hidden: pd.Series) -> pd.DataFrame:
    """`frame` with every figure of a hidden row (n included) replaced by None."""
    result = frame.astype(object).copy()
    result.loc[hidden[hidden].index, :] = None
    return result
