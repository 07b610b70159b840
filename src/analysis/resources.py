"""Editable resources (user dictionary, stopwords, lexicons, codebook, cues).

Researchers change these files, never the code. Every loader takes an optional
``path`` that replaces the bundled file, so a study can keep its own copy.

Text resources are UTF-8, one entry per line; ``#`` starts a comment and blank
lines are ignored. YAML resources are mappings.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import yaml

from analysis.config import RESOURCES_DIR


class ResourceError(ValueError):
    """A resource file is missing or malformed (the message names the file)."""


def resource_path(name: str, path: str | Path | None = None) -> Path:
    """Return ``path`` if given, else the bundled resource ``name``; it must exist."""
    p = Path(path) if path is not None else RESOURCES_DIR / name
    if not p.is_file():
        raise ResourceError(f"resource file not found: {p}")
    return p


@functools.lru_cache(maxsize=64)
def _read_lines(p: Path, mtime: float) -> tuple[str, ...]:
    out = []
    for raw in p.read_text(encoding="utf-8-sig").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return tuple(out)


def load_lines(name: str, path: str | Path | None = None) -> list[str]:
    """Entries of a line-based resource, comments and blank lines removed."""
    p = resource_path(name, path)
    return list(_read_lines(p, p.stat().st_mtime))


# libyaml's parser when PyYAML was built with it (the wheels are): the same
# documents, about seven times faster than the pure-Python one.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def _read_yaml(p: Path, mtime: float) -> Any:
    try:
        return yaml.load(p.read_text(encoding="utf-8-sig"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ResourceError(f"{p}: not valid YAML ({exc.__class__.__name__})") from None


def load_yaml(name: str, path: str | Path | None = None) -> Any:
    """Parsed content of a YAML resource (cached until the file changes)."""
    p = resource_path(name, path)
    return _read_yaml(p, p.stat().st_mtime)


def fingerprint(*paths: Path) -> str:
    """sha256 over the bytes of resource files: part of every cache key."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).name.encode())
        h.update(Path(p).read_bytes())
    return h.hexdigest()
