"""What a file really is, from its bytes: never from the browser's type or the extension.

Accepted kinds: PDF, Word, PowerPoint and Excel (Office Open XML, and the older binary formats),
images (PNG, JPEG, GIF, WebP) and plain text. Images are opened by Pillow, Office files are
checked by looking inside the container (ZIP or OLE2), so a renamed executable or a polyglot is
refused.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from PIL import Image, UnidentifiedImageError

PDF = b"%PDF-"
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileKind:
    kind: str  # pdf, word, powerpoint, excel, image, text
    mimetype: str
    label: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


class UnsupportedFile(ValueError):
    """The file is not one of the accepted kinds (or is damaged)."""


ACCEPTED_DESCRIPTION = "PDF, Word, PowerPoint, Excel, an image (PNG, JPEG, GIF, WebP) or plain text"

_OOXML = {
    "word/": FileKind(
        "word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
        ".docx",
    ),
    "ppt/": FileKind(
        "powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint presentation",
        ".pptx",
    ),
    "xl/": FileKind(
        "excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook",
        ".xlsx",
    ),
}
_OLE_STREAMS = {
    "WordDocument": FileKind("word", "application/msword", "Word document", ".doc"),
    "PowerPoint Document": FileKind(
        "powerpoint", "application/vnd.ms-powerpoint", "PowerPoint presentation", ".ppt"
    ),
    "Workbook": FileKind("excel", "application/vnd.ms-excel", "Excel workbook", ".xls"),
    "Book": FileKind("excel", "application/vnd.ms-excel", "Excel workbook", ".xls"),
}
_IMAGES = {
    "PNG": FileKind("image", "image/png", "PNG image", ".png"),
    "JPEG": FileKind("image", "image/jpeg", "JPEG image", ".jpg"),
    "GIF": FileKind("image", "image/gif", "GIF image", ".gif"),
    "WEBP": FileKind("image", "image/webp", "WebP image", ".webp"),
}
TEXT = FileKind("text", "text/plain", "Text file", ".txt")
PDF_KIND = FileKind("pdf", "application/pdf", "PDF document", ".pdf")
_ALL_KINDS = (*_OOXML.values(), *_OLE_STREAMS.values(), *_IMAGES.values(), TEXT, PDF_KIND)


#: The names a file of each type may keep when it is downloaded. Any other name (a text file
#: called ``page.html`` or ``run.js``) gets the type's own extension added, so that a browser or
#: a desktop never opens it as something it is not.
_EXTENSIONS: dict[str, frozenset[str]] = {
    "text/plain": frozenset({".txt", ".text", ".csv", ".md", ".markdown"}),
    "image/jpeg": frozenset({".jpg", ".jpeg"}),
}


def download_name(original_name: str, mimetype: str) -> str:
    """The name to download a stored file under: its original name if that fits the type the
    file was found to be, else the original name with the type's extension added
    (``page.html`` stored as text downloads as ``page.html.txt``)."""
    kind = next((k for k in _ALL_KINDS if k.mimetype == mimetype), None)
    if kind is None:
        return original_name
    allowed = _EXTENSIONS.get(mimetype, frozenset({kind.extension}))
    if PurePath(original_name).suffix.lower() in allowed:
        return original_name
    return f"{original_name}{kind.extension}"


def sniff(stream: IO[bytes]) -> FileKind:
    """Identify ``stream`` (seekable; left at position 0) or raise :class:`UnsupportedFile`."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(PDF):
            return PDF_KIND
        if head.startswith(ZIP):
            return _ooxml(stream)
        if head.startswith(OLE2):
            return _ole(stream)
        image = _image(stream)
        if image is not None:
            return image
        return _text(stream)
    finally:
        stream.seek(0)


def _ooxml(stream: IO[bytes]) -> FileKind:
    try:
        names = zipfile.ZipFile(stream).namelist()
    except zipfile.BadZipFile:
        raise UnsupportedFile("a damaged ZIP file") from None
    if "[Content_Types].xml" in names:
        for prefix, kind in _OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    raise UnsupportedFile("a ZIP archive, not an Office document")


def _ole(stream: IO[bytes]) -> FileKind:
    import olefile  # only for legacy Office files: kept out of every other upload's path

    try:
        ole = olefile.OleFileIO(stream)
    except OSError:
        raise UnsupportedFile("a damaged Office file") from None
    try:
        for name, kind in _OLE_STREAMS.items():
            if ole.exists(name):
                return kind
    finally:
        ole.close()
    raise UnsupportedFile("an Office container that is not Word, PowerPoint or Excel")


def _image(stream: IO[bytes]) -> FileKind | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as img:
                fmt = img.format or ""
                img.verify()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    except (OSError, SyntaxError, ValueError):
        raise UnsupportedFile("a damaged image") from None
    finally:
        stream.seek(0)
    if fmt not in _IMAGES:
        raise UnsupportedFile(f"a {fmt or 'unknown'} image (use PNG, JPEG, GIF or WebP)")
    return _IMAGES[fmt]


def _text(stream: IO[bytes], sample: int = 64 * 1024) -> FileKind:
    data = stream.read(sample)
    if not data:
        raise UnsupportedFile("an empty file")
    if b"\x00" in data:
        raise UnsupportedFile("not a document, image or text file")
    try:
        # A multi-byte character may be cut at the end of the sample.
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 4:
            raise UnsupportedFile("a file in an unknown format") from None
    return TEXT
