"""Redaction for what all staff read (8.1): no names, case or child references, contact details,
dates of birth, ethnicity or religion in the learning bulletin.

Three layers, each from a maintained library where one exists:

- Microsoft Presidio (``presidio-analyzer``/``presidio-anonymizer``) finds and replaces what has
  a shape: email addresses, UK phone numbers, postcodes in any case, NHS numbers (with or
  without spaces, checksum or not), National Insurance numbers, dates, initials (J.S.), case,
  child and other systems' references, honorifics with a surname, schools, and every name known
  from the Staff register and the case details. Presidio runs with its no-op NLP engine: no NER
  model is loaded or downloaded, ever.
- Any word with a capital letter that is not the service's own vocabulary is then judged
  against an English dictionary that keeps proper nouns capitalised (``english-words``' web2
  list) and word frequencies (``wordfreq``): a word no dictionary knows, a proper noun, a rare
  word at the start of a sentence, a hyphenated name, a name in capitals, all become
  ``[name]``. Mid-sentence, any capitalised word outside the vocabulary does.
- Some things cannot be redacted into safety: a mention of ethnicity or religion, text that is
  mostly redactions, or text where a second pass still finds something. Such an excerpt is
  *withheld*: :meth:`Redactor.review` says why, and it is never published (the QA team sees
  the reason in the draft).

Redaction runs before rendering, so nothing identifying reaches a template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # presidio imports spaCy: loaded only when a bulletin is redacted
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer

NAME = "[name]"
REFERENCE = "[reference]"
CONTACT = "[contact details]"
DATE = "[date]"
PLACE = "[place]"

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = (
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
)
# Case, child and other systems' references: DEMO-0001, LCS-123456, CF12345, P/123456, EHM 44521,
# MOSAIC#1234, any token mixing letters and three or more digits, any run of five or more digits.
_REFERENCES_CAPITALS = (
    r"\b[A-Z]{1,8}\s?[-/#:]?\s?\d{3,}[A-Z]?\b",
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+\b",
)
_REFERENCES = (
    r"\b[A-Za-z]{1,3}\d{3,}[A-Za-z]?\b",
    r"\b\d{5,}\b",
    r"\b(?:child|case|person)\s*(?:ref|reference|id|no|number)\.?\s*[:#]?\s*\S+",
    r"\b(?:ref|reference|id)\.?\s*[:#]\s*\S+",
)
# 10 digits as 3-3-4, with or without spaces or hyphens, whether or not the checksum holds.
_EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
_PHONE = r"(?<!\w)(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\w)"
_NHS = r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"
_POSTCODE = r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # any case: Presidio's flags ignore case
_INITIALS = (
    r"\b[A-Z]\.\s?(?:[A-Z]\.\s?)*[A-Z]\b\.?",
    r"\b[A-Z]{2,3}\b(?=\s*\(|\s+(?:said|says|told|was|is|has|had)\b)",
)
_HONORIFIC = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?\s+[A-Z][\w'’-]+"
_SCHOOL = (
    r"\b(?:St\.?\s+)?(?:[A-Z][\w'’-]*\s+){1,4}"
    r"(?:Primary|Academy|School|College|Nursery|Infants|Juniors|Junior|High|Sixth Form|Children's Centre)\b"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(]\s*)$")
_PLACEHOLDER = re.compile(r"\[(?:name|reference|contact details|date|place)\]")

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
        "Interpreter",
    ]
) | frozenset(_MONTHS.split("|"))

# Abbreviations the service writes in capitals.
ACRONYMS = frozenset(
    [
        "QA",
        "SMART",
        "GP",
        "NHS",
        "CIN",
        "CP",
        "CPP",
        "LAC",
        "CLA",
        "CIC",
        "IRO",
        "ICRO",
        "ICPC",
        "RCPC",
        "PLO",
        "MASH",
        "TAF",
        "TAC",
        "EHA",
        "EHM",
        "SENCO",
        "DSL",
        "PEP",
        "EHCP",
        "SEND",
        "SEN",
        "ADHD",
        "ASD",
        "CAMHS",
        "MARAC",
        "IDVA",
        "CSE",
        "CCE",
        "DA",
        "DV",
        "YOT",
        "YJS",
        "UK",
        "OK",
        "TV",
        "ASYE",
        "PA",
        "PAs",
        "LADO",
        "FGC",
        "CSC",
        "CYPFS",
        "SW",
        "SWs",
        "TM",
        "TMs",
        "DOB",
        "A",
        "I",
    ]
)
# Ethnicity, nationality, religion and faith: never published; an excerpt naming one is withheld
# for the QA team to rewrite (a category on its own can identify a child in a small service).
SENSITIVE = (
    "Muslim|Muslims|Islam|Islamic|Christian|Christians|Christianity|Catholic|Catholics|Protestant|"
    "Anglican|Methodist|Baptist|Pentecostal|Orthodox|Jewish|Jew|Jews|Judaism|Hindu|Hindus|Hinduism|"
    "Sikh|Sikhs|Sikhism|Buddhist|Buddhists|Buddhism|Rastafarian|Jehovah|Mormon|atheist|mosque|"
    "church|synagogue|temple|gurdwara|madrassa|Ramadan|Eid|Diwali|Vaisakhi|Hanukkah|halal|kosher|"
    "hijab|headscarf|niqab|turban|Gypsy|Traveller|Travellers|Roma|Romany|Irish|Scottish|Welsh|"
    "English|British|Polish|Romanian|Lithuanian|Latvian|Czech|Slovak|Bulgarian|Albanian|Kurdish|"
    "Kurd|Arab|Arabic|Syrian|Iraqi|Iranian|Afghan|Eritrean|Ethiopian|Sudanese|Somali|Nigerian|"
    "Ghanaian|Zimbabwean|Congolese|Pakistani|Bangladeshi|Indian|Chinese|Vietnamese|Filipino|"
    "Caribbean|African|Asian|Urdu|Punjabi|Bengali|Farsi|Tigrinya|Pashto|Portuguese|Ukrainian|"
    "Russian|ethnicity|ethnic|heritage|religion|religious|faith|mixed race|dual heritage"
)
_SENSITIVE_CAPITALISED = r"\b(?:Black|White|Mixed)\b"
# A capitalised word at the start of a sentence is kept only when it is an ordinary English word
# at least this common (Zipf scale: 'the' 7.7, 'school' 5.7, 'ruby' 4.0); when the dictionary
# also lists it as a proper noun ('Grace', 'Harry'), it has to be commoner still.
COMMON_WORD_ZIPF = 4.5
COMMON_PROPER_NOUN_ZIPF = 5.5
COMMON_INFLECTED_ZIPF = 5.0
# An excerpt more than this share redacted says nothing a practitioner can use: withheld.
MOSTLY_REDACTED = 0.34


@dataclass(frozen=True, slots=True)
class Reviewed:
    """Redacted text, and why it is withheld ('' when it may be published once QA approves)."""

    text: str
    withheld: str = ""

    @property
    def publishable(self) -> bool:
        return not self.withheld


def names_from_email(address: str) -> tuple[str, ...]:
    """'alex.example@example.org' -> ('Alex', 'Example'): the name an address spells."""
    local = address.partition("@")[0]
    return tuple(part.capitalize() for part in re.split(r"[._-]+", local) if len(part) >= 2)


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """web2 (Webster's 2nd), case kept: 'john' is absent, 'John' present; 'grace' and 'Grace' both."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False))


@lru_cache(maxsize=8192)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _pattern(entity: str, name: str, regexes: Sequence[str], *, ignore_case: bool) -> EntityRecognizer:
    from presidio_analyzer import Pattern, PatternRecognizer

    flags = re.DOTALL | re.MULTILINE | (re.IGNORECASE if ignore_case else 0)
    return PatternRecognizer(
        supported_entity=entity,
        name=name,
        patterns=[Pattern(f"{name} {n}", regex, 0.9) for n, regex in enumerate(regexes)],
        global_regex_flags=flags,
    )


@lru_cache(maxsize=1)
def _analyzer() -> AnalyzerEngine:
    """Presidio with the UK recognisers and ours, on the no-op NLP engine (no model at all)."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        NhsRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        # Presidio's EmailRecognizer validates domains with tldextract, which fetches the public
        # suffix list from the internet on first use: a plain pattern instead, no network.
        _pattern("EMAIL_ADDRESS", "Email", [_EMAIL], ignore_case=True),
        PhoneRecognizer(supported_regions=("GB",)),
        UkPostcodeRecognizer(),
        NhsRecognizer(),
        UkNinoRecognizer(),
        _pattern("UK_NHS", "NHS number, any checksum", [_NHS], ignore_case=False),
        _pattern("UK_POSTCODE", "Postcode, any case", [_POSTCODE], ignore_case=True),
        _pattern("DATE_TIME", "Date", [_DATE], ignore_case=True),
        _pattern("REFERENCE", "Reference", _REFERENCES, ignore_case=True),
        _pattern("REFERENCE", "Reference in capitals", _REFERENCES_CAPITALS, ignore_case=False),
        _pattern("PHONE_NUMBER", "Phone", [_PHONE], ignore_case=False),
        _pattern("PERSON", "Initials", _INITIALS, ignore_case=False),
        _pattern("PERSON", "Honorific and name", [_HONORIFIC], ignore_case=False),
        _pattern("LOCATION", "School", [_SCHOOL], ignore_case=False),
        _pattern("NRP", "Ethnicity or religion", [rf"\b(?:{SENSITIVE})\b"], ignore_case=True),
        _pattern("NRP", "Ethnicity (capitalised)", [_SENSITIVE_CAPITALISED], ignore_case=False),
    ):
        registry.add_recognizer(recognizer)
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    engine.load()
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


_REPLACEMENTS = {
    "PERSON": NAME,
    "KNOWN_PERSON": NAME,
    "EMAIL_ADDRESS": CONTACT,
    "PHONE_NUMBER": CONTACT,
    "UK_POSTCODE": CONTACT,
    "UK_NHS": REFERENCE,
    "UK_NINO": REFERENCE,
    "REFERENCE": REFERENCE,
    "DATE_TIME": DATE,
    "LOCATION": PLACE,
    "NRP": "[withheld]",
}


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces identifying text with a bracketed placeholder. Build it with :func:`redactor`."""

    names: tuple[str, ...]  # every known name and part of a name, as written
    vocabulary: frozenset[str]

    def __call__(self, text: str) -> str:
        """The redacted text, or '' when the text has to be withheld."""
        reviewed = self.review(text)
        return reviewed.text if reviewed.publishable else ""

    def redact(self, text: str) -> str:
        return self(text)

    def _known_names(self) -> list[Any]:
        if not self.names:
            return []
        alternatives = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        return [
            _pattern("KNOWN_PERSON", "Known name", [rf"\b(?:{alternatives})(?:'s|’s)?\b"], ignore_case=False)
        ]

    def _presidio(self, text: str) -> tuple[str, set[str]]:
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig

        results = _analyzer().analyze(text, language="en", ad_hoc_recognizers=self._known_names())
        if not results:
            return text, set()
        operators = {
            entity: OperatorConfig("replace", {"new_value": value}) for entity, value in _REPLACEMENTS.items()
        }
        operators["DEFAULT"] = OperatorConfig("replace", {"new_value": REFERENCE})
        redacted = _anonymizer(AnonymizerEngine).anonymize(text, results, operators).text
        return redacted, {r.entity_type for r in results}

    def review(self, text: str) -> Reviewed:
        """Redact ``text``; say why it is withheld when redaction cannot make it safe."""
        cleaned = " ".join(text.split())
        if not cleaned:
            return Reviewed("")
        redacted, found = self._presidio(cleaned)
        if "NRP" in found:
            return Reviewed(redacted, "mentions ethnicity, nationality or religion: QA to rewrite")
        redacted = self._unknown_capitalised(redacted)
        redacted = re.sub(r"\[name\](?:[\s,]+\[name\])+", NAME, redacted).strip()
        again, still = self._presidio(redacted)
        if still - {"PERSON"} or again != redacted:
            return Reviewed(again, "a second pass still found identifying text")
        words = len(_WORD.findall(cleaned)) or 1
        if len(_PLACEHOLDER.findall(redacted)) / words > MOSTLY_REDACTED:
            return Reviewed(redacted, "mostly redacted: too little left to publish")
        return Reviewed(redacted)

    def _is_name(self, word: str, sentence_start: bool, shouting: bool) -> bool:
        bare = word.removesuffix("'s").removesuffix("’s")
        if bare in self.vocabulary or bare in ACRONYMS or bare.capitalize() in self.vocabulary:
            return False
        if len(bare) == 1:
            return bare not in ("I", "A")
        if bare != word:  # a possessive: 'Rose's voice', 'Tyler’s school'
            return True
        capitals = bare.isupper()
        if capitals and not shouting:  # a word in capitals in ordinary text: a name ('SMITH')
            return True
        norm = bare.capitalize() if capitals else bare
        if any(c.isupper() for c in norm[1:]):  # McDonald, DeShawn
            return True
        lower = norm.lower()
        if not sentence_start and not capitals:
            return True
        dictionary = _dictionary()
        zipf = _zipf(lower)
        if lower not in dictionary:  # web2 has no inflections: 'visited' needs to be common
            return zipf < COMMON_INFLECTED_ZIPF
        if norm in dictionary and zipf < COMMON_PROPER_NOUN_ZIPF:
            return True
        return zipf < COMMON_WORD_ZIPF

    def _unknown_capitalised(self, text: str) -> str:
        """Every word with a capital letter judged by :meth:`_is_name`; a hyphenated word goes
        when any part of it is a name ('Smith-Jones', 'Tia-Mae'). In text written mostly in
        capitals, a word in capitals is judged as if it started a sentence."""
        words = _WORD.findall(text)
        shouting = sum(w.isupper() and len(w) > 1 for w in words) > len(words) / 2

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            if word == word.lower():
                return word
            if text[max(0, match.start() - 1) : match.start()] == "[":
                return word  # a placeholder
            start = bool(_SENTENCE_START.search(text[: match.start()]))
            parts = word.split("-")
            if any(
                p and p != p.lower() and self._is_name(p, start and i == 0, shouting)
                for i, p in enumerate(parts)
            ):
                return NAME
            return word

        return _WORD.sub(replace, text)


@lru_cache(maxsize=1)
def _anonymizer(factory: Any) -> Any:
    return factory()


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
        keep.update(w for w in re.split(r"[\s,()/]+", phrase) if w and w not in ("(fictional)",))
    # The service's own words stay even when somebody is called Good or Chair.
    # Names as written and in capitals (a name in lower case is more often an ordinary word).
    wanted = {v for p in parts if p not in keep for v in (p, p.upper())}
    return Redactor(tuple(sorted(wanted)), frozenset(keep))
