"""The parts of a Word audit tool's package besides the document: styles, settings, header and
footer, content types and relationships (ECMA-376 part 2, Open Packaging Conventions)."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.adapters.forms import ooxml
from shared.adapters.forms.ooxml import R, W
from shared.adapters.forms.word_blocks import add_run, character, sub, w

_CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


_CT_STYLES = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"


_CT_SETTINGS = "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"


_CT_HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


_CT_FOOTER = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"


_REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def styles(accent: str) -> bytes:
    """The styles the layout uses; titles and headings in the ``accent`` colour."""
    root = etree.Element(w("styles"), nsmap={"w": W})
    defaults = sub(root, "docDefaults")
    run = sub(sub(defaults, "rPrDefault"), "rPr")
    sub(run, "rFonts", ascii="Arial", hAnsi="Arial", eastAsia="Arial", cs="Arial")
    sub(run, "sz", val="20")
    sub(run, "szCs", val="20")
    sub(run, "lang", val="en-GB")
    sub(sub(sub(defaults, "pPrDefault"), "pPr"), "spacing", after="60", line="264", lineRule="auto")

    def style(
        kind: str,
        style_id: str,
        name: str,
        *,
        size: int | None = None,
        bold: bool = False,
        italic: bool = False,
        colour: str | None = None,
        before: int | None = None,
        after: int | None = None,
        keep_next: bool = False,
        fill: str | None = None,
        default: bool = False,
    ) -> None:
        element = sub(root, "style", type=kind, styleId=style_id)
        if default:
            element.set(w("default"), "1")
        sub(element, "name", val=name)
        if kind == "paragraph" and style_id != "Normal":
            sub(element, "basedOn", val="Normal")
            sub(element, "next", val="Normal")
        sub(element, "qFormat")
        if kind == "paragraph" and (before is not None or after is not None or keep_next or fill):
            paragraph = sub(element, "pPr")
            if keep_next:
                sub(paragraph, "keepNext")
            if fill:
                sub(paragraph, "shd", val="clear", color="auto", fill=fill)
            sub(paragraph, "spacing", before=str(before or 0), after=str(after or 60))
        character(
            sub(element, "rPr"), bold=bold, italic=italic, colour=colour, size=size, complex_script_size=True
        )

    style("paragraph", "Normal", "Normal", default=True)
    style("paragraph", "Title", "Title", size=36, bold=True, colour=accent, after=60)
    style("paragraph", "Subtitle", "Subtitle", size=22, colour="44546A", after=0)
    style("paragraph", "Caption", "Caption", size=17, italic=True, colour="595959", after=120)
    style(
        "paragraph",
        "Heading1",
        "heading 1",
        size=26,
        bold=True,
        colour=accent,
        before=280,
        after=100,
        keep_next=True,
    )
    style(
        "paragraph",
        "Heading2",
        "heading 2",
        size=22,
        bold=True,
        colour=accent,
        before=160,
        after=60,
        keep_next=True,
    )
    style(
        "paragraph", "Guidance", "Guidance", size=18, italic=True, colour="404040", after=100, keep_next=True
    )
    style("paragraph", "GradeGuide", "Grade guidance", size=15, colour="404040", after=20)
    style("paragraph", "Header", "header", size=16, colour="C00000")
    style("paragraph", "Footer", "footer", size=16, colour="595959")
    style("character", "PlaceholderText", "Placeholder Text", colour="808080")
    return ooxml.xml_bytes(root)


def settings() -> bytes:
    root = etree.Element(w("settings"), nsmap={"w": W})
    sub(root, "defaultTabStop", val="720")
    sub(root, "characterSpacingControl", val="doNotCompress")
    compat = sub(root, "compat")
    # Word 2013+ mode: without it Word opens the form in compatibility mode and the
    # check box control (w14) is not clickable.
    sub(
        compat,
        "compatSetting",
        name="compatibilityMode",
        uri="http://schemas.microsoft.com/office/word",
        val="15",
    )
    return ooxml.xml_bytes(root)


def header_footer(tag: str, text: str, centred: bool, page_number: bool) -> bytes:
    root = etree.Element(w(tag), nsmap={"w": W, "r": R})
    paragraph = sub(root, "p")
    props = sub(paragraph, "pPr")
    sub(props, "pStyle", val="Header" if tag == "hdr" else "Footer")
    if centred:
        sub(props, "jc", val="center")
    add_run(paragraph, text, bold=tag == "hdr")
    if page_number:
        add_run(paragraph, "   Page ")
        field = sub(paragraph, "fldSimple", instr=" PAGE ")
        add_run(field, "1")
    return ooxml.xml_bytes(root)


def word_package(
    document: bytes,
    styles_xml: bytes,
    header: bytes,
    footer: bytes,
    core: bytes,
    properties: dict[str, str | int],
) -> bytes:
    """The .docx: the document with its styles, settings, header and footer, and the
    package's properties (core, application, and the custom ones naming the template)."""
    parts = [
        (
            "[Content_Types].xml",
            ooxml.content_types_xml(
                {
                    "rels": "application/vnd.openxmlformats-package.relationships+xml",
                    "xml": "application/xml",
                },
                {
                    "/word/document.xml": _CT_DOCUMENT,
                    "/word/styles.xml": _CT_STYLES,
                    "/word/settings.xml": _CT_SETTINGS,
                    "/word/header1.xml": _CT_HEADER,
                    "/word/footer1.xml": _CT_FOOTER,
                    "/docProps/core.xml": ooxml.CT_CORE,
                    "/docProps/app.xml": ooxml.CT_EXTENDED,
                    "/docProps/custom.xml": ooxml.CT_CUSTOM,
                },
            ),
        ),
        (
            "_rels/.rels",
            ooxml.relationships_xml(
                [
                    ("rId1", ooxml.REL_OFFICE_DOCUMENT, "word/document.xml"),
                    ("rId2", ooxml.REL_CORE, "docProps/core.xml"),
                    ("rId3", ooxml.REL_EXTENDED, "docProps/app.xml"),
                    ("rId4", ooxml.REL_CUSTOM, "docProps/custom.xml"),
                ]
            ),
        ),
        ("word/document.xml", document),
        (
            "word/_rels/document.xml.rels",
            ooxml.relationships_xml(
                [
                    ("rIdStyles", _REL_BASE + "styles", "styles.xml"),
                    ("rIdSettings", _REL_BASE + "settings", "settings.xml"),
                    ("rIdHeader", _REL_BASE + "header", "header1.xml"),
                    ("rIdFooter", _REL_BASE + "footer", "footer1.xml"),
                ]
            ),
        ),
        ("word/styles.xml", styles_xml),
        ("word/settings.xml", settings()),
        ("word/header1.xml", header),
        ("word/footer1.xml", footer),
        ("docProps/core.xml", core),
        ("docProps/app.xml", ooxml.extended_properties_xml()),
        ("docProps/custom.xml", ooxml.custom_properties_xml(properties)),
    ]
    return ooxml.write_zip(parts)
