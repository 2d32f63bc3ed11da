"""Small builders for template YAML used by the questionnaire tests."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"

HEADER = """\
id: t
kind: baseline
title: T
categories:
  - {id: security, title: Security, weight: 1}
sections:
  - id: s1
    title: S1
    questions:
"""

Q_A = """\
      - id: q_a
        text: A?
        type: yes_no
        options:
          - {value: "yes", label: "Yes", score: 100}
          - {value: "no", label: "No", score: 0}
        category: security
        finding_title: Gap A
        remediation: Fix it.
        frameworks: [F1]
"""

MARK = "# <-"


def template(*questions: str, header: str = HEADER) -> str:
    """Return a valid baseline template with question q_a followed by `questions`."""
    return header + Q_A + "".join(questions)


def marked_line(text: str) -> int:
    """Return the 1-based line carrying the `# <-` marker."""
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if MARK in line]
    assert len(lines) == 1, "mark exactly one line"
    return lines[0]
