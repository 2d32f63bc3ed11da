"""Export and import the offline workbook of the largest shipped template, every question
answered: build the XLSX, then read it back and validate it through the portal's form.

Run alone: .venv/bin/python bench/workbook.py [runs]
Prints `name: value unit` lines, e.g. `workbook import seconds: 0.31 s` (goal: under 1 s).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from vendorrisk.questionnaires import workbook  # noqa: E402
from vendorrisk.questionnaires.answers import Answer  # noqa: E402
from vendorrisk.questionnaires.formfactory import build_form_class  # noqa: E402
from vendorrisk.questionnaires.validator import validate_path  # noqa: E402

BINDING = workbook.Binding("1", "1", "0" * 64, "0" * 64)


def largest_template():
    """Return the shipped template with the most questions."""
    templates = [validate_path(p)[0] for p in sorted((ROOT / "questionnaires").glob("*.yaml"))]
    return max((t for t in templates if t is not None), key=lambda t: len(t.questions()))


def answer_all(template) -> dict[str, Answer]:
    """Give every question a valid answer of its type."""
    values = {"date": date(2021, 1, 15), "number": Decimal(24), "text": "Yes, done."}
    values["long_text"] = "We rotated every certificate.\nThen we checked the logs."
    answers = {}
    for q in template.questions():
        if q.type == "evidence":
            continue
        if q.options:
            first = q.options[0].value
            answers[q.id] = Answer(value=[first] if q.type == "multi_choice" else first)
        else:
            answers[q.id] = Answer(value=values[q.type])
    return answers


def best(runs: int, work) -> float:
    """Return the fastest of `runs` timings of `work()`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(runs: int = 5) -> None:
    template = largest_template()
    answers = answer_all(template)
    form_class = build_form_class(template)
    app = Flask(__name__)
    app.config.update(SECRET_KEY="bench", WTF_CSRF_ENABLED=False)
    data = workbook.build(template, answers, BINDING, template.title)

    def import_once() -> None:
        read = workbook.read(data, "bench.xlsx", template)
        assert not read.errors, read.errors[:3]
        with app.test_request_context():
            form = form_class(formdata=read.formdata, meta={"csrf": False})
            assert form.validate(require_answers=False), form.errors
            assert len(form.answers()) == len(answers)

    export = best(runs, lambda: workbook.build(template, answers, BINDING, template.title))
    imported = best(runs, import_once)
    print(f"workbook questions: {len(template.questions())} questions")
    print(f"workbook size: {len(data) / 1024:.1f} KiB")
    print(f"workbook export seconds: {export:.3f} s")
    print(f"workbook import seconds: {imported:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
