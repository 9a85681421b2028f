"""Forms edited the way Word and Excel write them are read as the person sees them (2.3, issue 13).

Each file is a filled template whose XML is then changed as Word writes that edit: tracked
moves and deletions, a text box (``mc:AlternateContent``), a placeholder flag left on typed
text, non-breaking hyphens, symbols, tabs and non-breaking spaces, text typed beside a box;
in Excel an error value; a Strict Open XML save; a file that lost its answer boxes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from lxml import etree  # type: ignore[import-untyped]

from shared.adapters.forms import fill_excel_form, fill_word_form, read_form
from shared.adapters.forms.templates import TEMPLATES_DIR
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.demo.examples import good_audit
from shared.demo.hostile_forms import part, with_parts
from shared.services.ports.forms import FormOutcome, FormStatus

ANSWER_BOXES_LOST = "answer-boxes-lost"  # shared.services.ports.forms.ANSWER_BOXES_LOST, spelt out

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"
DOCUMENT = "word/document.xml"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _edited(docx: bytes, edit: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(part(docx, DOCUMENT))
    edit(root)
    return with_parts(docx, {DOCUMENT: etree.tostring(root, xml_declaration=True, encoding="UTF-8")})


def _control(root: etree._Element, field_id: str) -> etree._Element:
    (tag,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val=$id]", namespaces={"w": W}, id=field_id)
    return tag


def _content(root: etree._Element, field_id: str) -> etree._Element:
    content = _control(root, field_id).find(_w("sdtContent"))
    assert content is not None
    return content


def _xml(fragment: str) -> etree._Element:
    return etree.fromstring(
        f'<w:r xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="{WPS}" xmlns:v="{V}">{fragment}</w:r>'
    )


def _paragraph_of_runs(*runs: etree._Element) -> etree._Element:
    paragraph = etree.Element(_w("p"))
    for run in runs:
        paragraph.append(run)
    return paragraph


def _read(data: bytes, schema: AuditSchema, deadlines: Deadlines, name: str = "audit.docx") -> FormOutcome:
    return read_form(data, name, schema, deadlines)


def _good() -> bytes:
    return fill_word_form(TEMPLATES_DIR / "case-file-audit.docx", good_audit())


def test_a_tracked_move_is_read_once_and_a_tracked_deletion_not_at_all_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    def edit(root: etree._Element) -> None:
        content = _content(root, "d1_evidence")
        # Word: the sentence leaves the first paragraph (w:moveFrom) and arrives in a new last one
        # (w:moveTo); a deleted word stays in the file as w:del/w:delText.
        move_from = etree.SubElement(content[0], _w("moveFrom"), {_w("id"): "1", _w("author"): "Fictional"})
        move_from.append(_xml("<w:t>Moved sentence.</w:t>"))
        deleted = etree.SubElement(content[0], _w("del"), {_w("id"): "2", _w("author"): "Fictional"})
        deleted.append(_xml("<w:delText>Struck out.</w:delText>"))
        arrived = etree.SubElement(content, _w("p"))
        move_to = etree.SubElement(arrived, _w("moveTo"), {_w("id"): "3", _w("author"): "Fictional"})
        move_to.append(_xml("<w:t>Moved sentence.</w:t>"))

    evidence = str(_read(_edited(_good(), edit), schema, deadlines).fields["d1_evidence"])
    assert evidence.count("Moved sentence.") == 1
    assert "Struck out." not in evidence


def test_a_text_box_word_writes_twice_is_read_once_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    box = (
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r>'
        "<w:t>Boxed note.</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Boxed note.</w:t></w:r>"
        "</w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent>"
    )

    def edit(root: etree._Element) -> None:
        _content(root, "d1_evidence").append(_paragraph_of_runs(_xml(box)))

    evidence = str(_read(_edited(_good(), edit), schema, deadlines).fields["d1_evidence"])
    assert evidence.count("Boxed note.") == 1


def test_typed_text_under_a_leftover_placeholder_flag_is_an_answer_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    def edit(root: etree._Element) -> None:
        etree.SubElement(_control(root, "team").find(_w("sdtPr")), _w("showingPlcHdr"))

    outcome = _read(_edited(_good(), edit), schema, deadlines)
    assert outcome.fields["team"] == good_audit()["team"]
    blank = _read((TEMPLATES_DIR / "case-file-audit.docx").read_bytes(), schema, deadlines)
    assert blank.rejection is not None
    assert blank.rejection.code == "empty-form"


def test_non_breaking_hyphens_symbols_tabs_and_non_breaking_spaces_read_as_seen_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    def set_runs(root: etree._Element, field_id: str, fragment: str) -> None:
        content = _content(root, field_id)
        for child in list(content):
            content.remove(child)
        content.append(_xml(fragment))

    def edit(root: etree._Element) -> None:
        set_runs(root, "case_ref", "<w:t>DEMO</w:t><w:noBreakHyphen/><w:t>0001</w:t>")
        set_runs(root, "team", "<w:tab/><w:t>Demo\u00a0Team  East</w:t><w:tab/>")
        set_runs(root, "allocated_worker", "<w:t>Alex\u202fExample\u2011Smith</w:t>")
        content = _content(root, "d1_evidence")
        content[0].append(
            _xml('<w:sym w:font="Wingdings" w:char="F0FC"/><w:t xml:space="preserve"> seen</w:t>')
        )

    outcome = _read(_edited(_good(), edit), schema, deadlines)
    assert outcome.fields["case_ref"] == "DEMO-0001"
    assert outcome.fields["team"] == "Demo Team East"
    assert outcome.fields["allocated_worker"] == "Alex Example-Smith"
    assert "✓ seen" in str(outcome.fields["d1_evidence"])


def test_text_typed_beside_a_box_is_a_finding_never_lost_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    def edit(root: etree._Element) -> None:
        sdt = _control(root, "d1_good_practice")
        content = sdt.find(_w("sdtContent"))
        for child in list(content):
            content.remove(child)
        content.append(_paragraph_of_runs())
        etree.SubElement(sdt.getparent(), _w("p")).append(_xml("<w:t>Warm, child-centred visits.</w:t>"))

    outcome = _read(_edited(_good(), edit), schema, deadlines)
    (finding,) = [f for f in outcome.findings if f.code == "text-beside-box"]
    assert finding.field == "d1_good_practice"
    assert finding.is_error
    assert "Warm, child-centred visits." in finding.message
    blank_filled = _read(_good(), schema, deadlines)
    assert not [f for f in blank_filled.findings if f.code == "text-beside-box"]


def test_an_excel_error_value_is_refused_as_an_answer_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    xlsx = fill_excel_form(TEMPLATES_DIR / "case-file-audit.xlsx", good_audit())
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx))
    destination = next(iter(book.defined_names["d1_evidence"].destinations))
    sheet_name, cell = destination[0], destination[1].replace("$", "")
    sheet_path = next(
        name
        for name in zipfile.ZipFile(io.BytesIO(xlsx)).namelist()
        if name.startswith("xl/worksheets/sheet")
    )
    S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    root = etree.fromstring(part(xlsx, sheet_path))
    (target,) = root.xpath("//s:c[@r=$r]", namespaces={"s": S}, r=cell)
    for child in list(target):
        target.remove(child)
    target.set("t", "e")  # as Excel writes a formula gone wrong: <c t="e"><f>..</f><v>#NAME?</v></c>
    etree.SubElement(target, f"{{{S}}}f").text = "=EVIDENCE()"
    etree.SubElement(target, f"{{{S}}}v").text = "#NAME?"
    assert sheet_name
    edited = with_parts(xlsx, {sheet_path: etree.tostring(root, xml_declaration=True, encoding="UTF-8")})
    outcome = _read(edited, schema, deadlines, "audit.xlsx")
    assert outcome.fields["d1_evidence"] is None
    assert any(f.code == "excel-error-value" and "#NAME?" in f.message for f in outcome.errors)


def test_a_strict_open_xml_save_is_refused_for_what_it_is_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    docx = _good()
    strict = part(docx, DOCUMENT).replace(W.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    outcome = _read(with_parts(docx, {DOCUMENT: strict}), schema, deadlines)
    assert outcome.rejection is not None
    assert outcome.rejection.code == "strict-open-xml"
    assert "Save As" in outcome.rejection.message


def test_a_form_that_lost_its_answer_boxes_gives_one_clear_message_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    def edit(root: etree._Element) -> None:
        # What a program that drops content controls leaves: the answers as plain text on the page.
        for sdt in list(root.iter(_w("sdt"))):
            props = sdt.find(_w("sdtPr"))
            tag = props.find(_w("tag"))
            if tag is not None and tag.get(_w("val")) not in ("case_ref", "safeguarding_concern"):
                parent, index = sdt.getparent(), sdt.getparent().index(sdt)
                parent.remove(sdt)
                for offset, child in enumerate(sdt.find(_w("sdtContent"))):
                    parent.insert(index + offset, child)

    outcome = _read(_edited(_good(), edit), schema, deadlines)
    assert outcome.status is FormStatus.INVALID
    (finding,) = outcome.findings
    assert finding.code == ANSWER_BOXES_LOST
    assert "Word or Excel" in finding.message
