"""The hostile-file gate: every returned form passes here before anything parses it.

A form arrives by email or upload from anywhere, so the gate assumes nothing. It refuses,
with a reason a person can act on: empty and oversized files, files that are not Office
documents, old binary and encrypted documents, truncated or corrupt zips, zip bombs (too
many parts, too much uncompressed data, too high a compression ratio, parts that inflate
beyond what they declare), macro-enabled documents, and XML with a DTD (the door to XXE
and billion-laughs attacks: refused, never resolved). Only then is XML parsed, with a
parser that resolves no entities and touches no network.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.services.ports.forms import FormRejected

PackageKind = Literal["word", "excel"]

WORD_PART = "word/document.xml"
EXCEL_PART = "xl/workbook.xml"
CUSTOM_PART = "docProps/custom.xml"
CONTENT_TYPES = "[Content_Types].xml"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_MACRO_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".xltm", ".xlsb")
# A DTD in any encoding Office or libxml2 could read; OOXML parts must be UTF-8 anyway.
_DTD_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


@dataclass(frozen=True, slots=True)
class Limits:
    """What a returned form may weigh. A filled audit is tens of kilobytes; these leave room
    for long evidence and pasted pictures while refusing anything built to exhaust memory."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_parts: int = 400
    max_total_uncompressed: int = 120 * 1024 * 1024
    max_part_bytes: int = 40 * 1024 * 1024
    # Compression ratio refused for parts big enough to matter (small XML compresses well).
    max_ratio: int = 100
    ratio_applies_above: int = 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class OfficePackage:
    """A zip that passed the gate: which kind of form it is, and bounded access to its parts."""

    kind: PackageKind
    archive: zipfile.ZipFile
    source: str
    limits: Limits
    _parts: dict[str, bytes] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self._parts or name in self.archive.NameToInfo

    def read(self, name: str) -> bytes:
        """A part's bytes, never more than the limit even if its header lies about its size."""
        cached = self._parts.get(name)
        if cached is not None:
            return cached
        data = _read_bounded(self.archive, name, self.source, self.limits)
        self._parts[name] = data
        return data

    def parse(self, name: str) -> etree._Element:
        return parse_xml(self.read(name), self.source, name)

    def custom_properties(self) -> dict[str, str]:
        """docProps/custom.xml as name -> text: where templates carry their id and version."""
        if not self.has(CUSTOM_PART):
            return {}
        root = self.parse(CUSTOM_PART)
        found = {}
        for prop in root:
            name = prop.get("name")
            if name is None or len(prop) == 0:
                continue
            found[name] = (prop[0].text or "").strip()
        return found


def open_package(data: bytes, source: str, limits: Limits = DEFAULT_LIMITS) -> OfficePackage:
    """Check ``data`` (the file named ``source``) and open it, or raise FormRejected."""
    size = len(data)
    if size == 0:
        raise FormRejected("empty-file", f"{source} is empty (0 bytes). Save the form again and resend it.")
    if size > limits.max_file_bytes:
        raise oversized(source, size, limits)
    if source.lower().endswith(_MACRO_EXTENSIONS):
        raise _macros(source)
    if data.startswith(_OLE_MAGIC):
        if any(marker in data for marker in _ENCRYPTION_STREAMS):
            raise _encrypted(source)
        raise FormRejected(
            "old-format",
            f"{source} is an old binary Word or Excel file (.doc or .xls). Fill in the current "
            "Audit Desk template (.docx or .xlsx) instead.",
        )
    if not data.startswith(b"PK"):
        raise FormRejected(
            "not-office",
            f"{source} is not a Word or Excel document{_looks_like(data)}. Send the filled-in "
            "Audit Desk template (.docx or .xlsx).",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS:
        raise FormRejected(
            "corrupt-zip",
            f"{source} is damaged or incomplete (it may have been cut short while saving or sending). "
            "Open it in Word or Excel, save it again and resend it.",
        ) from None
    _check_bomb(infos, source, limits)
    names = archive.NameToInfo
    if any(info.flag_bits & 0x1 for info in infos):
        raise _encrypted(source)
    if any(name.casefold().endswith("vbaproject.bin") for name in names):
        raise _macros(source)
    if CONTENT_TYPES not in names:
        raise _not_a_form(source)
    if WORD_PART in names:
        kind: PackageKind = "word"
    elif EXCEL_PART in names:
        kind = "excel"
    else:
        raise _not_a_form(source)
    package = OfficePackage(kind, archive, source, limits)
    # Every XML part is looked at before any parser (ours or openpyxl's) sees it.
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            _refuse_dtd(package.read(info.filename), source, info.filename)
    content_types = package.read(CONTENT_TYPES)
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise _macros(source)
    package_rels = package.read(_PACKAGE_RELS) if package.has(_PACKAGE_RELS) else b""
    if (
        _STRICT_NS in package_rels
        or _STRICT_NS in package.read(WORD_PART if kind == "word" else EXCEL_PART)[:4096]
    ):
        raise _strict(source, kind)
    return package


def parse_xml(data: bytes, source: str, part: str) -> etree._Element:
    """Parse one part: no DTD, no entities resolved, no network, no huge trees."""
    _refuse_dtd(data, source, part)
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        raise FormRejected(
            "xml-malformed",
            f"{source} is damaged: its part {part} is not well-formed XML. Open it in Word or "
            "Excel, save it again and resend it; if that fails, copy the answers into a fresh template.",
        ) from None
    if root is None:
        raise _not_a_form(source)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _dtd(source, part)
    return root


def _check_bomb(infos: list[zipfile.ZipInfo], source: str, limits: Limits) -> None:
    if len(infos) > limits.max_parts:
        raise _bomb(source, f"it has {len(infos)} parts (a form has a few dozen at most)")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part_bytes:
            raise _bomb(source, f"its part {info.filename} unpacks to {info.file_size:,} bytes")
        if info.file_size > limits.ratio_applies_above and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise _bomb(source, f"its part {info.filename} is compressed more than {limits.max_ratio} to 1")
    if total > limits.max_total_uncompressed:
        raise _bomb(source, f"it unpacks to {total:,} bytes")


def _read_bounded(archive: zipfile.ZipFile, name: str, source: str, limits: Limits) -> bytes:
    try:
        with archive.open(name) as part:
            data = part.read(limits.max_part_bytes + 1)
    except KeyError:
        raise _not_a_form(source) from None
    except _ZIP_ERRORS:
        raise FormRejected(
            "corrupt-zip",
            f"{source} is damaged: its part {name} cannot be unpacked. Open it in Word or Excel, "
            "save it again and resend it.",
        ) from None
    if len(data) > limits.max_part_bytes:
        raise _bomb(source, f"its part {name} unpacks to more than it declares")
    return data


def _refuse_dtd(data: bytes, source: str, part: str) -> None:
    head = data[:2]
    if head in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        raise FormRejected(
            "xml-encoding",
            f"{source} is not a standard Office file: its part {part} is not UTF-8 XML. "
            "Save it again from Word or Excel and resend it.",
        )
    if any(marker in data for marker in _DTD_MARKERS):
        raise _dtd(source, part)


def _looks_like(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return " (it is a PDF)"
    if data[:5].lower() in (b"<html", b"<!doc"):
        return " (it is a web page)"
    if data.startswith(b"{\\rtf"):
        return " (it is an RTF file)"
    return ""


def oversized(source: str, size: int, limits: Limits) -> FormRejected:
    return FormRejected(
        "oversized",
        f"{source} is {size / 1048576:.1f} MB, more than the {limits.max_file_bytes / 1048576:g} MB "
        "a form may be. Remove pasted pictures or attachments from the form and resend it.",
    )


# Strict Open XML ("Strict Open XML Document" in Word's Save As) names its parts' XML in the
# ISO namespaces instead of the transitional ones every Office program writes by default.
_STRICT_NS = b"http://purl.oclc.org/ooxml/"
_PACKAGE_RELS = "_rels/.rels"


def _strict(source: str, kind: PackageKind) -> FormRejected:
    program, save_as = (
        ("Word", "Word Document (*.docx)") if kind == "word" else ("Excel", "Excel Workbook (*.xlsx)")
    )
    return FormRejected(
        "strict-open-xml",
        f"{source} was saved as a Strict Open XML file, which Audit Desk cannot read. Open it in "
        f"{program}, choose File > Save As > '{save_as}', and submit that file.",
    )


def _not_a_form(source: str) -> FormRejected:
    return FormRejected(
        "not-office",
        f"{source} is not a Word (.docx) or Excel (.xlsx) document. Send the filled-in Audit Desk template.",
    )


def _bomb(source: str, detail: str) -> FormRejected:
    return FormRejected(
        "zip-bomb",
        f"{source} was refused because {detail}, far beyond any audit form: it may be built to "
        "exhaust the server. Send the filled-in template itself.",
    )


def _macros(source: str) -> FormRejected:
    return FormRejected(
        "macros",
        f"{source} contains macros (a macro-enabled .docm/.xlsm file or a VBA project), which Audit "
        "Desk never opens. Save the form as a Word Document (.docx) or Excel Workbook (.xlsx) and resend it.",
    )


def _encrypted(source: str) -> FormRejected:
    return FormRejected(
        "encrypted",
        f"{source} is password-protected (encrypted), so it cannot be read. Remove the password "
        "(File > Info > Protect Document) and resend it; it travels inside the council's secure mail.",
    )


def _dtd(source: str, part: str) -> FormRejected:
    return FormRejected(
        "xml-dtd",
        f"{source} was refused: its part {part} declares a DTD or entities, which Office never "
        "writes and which can be used to attack the server (XXE). Fill in a fresh template and resend it.",
    )
