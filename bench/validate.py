"""Measure the one template check (`check_source`: limits, YAML, schema, rules) on a template of
10,000 questions, and how fast the limits refuse an alias bomb and deep nesting.

Run alone: .venv/bin/python bench/validate.py [runs]
Prints `name: value unit` lines, e.g. `validate 10000 questions: 0.42 s`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vendorrisk.questionnaires.limits import MAX_BYTES  # noqa: E402
from vendorrisk.questionnaires.validator import check_source  # noqa: E402

QUESTIONS = 10_000
PER_SECTION = 500
YES_NO = '[{value: "yes", label: "Yes", score: 100}, {value: "no", label: "No", score: 0}]'


def template(questions: int = QUESTIONS) -> bytes:
    """A valid template: every tenth question scored (options shared through an alias)."""
    lines = [
        "id: bench-validate",
        "kind: baseline",
        "title: Validation benchmark",
        "categories:",
        "  - {id: security, title: Security, weight: 1}",
        "sections:",
    ]
    for s in range(questions // PER_SECTION):
        lines += [f"  - id: s{s}", f"    title: S{s}", "    questions:"]
        for i in range(s * PER_SECTION, (s + 1) * PER_SECTION):
            if i == 0:
                lines.append(
                    f"    - {{id: q{i}, text: Q{i}, type: yes_no, options: &yn {YES_NO}, "
                    "category: security, finding_title: &gap Gap, remediation: &fix Fix., "
                    "frameworks: &fw [F1]}"
                )
            elif i % 10 == 0:
                lines.append(
                    f"    - {{id: q{i}, text: Q{i}, type: yes_no, options: *yn, "
                    "category: security, finding_title: *gap, remediation: *fix, "
                    "frameworks: *fw}"
                )
            else:
                lines.append(f"    - {{id: q{i}, text: Q{i}, type: text}}")
    return ("\n".join(lines) + "\n").encode()


def billion_laughs() -> bytes:
    """Nine levels of nine aliases: 387 million values if it were expanded."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


def best_of(runs: int, check: Callable[[], object], clock=time.perf_counter) -> float:
    """Return the fastest of `runs` timings of `check` on `clock`, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = clock()
        check()
        best = min(best, clock() - started)
    return best


def main(runs: int = 5) -> None:
    source = template()
    assert len(source) <= MAX_BYTES, f"the benchmark template is {len(source)} bytes"
    checked = check_source(source, "bench.yaml")
    assert checked.template is not None, [str(e) for e in checked.errors[:5]]
    assert len(checked.template.questions()) == QUESTIONS
    seconds = best_of(runs, lambda: check_source(source, "bench.yaml"))
    print(f"validate {QUESTIONS} questions: {seconds:.2f} s")
    # CPU time does not count waiting for a busy machine's other processes.
    cpu = best_of(runs, lambda: check_source(source, "bench.yaml"), time.process_time)
    print(f"validate {QUESTIONS} questions cpu: {cpu:.2f} s")
    print(f"validate template size: {len(source) / 1024:.0f} KiB")
    bomb = billion_laughs()
    assert check_source(bomb, "bomb.yaml").errors
    print(
        f"refuse alias bomb: {best_of(runs, lambda: check_source(bomb, 'bomb.yaml')) * 1000:.1f} ms"
    )
    deep = ("id: " + "[" * 10_000 + "]" * 10_000 + "\n").encode()
    assert check_source(deep, "deep.yaml").errors
    print(
        f"refuse 10000-deep nesting: {best_of(runs, lambda: check_source(deep, 'deep.yaml')) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
