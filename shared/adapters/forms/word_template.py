"""The Word audit tools, written from the schema as OOXML.

Every field is a content control (``w:sdt``) whose tag is the field id: drop-down lists for
judgements, domains and roles, date pickers for dates, a check box for the safeguarding
question, plain or rich text for the rest, with the schema's guidance as placeholder text.
The layout follows the audit tools councils already use: title and guidance for the
auditor, case details, one section per domain, the overall judgement, the immediate
safeguarding question, and the improvement plan as a table on a landscape page.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.adapters.forms import ooxml
from shared.adapters.forms.controls import Controls
from shared.adapters.forms.ooxml import MC, W14, R, W
from shared.adapters.forms.word_blocks import add_cell, add_paragraph, add_row, add_run, add_table, sub, w
from shared.adapters.forms.word_parts import header_footer, styles, word_package
from shared.core.grades import Grade
from shared.core.schema import AuditSchema, FieldSpec, FormSpec

NAVY = "1F3864"
LABEL_FILL = "DEE6F0"
GUIDANCE_FILL = "F2F2F2"
# A4 in twentieths of a point, 2 cm margins.
_A4 = (11906, 16838)
_MARGIN = 1134


def _label_cell(row: etree._Element, width: int, spec: FieldSpec) -> None:
    cell = add_cell(row, width, LABEL_FILL)
    paragraph = add_paragraph(cell, spec.label, bold=True)
    if spec.required:
        add_run(paragraph, " *", bold=True, colour="C00000")


# --- the document ----------------------------------------------------------------------


class _WordForm:
    def __init__(self, form: FormSpec, schema: AuditSchema) -> None:
        self.form = form
        self.schema = schema
        self.controls = Controls(schema)
        self.root = etree.Element(w("document"), nsmap={"w": W, "r": R, "w14": W14, "mc": MC})
        self.root.set(f"{{{MC}}}Ignorable", "w14")
        self.body = sub(self.root, "body")
        self.content_width = _A4[0] - 2 * _MARGIN

    def build(self) -> bytes:
        self._title()
        if any(spec.kind == "grade" for spec in self.form.fields):
            self._grading_key()
        groups = _groups(self.form)
        for group, fields in groups:
            if group == "plan":
                continue
            if group == "details":
                heading = "Case details" if self.form.plan_rows else "Details"
                self._heading(heading)
                self._field_table(fields)
            elif group == "overall":
                self._overall(fields)
            elif group == "previous":
                self._previous(fields)
            else:
                self._domain(group, fields)
        plan = [spec for group, fields in groups if group == "plan" for spec in fields]
        if plan:
            self._end_section(landscape=False)
            self._plan(plan)
            self._closing()
            self._section_properties(self.body, landscape=True)
        else:
            self._closing()
            self._section_properties(self.body, landscape=False)
        return ooxml.xml_bytes(self.root)

    def _title(self) -> None:
        add_paragraph(self.body, self.schema.organisation.name, style="Subtitle")
        add_paragraph(self.body, self.form.title, style="Title")
        add_paragraph(
            self.body,
            f"Audit Framework section {self.form.section}. Form {self.form.id}, version "
            f"{self.form.version}. Fields marked * must be completed.",
            style="Caption",
        )
        self._heading("Guidance for the auditor")
        table = add_table(self.body, [self.content_width])
        cell = add_cell(add_row(table, cant_split=False), self.content_width, GUIDANCE_FILL)
        for sentence in _sentences(self.form.guidance):
            add_paragraph(cell, sentence)

    def _grading_key(self) -> None:
        self._heading("Judgements (2.7)")
        label_width = 2600
        table = add_table(self.body, [label_width, self.content_width - label_width])
        for grade in Grade:
            row = add_row(table)
            add_paragraph(add_cell(row, label_width, LABEL_FILL), grade.value, bold=True)
            add_paragraph(
                add_cell(row, self.content_width - label_width), self.schema.grade_descriptions[grade]
            )

    def _heading(self, text: str, level: int = 1) -> None:
        add_paragraph(self.body, text, style=f"Heading{level}")

    def _field_table(self, fields: Iterable[FieldSpec]) -> None:
        label_width = 3400
        table = add_table(self.body, [label_width, self.content_width - label_width])
        for spec in fields:
            row = add_row(table, cant_split=spec.kind != "richtext")
            _label_cell(row, label_width, spec)
            cell = add_cell(row, self.content_width - label_width)
            if spec.kind == "richtext":
                self.controls.block(cell, spec)
            else:
                self.controls.inline(sub(cell, "p"), spec)
            if spec.kind == "grade":
                self._grade_guidance(table, spec)

    def _grade_guidance(self, table: etree._Element, spec: FieldSpec) -> None:
        """Under a domain's judgement, in small grey type, what each grade looks like in that
        domain (7.1, Appendix 2): in a row of its own, never in the answer's cell."""
        if not (spec.group.startswith("d") and spec.group[1:].isdigit()):
            return
        domain = self.schema.domain(spec.group)
        if not domain.grading:
            return
        cell = add_cell(add_row(table), self.content_width, GUIDANCE_FILL)
        sub(cell[0], "gridSpan", val="2")
        for grade, text in domain.grading:
            paragraph = add_paragraph(cell, style="GradeGuide")
            add_run(paragraph, f"{grade}: ", bold=True, size=15, colour="404040")
            add_run(paragraph, text, size=15, colour="404040")

    def _domain(self, domain_id: str, fields: list[FieldSpec]) -> None:
        domain = self.schema.domain(domain_id)
        self._heading(f"Domain {domain.number}: {domain.name}")
        if domain.guidance:
            add_paragraph(self.body, domain.guidance, style="Guidance")
        self._field_table(fields)

    def _overall(self, fields: list[FieldSpec]) -> None:
        judgement = [spec for spec in fields if not spec.id.startswith("safeguarding")]
        safeguarding = [spec for spec in fields if spec.id.startswith("safeguarding")]
        if judgement:
            self._heading("Overall judgement (2.7)")
            self._field_table(judgement)
        if safeguarding:
            self._heading("Immediate safeguarding concern (2.6)")
            add_paragraph(
                self.body,
                "If you have identified an immediate concern about a child's safety, tell the Team "
                "Manager now so that corrective action can be taken; do not wait until the audit is "
                "finished. The Team Manager records the action on Liquidlogic under Management Oversight.",
                style="Guidance",
            )
            self._field_table(safeguarding)

    def _plan(self, fields: list[FieldSpec]) -> None:
        self._heading("Improvement plan (2.8)")
        add_paragraph(
            self.body,
            "Make every action SMART: what will be done, which domain it improves, who will do it, "
            "by when (a working day), and how success will be measured. Every domain judged Requires "
            "Improvement or Inadequate needs at least one action.",
            style="Guidance",
        )
        parts = ["action", "domain", "owner", "due", "measure"]
        width = _A4[1] - 2 * _MARGIN
        widths = [600, 4200, 2600, 2100, 1700]
        widths.append(width - sum(widths))
        table = add_table(self.body, widths)
        header = add_row(table, header=True)
        by_id = {spec.id: spec for spec in fields}
        labels = ["No."] + [by_id[f"a1_{part}"].label for part in parts]
        for column, label in enumerate(labels):
            add_paragraph(add_cell(header, widths[column], LABEL_FILL), label, bold=True)
        for number in range(1, self.form.plan_rows + 1):
            row = add_row(table)
            add_paragraph(add_cell(row, widths[0]), str(number), bold=True)
            for column, part in enumerate(parts, start=1):
                self.controls.inline(sub(add_cell(row, widths[column]), "p"), by_id[f"a{number}_{part}"])

    def _previous(self, fields: list[FieldSpec]) -> None:
        """2.12: on a re-audit, the last audit's judgements and each action of its plan, filled in
        by Audit Desk, and what the Senior Manager found for each."""
        self._heading("Re-audit only: the last audit and its improvement plan (2.12)")
        add_paragraph(
            self.body,
            "On a re-audit Audit Desk fills in the last audit's judgements and each action of its plan "
            "with the status recorded for it. For each action, say whether it was done and whether it "
            "made a difference for the child, with what you found on the file. Leave this section empty "
            "on a first audit.",
            style="Guidance",
        )
        self._field_table([spec for spec in fields if not spec.id[1].isdigit()])
        parts = ["action", "status", "finding", "note"]
        widths = [600, 3500, 1700, 1700]
        widths.append(self.content_width - sum(widths))
        table = add_table(self.body, widths)
        header = add_row(table, header=True)
        by_id = {spec.id: spec for spec in fields}
        for column, label in enumerate(["No."] + [by_id[f"p1_{part}"].label for part in parts]):
            add_paragraph(add_cell(header, widths[column], LABEL_FILL), label, bold=True)
        for number in range(1, self.form.previous_plan_rows + 1):
            row = add_row(table)
            add_paragraph(add_cell(row, widths[0]), str(number), bold=True)
            for column, part in enumerate(parts, start=1):
                self.controls.inline(sub(add_cell(row, widths[column]), "p"), by_id[f"p{number}_{part}"])

    def _closing(self) -> None:
        add_paragraph(self.body, "")
        if self.form.plan_rows:
            text = (
                "Return the completed audit and improvement plan to the Quality Assurance Team by the "
                "last working day of the month (2.2), and share your findings with the Team Manager and "
                "practitioner (2.9)."
            )
        else:
            text = "Return the completed form to the Quality Assurance Team."
        add_paragraph(self.body, text, style="Guidance")

    def _end_section(self, landscape: bool) -> None:
        paragraph = sub(self.body, "p")
        self._section_properties(sub(paragraph, "pPr"), landscape)

    def _section_properties(self, parent: etree._Element, landscape: bool) -> None:
        props = sub(parent, "sectPr")
        header = sub(props, "headerReference", type="default")
        header.set(f"{{{R}}}id", "rIdHeader")
        footer = sub(props, "footerReference", type="default")
        footer.set(f"{{{R}}}id", "rIdFooter")
        width, height = (_A4[1], _A4[0]) if landscape else _A4
        size = sub(props, "pgSz", w=str(width), h=str(height))
        if landscape:
            size.set(w("orient"), "landscape")
        margin = str(_MARGIN)
        sub(
            props,
            "pgMar",
            top=margin,
            right=margin,
            bottom=margin,
            left=margin,
            header="567",
            footer="567",
            gutter="0",
        )


def _groups(form: FormSpec) -> list[tuple[str, list[FieldSpec]]]:
    groups: list[tuple[str, list[FieldSpec]]] = []
    for spec in form.fields:
        if groups and groups[-1][0] == spec.group:
            groups[-1][1].append(spec)
        else:
            groups.append((spec.group, [spec]))
    return groups


def _sentences(text: str) -> list[str]:
    """Guidance split at full stops into short paragraphs, easier to read in a box."""
    parts = [part.strip() for part in text.replace(". ", ".\n").splitlines()]
    return [part for part in parts if part]


def build_word_template(form: FormSpec, schema: AuditSchema) -> bytes:
    """The .docx audit tool for ``form``: the same schema always gives the same bytes."""
    document = _WordForm(form, schema).build()
    footer_text = f"{form.title}: template {form.id} v{form.version}, schema {schema.id} v{schema.version}."
    properties: dict[str, str | int] = {
        ooxml.PROP_TEMPLATE: form.id,
        ooxml.PROP_TEMPLATE_VERSION: form.version,
        ooxml.PROP_SCHEMA: schema.id,
        ooxml.PROP_SCHEMA_VERSION: schema.version,
    }
    core = ooxml.core_properties_xml(form.title, f"Audit Framework section {form.section}")
    header = header_footer("hdr", schema.organisation.protective_marking, centred=True, page_number=False)
    footer = header_footer("ftr", footer_text, centred=False, page_number=True)
    return word_package(document, styles(NAVY), header, footer, core, properties)
