"""Render a report template with docxtpl: data goes in as values, never as template code.

The template is the shipped ``.docx`` (or the QA team's edited copy); the context holds only
text, numbers, lists and charts. Jinja's autoescape is on, so a value containing ``<`` or
``&`` stays text in the XML, and a value containing ``{{ 7*7 }}`` or ``{%p if %}`` is printed as
typed: Jinja renders the template once and never evaluates what a value contains. Characters
docxtpl would turn into layout (tab, bell, form feed) and characters XML cannot hold are
removed from every value first.

After rendering, the document is made to describe itself (accessibility, and honest
properties): each chart gets its alt text, the core properties get the report's title, the
author "Audit Desk" and today's date from the service clock, the language is en-GB, and what
the python-docx starting template carried (an "Microsoft Macintosh Word" application, a
thumbnail of an empty page) is removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from shared.services.ports.documents import ReportContent

# docxtpl turns \a into a new paragraph, \f into a page break and \t into a tab in rendered
# text; XML 1.0 cannot hold the other C0 controls at all. Line breaks stay (they become <w:br/>).
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\ufffe\uffff]")
CHART_WIDTH_MM = 160
APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>Audit Desk</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def plain(value: object) -> object:
    """The value with unsafe characters removed, recursively through lists and mappings."""
    if isinstance(value, str):
        return _UNSAFE.sub(" ", value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def render_docx(template: Path, content: ReportContent, today: dt.date | None = None) -> bytes:
    """The report as .docx bytes, with its charts drawn now (matplotlib is imported here).
    ``today``: the service clock's date, for the document's created and modified dates."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage
    from jinja2 import Environment, StrictUndefined

    from shared.adapters.documents import charts
    from shared.adapters.documents.report_templates import set_properties

    document = DocxTemplate(str(template))
    context: dict[str, object] = {key: plain(value) for key, value in content.context.items()}
    alt_by_image: dict[str, str] = {}
    for key, chart in content.charts.items():
        png = charts.draw(chart)
        alt_by_image[hashlib.sha256(png).hexdigest()] = content.alt_text.get(key, "")
        context[key] = InlineImage(document, io.BytesIO(png), width=Mm(CHART_WIDTH_MM))
    # StrictUndefined: a tag the QA team mistypes in Word fails loudly instead of printing nothing.
    document.render(context, Environment(autoescape=True, undefined=StrictUndefined), autoescape=True)
    docx = document.docx
    _describe_images(docx, alt_by_image)
    day = today or dt.date.today()
    title = f"{content.title}, {content.context.get('period_label', content.period_key)}"
    organisation = str(content.context.get("organisation", ""))
    set_properties(docx, title, dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=dt.UTC), organisation)
    out = io.BytesIO()
    docx.save(out)
    return _clean_package(out.getvalue(), organisation)


def _describe_images(docx: object, alt_by_image: Mapping[str, str]) -> None:
    """Every picture's ``wp:docPr`` gets the alt text (``descr``) of the chart it shows."""
    from docx.oxml.ns import qn

    for shape in docx.inline_shapes:  # type: ignore[attr-defined]
        inline = shape._inline
        blips = inline.xpath(".//a:blip")
        if not blips:
            continue
        part = docx.part.related_parts[blips[0].get(qn("r:embed"))]  # type: ignore[attr-defined]
        alt = alt_by_image.get(hashlib.sha256(part.blob).hexdigest(), "")
        doc_pr = inline.docPr
        doc_pr.set("descr", alt or "Chart")
        doc_pr.set("title", (alt.split(".")[0] if alt else "Chart")[:120])


def _clean_package(data: bytes, company: str) -> bytes:
    """Drop the starting template's thumbnail and application properties; en-GB throughout."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            content = source.read(info.filename)
            if info.filename == "docProps/app.xml":
                content = APP_XML.replace("{company}", xml_escape(company)).encode()
            elif info.filename == "_rels/.rels":
                content = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", content)
            elif info.filename in ("word/settings.xml", "word/styles.xml", "word/stylesWithEffects.xml"):
                content = content.replace(b'"en-US"', b'"en-GB"')
            target.writestr(info, content)
    return out.getvalue()
