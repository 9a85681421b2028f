"""Redaction for what all staff read (8.1): no names, case or child references, contact details
or dates of birth in the learning bulletin.

Known names come from the Staff list and from the people on the allocations (their addresses
say their names); patterns catch case and child references, email addresses, phone numbers,
postcodes and dates. A capitalised word in the middle of a sentence that is not in the service's
own vocabulary is treated as a name too: a bulletin loses the odd proper noun rather than risk
naming a child. Redaction runs before rendering, so nothing identifying reaches a template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NAME = "[name]"
REFERENCE = "[reference]"
CONTACT = "[contact details]"
DATE = "[date]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# DEMO-0001, LCS-123456, CF12345, P/123456 and any long run of digits (Liquidlogic ids, NHS numbers).
_REFERENCE = re.compile(
    r"\b[A-Z]{1,6}[-/ ]?\d{3,}\b|\b[A-Z]{1,3}\d{4,}[A-Z]?\b|\b\d{5,}\b|\b(?:child|case|person)\s*(?:ref|id|no)\.?\s*[:#]?\s*\S+",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<!\w)(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\w)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'-]+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z][\w'-]*")
_SENTENCE_END = re.compile(r"[.!?\n]\s*$")

# Capitalised words the service uses that are not anybody's name.
SERVICE_VOCABULARY = frozenset(
    [
        "I",
        "Team",
        "Teams",
        "Manager",
        "Managers",
        "Senior",
        "Group",
        "Practice",
        "Practitioner",
        "Practitioners",
        "Officer",
        "Quality",
        "Assurance",
        "Social",
        "Worker",
        "Workers",
        "Work",
        "Care",
        "Children",
        "Child",
        "Family",
        "Families",
        "Services",
        "Service",
        "Hull",
        "City",
        "Council",
        "Liquidlogic",
        "Management",
        "Oversight",
        "Plan",
        "Plans",
        "Planning",
        "Protection",
        "Conference",
        "Conferences",
        "Review",
        "Reviews",
        "Reviewing",
        "Independent",
        "Chair",
        "Chairs",
        "Voice",
        "Assessment",
        "Intervention",
        "Multi-agency",
        "Multi",
        "Agency",
        "Recording",
        "Chronology",
        "Supervision",
        "Domain",
        "Domains",
        "Good",
        "Outstanding",
        "Requires",
        "Improvement",
        "Inadequate",
        "Not",
        "Applicable",
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "School",
        "Schools",
        "Health",
        "Police",
        "Education",
        "GP",
        "CAMHS",
        "ICRO",
        "ICROs",
        "IFRO",
        "LADO",
        "ASYE",
        "Early",
        "Help",
        "Signs",
        "Safety",
        "Strengthening",
        "Families",
        "Court",
        "Pre-proceedings",
        "Section",
        "Strategy",
        "Meeting",
        "Looked",
        "After",
        "Leaving",
        "Pathway",
        "Edge",
        "Youth",
        "Justice",
        "Virtual",
        "Head",
        "Designated",
        "Nurse",
        "Midwife",
        "Mum",
        "Dad",
        "Mother",
        "Father",
        "Grandmother",
        "Grandfather",
        "Nan",
        "Grandad",
        "Aunt",
        "Uncle",
        "Carer",
        "Carers",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Christmas",
        "Easter",
        "Demo",
        "East",
        "West",
        "North",
        "South",
        "Central",
        "Safeguarding",
        "Audit",
        "Audits",
        "Desk",
        "Director",
        "English",
        "British",
        "Welsh",
        "Polish",
        "Romanian",
        "Arabic",
        "Kurdish",
        "Urdu",
        "Interpreter",
    ]
) | frozenset(_MONTHS.split("|"))


def names_from_email(address: str) -> tuple[str, ...]:
    """'alex.example@example.org' -> ('Alex', 'Example'): the name an address spells."""
    local = address.partition("@")[0]
    return tuple(part.capitalize() for part in re.split(r"[._-]+", local) if len(part) >= 2)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces identifying text with a bracketed placeholder. Build it with :func:`redactor`."""

    names: re.Pattern[str] | None
    vocabulary: frozenset[str]

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        text = _EMAIL.sub(CONTACT, text)
        text = _DATE.sub(DATE, text)
        text = _PHONE.sub(CONTACT, text)
        text = _POSTCODE.sub(CONTACT, text)
        text = _REFERENCE.sub(REFERENCE, text)
        text = _HONORIFIC.sub(NAME, text)
        if self.names is not None:
            text = self.names.sub(NAME, text)
        text = self._unknown_capitalised(text)
        return re.sub(r"(?:\[name\][\s,]*){2,}", NAME + " ", text).strip()

    def _unknown_capitalised(self, text: str) -> str:
        """A capitalised word that does not start a sentence and is not the service's own word,
        or any capitalised word with a possessive ('Amelia's'), is taken to be a name."""

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            bare = word.removesuffix("'s").removesuffix("’s")
            if bare in self.vocabulary:
                return word
            starts_sentence = match.start() == 0 or bool(_SENTENCE_END.search(text[: match.start()]))
            if starts_sentence and bare == word:
                return word
            return NAME

        return _CAPITALISED.sub(replace, text)


def redactor(
    names: Iterable[str], emails: Iterable[str] = (), extra_vocabulary: Iterable[str] = ()
) -> Redactor:
    """A redactor for these people: full names, each part of a name, and the names their email
    addresses spell. ``extra_vocabulary``: words to keep (team and domain names, say)."""
    parts: set[str] = set()
    for name in names:
        cleaned = re.sub(r"\(.*?\)", " ", name).strip()
        if cleaned:
            parts.add(cleaned)
            parts.update(p for p in re.split(r"[\s.-]+", cleaned) if len(p) >= 2)
    for address in emails:
        parts.update(names_from_email(address))
    keep = set(SERVICE_VOCABULARY)
    for phrase in extra_vocabulary:
        keep.update(w for w in re.split(r"[\s,()/]+", phrase) if w)
    # The service's own words stay even when somebody is called Good or Chair.
    # Names as written and in capitals (a name in lower case is more often an ordinary word).
    wanted = sorted({v for p in parts if p not in keep for v in (p, p.upper())}, key=len, reverse=True)
    pattern = (
        re.compile(r"\b(?:" + "|".join(re.escape(p) for p in wanted) + r")(?:'s|’s)?\b") if wanted else None
    )
    return Redactor(pattern, frozenset(keep))
