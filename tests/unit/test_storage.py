"""File storage and type sniffing: generated names, hashes, limits, and what is accepted."""

from __future__ import annotations

import hashlib
import io

import pytest

from insights_lms.storage import FilesystemStorage, FileTooLarge, upload_transaction
from insights_lms.storage.sniff import UnsupportedFile, download_name, sniff
from insights_lms.storage.thumbnails import make_thumbnail
from tests import samples


def test_save_uses_a_generated_name_and_records_size_and_sha256(tmp_path):
    storage = FilesystemStorage(tmp_path)
    stored = storage.save(io.BytesIO(samples.PDF))
    assert stored.size == len(samples.PDF)
    assert stored.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert len(stored.key) == 32 and "pdf" not in stored.key
    with storage.open(stored.key) as fh:
        assert fh.read() == samples.PDF
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [stored.key]
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"


def test_oversized_file_leaves_nothing_behind(tmp_path):
    storage = FilesystemStorage(tmp_path)
    with pytest.raises(FileTooLarge):
        storage.save(io.BytesIO(b"x" * 5000), max_size=4096)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_keys_cannot_escape_the_storage_folder(tmp_path):
    storage = FilesystemStorage(tmp_path)
    for key in ("../../etc/passwd", "abc", "ABCDEF0123456789"):
        with pytest.raises(ValueError):
            storage.open(key)


def test_failed_operation_removes_every_file_it_stored(tmp_path):
    storage = FilesystemStorage(tmp_path)
    with pytest.raises(RuntimeError), upload_transaction(storage) as uploads:
        uploads.save(io.BytesIO(b"first"))
        uploads.save(io.BytesIO(b"second"))
        raise RuntimeError("database went away")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_successful_operation_deletes_files_marked_for_removal(tmp_path):
    storage = FilesystemStorage(tmp_path)
    old = storage.save(io.BytesIO(b"old"))
    with upload_transaction(storage) as uploads:
        new = uploads.save(io.BytesIO(b"new"))
        uploads.discard_later(old.key)
    assert storage.exists(new.key) and not storage.exists(old.key)


@pytest.mark.parametrize(
    ("data", "kind", "mimetype"),
    [
        (samples.PDF, "pdf", "application/pdf"),
        (samples.png(), "image", "image/png"),
        (samples.jpeg(), "image", "image/jpeg"),
        (samples.TEXT, "text", "text/plain"),
        (
            samples.ooxml("word"),
            "word",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            samples.ooxml("ppt"),
            "powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            samples.ooxml("xl"),
            "excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_sniffing_identifies_accepted_kinds_from_bytes(data, kind, mimetype):
    result = sniff(io.BytesIO(data))
    assert (result.kind, result.mimetype) == (kind, mimetype)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (samples.EXE, "not a document"),
        (samples.plain_zip(), "not an Office document"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a document"),
        (samples.png()[:80], "damaged image"),
    ],
)
def test_sniffing_refuses_other_files_whatever_their_name(data, reason):
    with pytest.raises(UnsupportedFile, match=reason):
        sniff(io.BytesIO(data))


def test_thumbnail_is_a_small_jpeg():
    from PIL import Image

    thumb = make_thumbnail(io.BytesIO(samples.png(2000, 1000)))
    assert thumb is not None
    with Image.open(thumb) as img:
        assert img.format == "JPEG"
        assert max(img.size) == 480


@pytest.mark.parametrize(
    ("name", "mimetype", "expected"),
    [
        ("page.html", "text/plain", "page.html.txt"),
        ("run.JS", "text/plain", "run.JS.txt"),
        ("notes.txt", "text/plain", "notes.txt"),
        ("Survey results.CSV", "text/plain", "Survey results.CSV"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.svg", "image/png", "photo.svg.png"),
        ("plan.pdf", "application/pdf", "plan.pdf"),
        ("plan", "application/pdf", "plan.pdf"),
        (
            "report.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "report.docx",
        ),
        ("odd.bin", "application/x-unknown", "odd.bin"),
    ],
)
def test_a_download_keeps_its_name_only_when_it_fits_what_the_file_is(name, mimetype, expected):
    assert download_name(name, mimetype) == expected
