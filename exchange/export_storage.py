"""Where a finished background export is kept: EXPORT_ROOT, or the uploads' bucket.

The worker always writes the file to EXPORT_ROOT first (a private `.part` file renamed into
place when complete, so a killed worker leaves nothing half-written). With S3_BUCKET set (more
than one web server) the complete file is then moved to a private object under `exports/` in
the bucket, so whichever server the requester's download reaches can open it; the download
still goes through that server's permission check and audit entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage


def in_bucket() -> bool:
    return bool(getattr(settings, "S3_BUCKET", ""))


def _key(path: Path) -> str:
    return f"exports/{path.name}"


def keep(path: Path) -> None:
    """Move the complete file at `path` to the bucket (when configured)."""
    if not in_bucket():
        return
    key = _key(path)
    default_storage.delete(key)  # a leftover of the same job id would get another name
    with path.open("rb") as handle:
        saved = default_storage.save(key, File(handle, name=path.name))
    if saved != key:
        raise RuntimeError(f"export stored as {saved}, not {key}")
    path.unlink()


def open_kept(path: Path) -> BinaryIO:
    """The finished file for reading; FileNotFoundError when it is gone."""
    if not in_bucket():
        return path.open("rb")
    if not default_storage.exists(_key(path)):
        raise FileNotFoundError(_key(path))
    return cast(BinaryIO, default_storage.open(_key(path), "rb"))


def delete_kept(path: Path) -> None:
    path.unlink(missing_ok=True)
    if in_bucket():
        default_storage.delete(_key(path))
