"""One entry point for an uploaded progress table: Word or Excel, told apart by what the file
holds (a Word package has word/document.xml), not by its name; the name only chooses between
"legacy .doc" and "legacy .xls" for an old binary file, which looks the same from inside."""

from __future__ import annotations

import io
import zipfile

from .excel import read_excel
from .tree import ParsedProgramme, TableRejected
from .word import LEGACY_DOC, read_word

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data: bytes, file_name: str = "") -> ParsedProgramme:
    """The programme the file's table describes; TableRejected, with a sentence, otherwise."""
    data = bytes(data)
    if data.startswith(_OLE2) and file_name.lower().endswith((".doc", ".dot")):
        raise TableRejected(LEGACY_DOC)
    if file_name.lower().endswith(".docx") or _is_word(data):
        return read_word(data)
    return read_excel(data)


def _is_word(data: bytes) -> bool:
    """The zip's directory names a Word document part (nothing is unpacked to tell)."""
    if not data.startswith(b"PK"):
        return False
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False  # the gate says how it is broken
    return any(name.lower() == "word/document.xml" for name in names)
