"""What the learning bulletin tells practitioners about each domain (8.1): why it matters and
what to do differently, in the seven-minute briefing shape safeguarding partnerships use.

The domain's own guidance in the audit schema is the standard ("what good looks like"); the
text here says why it matters to a child and what a practitioner can do on Monday. Keyed by
the schema's domain ids (d1..d7): renaming a domain in the schema keeps its text. A domain
Hull adds gets the general text until someone writes its own here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.core.schema import Domain


@dataclass(frozen=True, slots=True)
class DomainLesson:
    why: str
    do: tuple[str, ...]


LESSONS = {
    "d1": DomainLesson(
        "Decisions made without the child's own words risk missing what life is like for them; "
        "children tell us they want to be seen, listened to and told what happens next.",
        (
            "See the child alone where it is safe to, and record what they said in their own words.",
            "Show in the plan how the child's wishes changed what we do, or explain why not.",
        ),
    ),
    "d2": DomainLesson(
        "An assessment that describes but does not analyse leaves the plan guessing: history, risk "
        "and protective factors weighed together are what keep a child safe.",
        (
            "End every assessment with a clear analysis: what we are worried about, what is going "
            "well, and what needs to happen.",
            "Use the chronology: name the patterns it shows, not only the latest event.",
        ),
    ),
    "d3": DomainLesson(
        "A plan that is not SMART cannot show progress or drift; families need to know what is "
        "expected of them, by whom and by when.",
        (
            "Write each action with an owner, a date and how we will know it worked (2.8).",
            "Check with the family and the child that they understand the plan, and record it.",
        ),
    ),
    "d4": DomainLesson(
        "Activity is not impact: a child's circumstances can stay the same for months while "
        "visits continue. Drift and delay harm children.",
        (
            "At each review, record what has changed for the child since the last one.",
            "When progress stalls, escalate: raise it in supervision and agree a different approach.",
        ),
    ),
    "d5": DomainLesson(
        "Risk is seen most clearly when agencies share what they know; the same gaps between "
        "agencies appear again and again in safeguarding reviews.",
        (
            "Invite partners to contribute to assessments and reviews, and record their views.",
            "Follow up when an agency has not shared what it agreed to share, and record the outcome.",
        ),
    ),
    "d6": DomainLesson(
        "Management oversight gives direction and challenge; without it, drift goes unnoticed "
        "and practitioners carry risk alone.",
        (
            "Record management oversight on Liquidlogic with a clear direction and a timescale.",
            "Bring cases to supervision with a question, and record the reflection and the actions.",
        ),
    ),
    "d7": DomainLesson(
        "The record is the child's story and the next worker's starting point; a late or "
        "inaccurate record hides risk and can one day be read by the child.",
        (
            "Record visits promptly and write for the child who may read it later.",
            "Keep the chronology current with significant events and their impact.",
        ),
    ),
}
GENERAL = DomainLesson(
    "What audits find in one case is often true of others: the learning is for every team.",
    ("Discuss this domain in supervision, and agree one change you will make.",),
)


def lesson(domain: Domain) -> DomainLesson:
    return LESSONS.get(domain.id, GENERAL)


def questions(domain: Domain) -> list[str]:
    """The domain's guidance questions, turned to the practitioner's own cases."""
    found = [q.strip() for q in re.findall(r"[^?]+\?", domain.guidance)]
    return [f"In the cases you hold: {q[0].lower()}{q[1:]}" for q in found if q]


def reflective_questions(domains: list[Domain], count: int = 3) -> list[str]:
    """``count`` questions, taken in turn from each domain (the most urgent first)."""
    pools = [questions(d) for d in domains]
    chosen: list[str] = []
    depth = 0
    while len(chosen) < count and any(len(p) > depth for p in pools):
        chosen.extend(p[depth] for p in pools if len(p) > depth)
        depth += 1
    general = [
        "What would the child say about the difference our work has made?",
        "Which of your cases has not changed since the last review, and why?",
        "What will you do differently this month because of this bulletin?",
    ]
    for question in general:
        if len(chosen) >= count:
            break
        chosen.append(question)
    return chosen[:count]
