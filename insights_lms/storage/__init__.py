"""Where uploaded files live: a small interface with a filesystem backend.

Files are stored outside the web root under generated names; the original name, type, size and
SHA-256 live in the database. A backend is chosen by name from :data:`BACKENDS`, so an object
storage backend can be added later without touching the features that store files.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from flask import current_app

from insights_lms.state import settings

CHUNK = 1024 * 1024


class FileTooLarge(ValueError):
    """The file is bigger than the limit; nothing was stored."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"larger than {limit // (1024 * 1024)} MB")


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """What the features need from a file store."""

    def save(self, stream: IO[bytes], max_size: int | None = None) -> StoredFile: ...

    def open(self, key: str) -> IO[bytes]: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class FilesystemStorage:
    """Files in a directory tree: ``ab/cd/abcd…`` from random names, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if len(key) < 8 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def save(self, stream: IO[bytes], max_size: int | None = None) -> StoredFile:
        """Copy ``stream`` in, hashing as it goes; refuse it (leaving nothing) past ``max_size``."""
        key = secrets.token_hex(16)
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise FileTooLarge(max_size)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp_name, 0o600)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return StoredFile(key, size, digest.hexdigest())

    def open(self, key: str) -> IO[bytes]:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def path(self, key: str) -> Path:
        """The local path of a stored file (filesystem backend only, e.g. for thumbnails)."""
        return self._path(key)


BACKENDS: dict[str, Callable[[Path], Storage]] = {"filesystem": FilesystemStorage}


def get_storage() -> Storage:
    """The configured store for this app (``INSIGHTS_UPLOAD_DIR``)."""
    conf = settings()
    root = conf.upload_dir or Path(current_app.instance_path) / "uploads"
    return BACKENDS["filesystem"](root)


class Uploads:
    """Files stored during one operation; all of them are removed again if it fails."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.saved: list[str] = []
        self.to_delete_after_commit: list[str] = []

    def save(self, stream: IO[bytes], max_size: int | None = None) -> StoredFile:
        stored = self.storage.save(stream, max_size)
        self.saved.append(stored.key)
        return stored

    def discard_later(self, key: str) -> None:
        """Delete ``key`` once the operation has succeeded (a file removed from evidence)."""
        self.to_delete_after_commit.append(key)


@contextmanager
def upload_transaction(storage: Storage) -> Iterator[Uploads]:
    """Wrap the service call *and the commit*: on any error every file saved is deleted, so
    a failure leaves neither a stray file nor a row; on success removed files are deleted."""
    uploads = Uploads(storage)
    try:
        yield uploads
    except BaseException:
        for key in uploads.saved:
            storage.delete(key)
        raise
    for key in uploads.to_delete_after_commit:
        storage.delete(key)
