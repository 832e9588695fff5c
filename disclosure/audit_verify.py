"""Verifying the audit chain and anchoring its head outside the database.

`verify_chain` walks every entry and reports each kind of damage with the entry it concerns —
an edited row, a deleted or inserted row, a keyed entry turned back into an unkeyed one, a head
that does not match the newest entry, an emptied table — and never raises on damage.

An attacker holding both the database and the key (or the whole server) could still rebuild a
consistent chain; anchors defeat that: `verify_audit_log --anchor FILE` appends the head (time,
entry id, hash) to a file the operator keeps elsewhere (another host, write-once media, a
printed log), and every later verification checks that each anchored entry still has that hash.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from disclosure.audit import GENESIS_HASH, entry_digest
from disclosure.models import AuditChainHead, AuditEntry
from disclosure.models.audit import CHAIN_LEGACY


@dataclasses.dataclass(frozen=True)
class Problem:
    message: str
    entry_id: int | None = None


@dataclasses.dataclass(frozen=True)
class Anchor:
    at: str
    entry_id: int
    entry_hash: str

    def line(self) -> str:
        return f"{self.at}\t{self.entry_id}\t{self.entry_hash}\n"


@dataclasses.dataclass
class ChainReport:
    count: int = 0
    legacy_count: int = 0
    last_id: int | None = None
    last_hash: str = GENESIS_HASH
    problems: list[Problem] = dataclasses.field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(anchors: list[Anchor] | None = None) -> ChainReport:
    report = ChainReport()
    expected_prev, previous_id, keyed_seen = GENESIS_HASH, None, False
    anchored = {anchor.entry_id for anchor in anchors or []}
    hashes: dict[int, str] = {}
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        report.count += 1
        if entry.chain_version == CHAIN_LEGACY:
            report.legacy_count += 1
            if keyed_seen:
                report.problems.append(
                    Problem(f"第 {entry.pk} 条是无密钥的旧版条目,却排在密钥条目之后。", entry.pk)
                )
        else:
            keyed_seen = True
        if entry.prev_hash != expected_prev:
            where = f"第 {previous_id} 条" if previous_id else "链首"
            report.problems.append(
                Problem(
                    f"第 {entry.pk} 条与{where}之间断链:其间的记录被删除、插入或修改。", entry.pk
                )
            )
        if entry_digest(entry) != entry.entry_hash:
            report.problems.append(
                Problem(f"第 {entry.pk} 条的哈希不符:内容被修改,或哈希被重算。", entry.pk)
            )
        expected_prev, previous_id = entry.entry_hash, entry.pk
        if entry.pk in anchored:
            hashes[entry.pk] = entry.entry_hash
    report.last_id, report.last_hash = previous_id, expected_prev
    if report.legacy_count and not keyed_seen:
        report.problems.append(
            Problem("只有无密钥的旧版条目,没有密钥条目封存它们:整条链可能被重写。", previous_id)
        )
    _check_head(report)
    for anchor in anchors or []:
        found = hashes.get(anchor.entry_id)
        if found is None:
            message = f"锚点({anchor.at})记录的第 {anchor.entry_id} 条已不存在。"
            report.problems.append(Problem(message, anchor.entry_id))
        elif found != anchor.entry_hash:
            report.problems.append(
                Problem(
                    f"第 {anchor.entry_id} 条的哈希与锚点({anchor.at})不符:链被重写。",
                    anchor.entry_id,
                )
            )
    return report


def _check_head(report: ChainReport) -> None:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if report.count:
            report.problems.append(Problem("链头记录不存在,但审计日志有记录。", report.last_id))
        return
    if head.last_hash == report.last_hash:
        return
    if not report.count:
        report.problems.append(Problem("审计日志为空,但链头表明曾有记录:表被清空。"))
    else:
        report.problems.append(
            Problem(
                f"链头与最后一条(第 {report.last_id} 条)不符:最新的记录被删除,或链头被改动。",
                report.last_id,
            )
        )


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors in FILE (one `time<TAB>entry id<TAB>hash` per line); a missing file has none.

    Raises ValueError naming the line for a line that is not an anchor.
    """
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[1].isascii() or not parts[1].isdigit():
            raise ValueError(f"锚点文件第 {number} 行格式不对:{line[:80]}")
        anchors.append(Anchor(at=parts[0], entry_id=int(parts[1]), entry_hash=parts[2].strip()))
    return anchors


def append_anchor(path: Path, report: ChainReport, *, now: datetime.datetime) -> Anchor | None:
    """Append the verified head to FILE; nothing for an empty chain."""
    if report.last_id is None:
        return None
    anchor = Anchor(at=now.isoformat(), entry_id=report.last_id, entry_hash=report.last_hash)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(anchor.line())
    return anchor
