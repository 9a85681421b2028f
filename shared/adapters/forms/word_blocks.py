"""The OOXML building blocks of the Word audit tools: runs, paragraphs and tables, written
with lxml in WordprocessingML (ECMA-376 part 1, section 17)."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.adapters.forms.ooxml import W


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, w(tag))
    for key, value in attrs.items():
        element.set(w(key), value)
    return element


def character(
    props: etree._Element,
    *,
    bold: bool = False,
    italic: bool = False,
    colour: str | None = None,
    size: int | None = None,
    complex_script_size: bool = False,
) -> None:
    """Character formatting (``w:rPr``'s children, in the schema's order) for a run or a style;
    ``size`` in half-points, also for complex scripts when ``complex_script_size``."""
    if bold:
        sub(props, "b")
    if italic:
        sub(props, "i")
    if colour:
        sub(props, "color", val=colour)
    if size:
        sub(props, "sz", val=str(size))
        if complex_script_size:
            sub(props, "szCs", val=str(size))


def add_run(
    parent: etree._Element,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int | None = None,
    colour: str | None = None,
    style: str | None = None,
) -> etree._Element:
    run = sub(parent, "r")
    if bold or italic or size or colour or style:
        props = sub(run, "rPr")
        if style:
            sub(props, "rStyle", val=style)
        character(props, bold=bold, italic=italic, colour=colour, size=size)
    text_element = sub(run, "t")
    text_element.text = text
    text_element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def add_paragraph(
    parent: etree._Element, text: str = "", style: str | None = None, **run: object
) -> etree._Element:
    paragraph = sub(parent, "p")
    if style:
        sub(sub(paragraph, "pPr"), "pStyle", val=style)
    if text:
        add_run(paragraph, text, **run)  # type: ignore[arg-type]
    return paragraph


def add_table(body: etree._Element, widths: Iterable[int]) -> etree._Element:
    widths = list(widths)
    table = sub(body, "tbl")
    props = sub(table, "tblPr")
    sub(props, "tblW", w=str(sum(widths)), type="dxa")
    borders = sub(props, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        sub(borders, side, val="single", sz="4", space="0", color="8EA9C1")
    sub(props, "tblLayout", type="fixed")
    margins = sub(props, "tblCellMar")
    for side in ("top", "bottom"):
        sub(margins, side, w="40", type="dxa")
    for side in ("left", "right"):
        sub(margins, side, w="100", type="dxa")
    grid = sub(table, "tblGrid")
    for width in widths:
        sub(grid, "gridCol", w=str(width))
    return table


def add_row(table: etree._Element, header: bool = False, cant_split: bool = True) -> etree._Element:
    row = sub(table, "tr")
    if header or cant_split:
        props = sub(row, "trPr")
        if cant_split:
            sub(props, "cantSplit")
        if header:
            sub(props, "tblHeader")
    return row


def add_cell(row: etree._Element, width: int, fill: str | None = None) -> etree._Element:
    cell = sub(row, "tc")
    props = sub(cell, "tcPr")
    sub(props, "tcW", w=str(width), type="dxa")
    if fill:
        sub(props, "shd", val="clear", color="auto", fill=fill)
    return cell
