"""Attachments named in an imported file, taken from a folder the importer gives (issue 15).

A cell names one file or several (separated by ；; 、 | or new lines); with `--attachments DIR`
each name is looked up in DIR, goes through the admin's upload checks
(`disclosure.attachments.check_upload`), and is stored and linked to the record in the cell's
order. A name may point only into DIR: absolute paths, `..` and symbolic links leading out of
it are refused, so a file cannot make the portal publish /etc/passwd. Fetching http(s) URLs is
not done here (the portal never fetches during an import).

Rows are checked while the file is read (a missing or refused file is a problem of that row);
files are stored only for a commit, after the records exist, and deleted again if the
transaction rolls back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File

from disclosure.attachments import check_upload
from disclosure.models import Attachment
from exchange.importing.normalize import clean_text

_SEPARATORS = re.compile(r"\s*[;；、|\r\n]+\s*")


def split_names(value: Any) -> list[str]:
    """`附件1.pdf；附件2.docx`, one per line, a list (JSON): the names in order, no duplicates."""
    parts = value if isinstance(value, list) else _SEPARATORS.split(clean_text(value))
    names: list[str] = []
    for part in parts:
        name = clean_text(part)
        if name and name not in names:
            names.append(name)
    return names


class AttachmentProblem(ValueError):
    pass


@dataclass(frozen=True)
class FoundFile:
    name: str
    path: Path


class AttachmentFolder:
    """The folder `--attachments DIR` names; resolves and checks the files rows name."""

    def __init__(self, directory: str | Path) -> None:
        self.root = Path(directory).resolve(strict=True)
        if not self.root.is_dir():
            raise NotADirectoryError(str(directory))
        self._checked: dict[str, FoundFile] = {}

    def find(self, name: str) -> FoundFile:
        """The file `name` inside the folder, checked; AttachmentProblem says why not."""
        if name in self._checked:
            return self._checked[name]
        relative = Path(name.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise AttachmentProblem(
                f"附件「{name}」不是附件文件夹中的文件名(不能含 .. 或绝对路径)。"
            )
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise AttachmentProblem(f"附件「{name}」指向附件文件夹以外(符号链接),已拒绝。")
        if not path.is_file():
            raise AttachmentProblem(f"附件文件夹中没有文件「{name}」。")
        with path.open("rb") as handle:
            upload = File(handle, name=relative.name)
            try:
                check_upload(upload)
            except ValidationError as exc:
                raise AttachmentProblem("; ".join(exc.messages)) from None
        found = FoundFile(name=relative.name, path=path)
        self._checked[name] = found
        return found


def store_attachments(links: list[tuple[int, list[FoundFile]]], stored: list[str]) -> None:
    """Store each record's files in order and link them; the stored names are appended to
    `stored`, so that the caller removes them if its transaction rolls back after all."""
    for record_id, files in links:
        for position, found in enumerate(files):
            with found.path.open("rb") as handle:
                upload = File(handle, name=found.name)
                checked = check_upload(upload)
                attachment = Attachment(
                    record_id=record_id,
                    title=Path(found.name).stem[:200],
                    original_name=checked.original_name,
                    size=checked.size,
                    content_type=checked.content_type,
                    position=position,
                )
                attachment.file.save(found.name, upload, save=False)
                stored.append(str(attachment.file.name))
                attachment.save()


def remove_stored(stored: list[str]) -> None:
    """Delete files stored for an import that was rolled back."""
    storage = Attachment._meta.get_field("file").storage
    for name in stored:
        storage.delete(name)
