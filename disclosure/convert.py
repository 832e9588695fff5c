"""The one adapter between the portal and OpenCC (Simplified ↔ Traditional Chinese).

One converter per configuration, built once per process: building one loads its dictionaries,
which costs far more than converting a page. Either the official binding (`opencc`, C++) or
`opencc-python-reimplemented` provides the `opencc` module; both expose
`opencc.OpenCC(config).convert(text)`, and `active_backend()` says which one is installed.
"""

from __future__ import annotations

import functools
import threading
from importlib import metadata
from typing import Protocol

import opencc

SUPPORTED_CONFIGS = ("s2t", "s2tw", "s2hk", "t2s", "tw2s", "hk2s", "s2twp", "tw2sp")
_lock = threading.Lock()


class Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def active_backend() -> str:
    """Which distribution provides `opencc`: the official binding or the reimplementation."""
    for dist, label in (("opencc-python-reimplemented", "reimplemented"), ("opencc", "official")):
        try:
            return f"{label} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


@functools.cache
def converter(config: str) -> Converter:
    if config not in SUPPORTED_CONFIGS:
        raise ValueError(f"unsupported OpenCC configuration: {config!r}")
    with _lock:
        try:
            return opencc.OpenCC(config)
        except Exception:  # the reimplementation and older bindings want the .json name
            return opencc.OpenCC(f"{config}.json")


def convert(text: str, config: str = "s2t") -> str:
    if not text:
        return text
    return converter(config).convert(text)


def to_traditional(text: str) -> str:
    return convert(text, "s2t")


def to_simplified(text: str) -> str:
    """Normalize either script to Simplified (used for search indexing and queries)."""
    return convert(text, "t2s")
