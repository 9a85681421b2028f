"""Built-in example audits. Every name and reference here is fictional (DEMO-...)."""

from __future__ import annotations

import datetime as dt

from shared.core.deadlines import months_before
from shared.core.record import FieldValue

_EVIDENCE = {
    "d1": "Child seen alone on four visits; wishes and feelings recorded in the child's own words.",
    "d2": "Single assessment completed within 35 days, analyses risk and protective factors.",
    "d3": "Child in need plan reviewed on time, actions have owners and dates.",
    "d4": "School attendance up from 70% to 94% since the plan began.",
    "d5": "School nurse and school attend every core group; minutes on file.",
    "d6": "Monthly supervision recorded with reflective management oversight.",
    "d7": "Case notes up to date; chronology current to last month.",
}


def _details(case: str, worker: str, audit_date: dt.date) -> dict[str, FieldValue]:
    return {
        "case_ref": f"DEMO-{case}",
        "child_ref": f"DEMO-C-{case}",
        "team": "Demo Team East",
        "allocated_worker": worker,
        "team_manager": "Morgan Example (fictional)",
        "auditor": "Riley Sample (fictional)",
        "auditor_role": "Team Manager",
        "audit_date": audit_date,
        "review_from": months_before(audit_date, 6),
        "review_to": audit_date,
        "discussion_date": audit_date - dt.timedelta(days=3),
    }


def good_audit() -> dict[str, FieldValue]:
    """A complete, well-evidenced Good audit with one SMART development action."""
    fields = _details("0001", "Alex Example (fictional)", dt.date(2026, 11, 20))
    for domain_id, text in _EVIDENCE.items():
        fields[f"{domain_id}_grade"] = "Good"
        fields[f"{domain_id}_evidence"] = text
    fields["d1_good_practice"] = "Direct work sessions used the child's drawings to plan visits."
    fields |= {
        "overall_grade": "Good",
        "overall_rationale": "Consistent, child-focused practice with clear progress at school.",
        "safeguarding_concern": False,
        "good_practice_summary": "Creative direct work that kept the child's voice central.",
        "a1_action": "Update the chronology with the two school exclusions in September",
        "a1_domain": "Recording and chronology",
        "a1_owner": "Alex Example (fictional)",
        "a1_due": dt.date(2026, 12, 11),
        "a1_measure": "Chronology shows both exclusions and their impact",
    }
    return fields


def inadequate_audit_with_safeguarding_concern() -> dict[str, FieldValue]:
    """An Inadequate audit that found an immediate safeguarding concern (2.6, 2.10, 2.12)."""
    fields = _details("0002", "Sam Sample (fictional)", dt.date(2026, 11, 23))
    for domain_id, text in _EVIDENCE.items():
        fields[f"{domain_id}_grade"] = "Requires Improvement"
        fields[f"{domain_id}_evidence"] = text
    fields |= {
        "d1_grade": "Inadequate",
        "d1_evidence": "Child not seen alone in the last four months despite a plan to do so.",
        "d5_grade": "Not applicable",
        "d5_evidence": "",
        "overall_grade": "Inadequate",
        "overall_rationale": "The child has not been seen alone and risk is not reassessed after new information.",
        "safeguarding_concern": True,
        "safeguarding_details": "New information about a adult in the home not assessed; Team Manager told by phone on 23/11/2026.",
    }
    actions = [
        (
            "Visit and see the child alone, recording wishes and feelings",
            "d1",
            "2026-11-30",
            "Visit recorded with the child's own words",
        ),
        (
            "Complete an updated assessment of risk from the new adult in the home",
            "d2",
            "2026-12-04",
            "Updated assessment authorised by the Team Manager",
        ),
        (
            "Convene a review of the child in need plan with all agencies",
            "d3",
            "2026-12-11",
            "Revised plan on file with owners and dates",
        ),
        (
            "Record weekly progress against the revised plan in case notes",
            "d4",
            "2026-12-18",
            "Weekly entries show progress against each action",
        ),
        (
            "Hold reflective supervision focused on this child and record it",
            "d6",
            "2026-12-07",
            "Supervision record with decisions and timescales",
        ),
        (
            "Bring the chronology up to date with events since June",
            "d7",
            "2026-12-09",
            "Chronology complete to date of update",
        ),
    ]
    for row, (action, domain, due, measure) in enumerate(actions, start=1):
        fields |= {
            f"a{row}_action": action,
            f"a{row}_domain": domain,
            f"a{row}_owner": "Sam Sample (fictional)",
            f"a{row}_due": due,
            f"a{row}_measure": measure,
        }
    return fields


def half_filled_audit() -> dict[str, FieldValue]:
    """A form sent back too early: domains missing, no rationale, a vague action."""
    fields = _details("0003", "Jo Placeholder (fictional)", dt.date(2026, 11, 25))
    fields |= {
        "d1_grade": "Requires Improvement",
        "d1_evidence": "Voice of the child is mostly the parent's view.",
        "d2_grade": "Good",
        "d2_evidence": "",
        "d3_grade": "Excellent",
        "overall_grade": "Requires Improvement",
        "a1_action": "Continue to monitor",
        "a1_domain": "Voice and lived experience of the child",
        "a1_due": "2026-12-25",
        "a1_measure": "",
    }
    return fields


def outstanding_audit_with_weaker_domain() -> dict[str, FieldValue]:
    """Outstanding overall with a domain graded Requires Improvement: a flag for QA (7.2)."""
    fields = good_audit()
    fields |= _details("0004", "Casey Fictional (fictional)", dt.date(2026, 11, 26))
    for domain_id in _EVIDENCE:
        fields[f"{domain_id}_grade"] = "Outstanding"
    fields["d7_grade"] = "Requires Improvement"
    fields["overall_grade"] = "Outstanding"
    return fields


EXAMPLES = {
    "DEMO-0001 Good, complete": good_audit,
    "DEMO-0002 Inadequate, safeguarding concern": inadequate_audit_with_safeguarding_concern,
    "DEMO-0003 half-filled": half_filled_audit,
    "DEMO-0004 Outstanding with a weaker domain": outstanding_audit_with_weaker_domain,
}
