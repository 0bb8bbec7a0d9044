"""Scoring throughput on the shipped questionnaire: `make bench` (or python -m bench.bench_scoring).

Scores N synthetic answer sets (the size of a national campaign, ~3,000 establishments) and
reports the cost of the full score against the cost of interpreting the answers alone
(`resolve`), measured in the same run, so the figure is a ratio rather than machine seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from careapp.assessments.answers import ANSWERED, DONT_KNOW, NA, RawAnswer
from careapp.assessments.scoring import resolve, score
from careapp.config import PROJECT_ROOT
from careapp.questionnaires.registry import load_directory


def synthetic_answers(questionnaire, rng: random.Random) -> dict[str, RawAnswer]:  # noqa: ANN001
    answers = {}
    for q in questionnaire.questions:
        roll = rng.random()
        if roll < 0.05 and q.allow_na:
            answers[q.id] = RawAnswer(NA, None, "sans objet")
        elif roll < 0.10:
            answers[q.id] = RawAnswer(DONT_KNOW)
        elif q.type in {"single", "multi"}:
            option = rng.choice(q.options).id
            answers[q.id] = RawAnswer(ANSWERED, option if q.type == "single" else [option])
        elif q.type in {"number", "percent"}:
            answers[q.id] = RawAnswer(ANSWERED, str(rng.randint(1, 5)))
        elif q.type == "date":
            answers[q.id] = RawAnswer(ANSWERED, "2026-03-01")
        else:
            answers[q.id] = RawAnswer(ANSWERED, "note")
    return answers


def timed(fn, cases, repeat: int) -> float:  # noqa: ANN001
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for case in cases:
            fn(case)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=3000, help="answer sets (default 3000)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    loaded = load_directory(Path(PROJECT_ROOT / "questionnaires"))
    questionnaire = next(iter(loaded.values())).model
    rng = random.Random(7)
    cases = [synthetic_answers(questionnaire, rng) for _ in range(args.n)]
    base = timed(lambda a: resolve(questionnaire, a), cases, args.repeat)
    full = timed(lambda a: score(questionnaire, a), cases, args.repeat)
    per = full / args.n * 1e3
    print(f"questionnaire {questionnaire.label}: {len(questionnaire.questions)} questions, "
          f"{args.n} answer sets, median of {args.repeat} runs")
    print(f"  resolve only (baseline): {base:.3f} s")
    print(f"  full score             : {full:.3f} s  ({per:.2f} ms per assessment)")
    print(f"  ratio score / resolve  : {full / base:.2f}")


if __name__ == "__main__":
    main()
