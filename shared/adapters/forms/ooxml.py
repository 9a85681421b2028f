"""Shared OOXML plumbing: namespaces, deterministic zips and document properties.

Templates are built byte-for-byte reproducibly: every zip entry has the same timestamp and
attributes, and the core properties carry a fixed date, so ``auditdesk templates build``
on an unchanged schema changes nothing in git.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"

REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_EXTENDED = "application/vnd.openxmlformats-officedocument.extended-properties+xml"

# Custom document properties every template carries (read back by the form reader).
PROP_TEMPLATE = "AuditDeskTemplate"
PROP_TEMPLATE_VERSION = "AuditDeskTemplateVersion"
PROP_SCHEMA = "AuditDeskSchema"
PROP_SCHEMA_VERSION = "AuditDeskSchemaVersion"

# The fixed moment stamped into every template, so rebuilding gives identical bytes.
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_TIMESTAMP = "2026-01-01T00:00:00Z"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def xml_bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def write_zip(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip with fixed timestamps and attributes: the same parts give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def replace_parts(package: bytes, replacements: Mapping[str, bytes]) -> bytes:
    """Copy a zip, swapping the named parts (and adding any new ones at the end)."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        names = source.namelist()
        parts = [(name, replacements.get(name) or source.read(name)) for name in names]
    parts.extend((name, data) for name, data in replacements.items() if name not in names)
    return write_zip(parts)


def custom_properties_xml(properties: Mapping[str, str | int]) -> bytes:
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT})
    for pid, (name, value) in enumerate(properties.items(), start=2):
        prop = etree.SubElement(
            root, f"{{{CUSTOM_NS}}}property", fmtid=_CUSTOM_FMTID, pid=str(pid), name=name
        )
        kind = "i4" if isinstance(value, int) else "lpwstr"
        etree.SubElement(prop, f"{{{VT}}}{kind}").text = str(value)
    return xml_bytes(root)


def core_properties_xml(title: str, subject: str) -> bytes:
    root = etree.Element(
        f"{{{CORE_NS}}}coreProperties",
        nsmap={"cp": CORE_NS, "dc": DC, "dcterms": DCTERMS, "xsi": XSI},
    )
    etree.SubElement(root, f"{{{DC}}}title").text = title
    etree.SubElement(root, f"{{{DC}}}subject").text = subject
    etree.SubElement(root, f"{{{DC}}}creator").text = "Audit Desk"
    etree.SubElement(root, f"{{{CORE_NS}}}lastModifiedBy").text = "Audit Desk"
    for name in ("created", "modified"):
        stamp = etree.SubElement(root, f"{{{DCTERMS}}}{name}")
        stamp.set(f"{{{XSI}}}type", "dcterms:W3CDTF")
        stamp.text = FIXED_TIMESTAMP
    return xml_bytes(root)


def extended_properties_xml(application: str = "Audit Desk") -> bytes:
    root = etree.Element(f"{{{EXTENDED_NS}}}Properties", nsmap={None: EXTENDED_NS, "vt": VT})
    etree.SubElement(root, f"{{{EXTENDED_NS}}}Application").text = application
    return xml_bytes(root)


def relationships_xml(relationships: Iterable[tuple[str, str, str]]) -> bytes:
    """(id, type, target) triples as a .rels part."""
    root = etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    for rel_id, rel_type, target in relationships:
        etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    return xml_bytes(root)


def content_types_xml(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> bytes:
    root = etree.Element(f"{{{CONTENT_TYPES_NS}}}Types", nsmap={None: CONTENT_TYPES_NS})
    for extension, content_type in defaults.items():
        etree.SubElement(
            root, f"{{{CONTENT_TYPES_NS}}}Default", Extension=extension, ContentType=content_type
        )
    for part, content_type in overrides.items():
        etree.SubElement(root, f"{{{CONTENT_TYPES_NS}}}Override", PartName=part, ContentType=content_type)
    return xml_bytes(root)
