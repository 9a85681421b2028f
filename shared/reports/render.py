"""Render a report template with docxtpl: data goes in as values, never as template code.

The template is the shipped ``.docx`` (or the QA team's edited copy); the context holds only
text, numbers, lists and charts. Jinja's autoescape is on, so a value containing ``<`` or
``&`` stays text in the XML, and a value containing ``{{ 7*7 }}`` or ``{%p if %}`` is printed as
typed: Jinja renders the template once and never evaluates what a value contains. Characters
docxtpl would turn into layout (tab, bell, form feed) and characters XML cannot hold are
removed from every value first.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

from shared.reports.content import ReportContent

# docxtpl turns \a into a new paragraph, \f into a page break and \t into a tab in rendered
# text; XML 1.0 cannot hold the other C0 controls at all. Line breaks stay (they become <w:br/>).
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\ufffe\uffff]")
CHART_WIDTH_MM = 160


def plain(value: object) -> object:
    """The value with unsafe characters removed, recursively through lists and mappings."""
    if isinstance(value, str):
        return _UNSAFE.sub(" ", value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def render_docx(template: Path, content: ReportContent) -> bytes:
    """The report as .docx bytes, with its charts drawn now (matplotlib is imported here)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage
    from jinja2 import Environment, StrictUndefined

    document = DocxTemplate(str(template))
    context: dict[str, object] = {key: plain(value) for key, value in content.context.items()}
    for key, draw in content.charts.items():
        context[key] = InlineImage(document, io.BytesIO(draw()), width=Mm(CHART_WIDTH_MM))
    # StrictUndefined: a tag the QA team mistypes in Word fails loudly instead of printing nothing.
    document.render(context, Environment(autoescape=True, undefined=StrictUndefined), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
