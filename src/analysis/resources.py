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


def _read_text(p: Path) -> str:
    """The text of a UTF-8 resource file, or :class:`ResourceError` naming it."""
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise ResourceError(f"{p}: not UTF-8 text (line {line}); save it as UTF-8") from None
    except OSError as exc:
        raise ResourceError(f"{p}: cannot be read ({(exc.strerror or type(exc).__name__).lower()})") from None


@functools.lru_cache(maxsize=64)
def _read_lines(p: Path, mtime: float) -> tuple[str, ...]:
    out = []
    for raw in _read_text(p).splitlines():
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
    text = _read_text(p)
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ResourceError(
            f"{p}: not valid YAML{where} ({getattr(exc, 'problem', None) or type(exc).__name__})"
        ) from None


def load_yaml(name: str, path: str | Path | None = None) -> Any:
    """Parsed content of a YAML resource (cached until the file changes)."""
    p = resource_path(name, path)
    return _read_yaml(p, p.stat().st_mtime)


# the resource files every build and report reads
REQUIRED = (
    "userdict.txt",
    "stopwords.txt",
    "codebook.yaml",
    "cleaning.yaml",
    "chrome.yaml",
    "entity_cues.yaml",
    "tagging_cues.yaml",
)


def check_bundled() -> None:
    """Read every text and YAML resource file once: :class:`ResourceError`
    naming the first that cannot be read, is not UTF-8, is not valid YAML or
    (YAML) is not a mapping, or the first of :data:`REQUIRED` that is missing.
    The command line calls it before any work starts."""
    for name in REQUIRED:
        resource_path(name)
    for p in sorted(RESOURCES_DIR.rglob("*")):
        if p.suffix == ".txt":
            _read_lines(p, p.stat().st_mtime)
        elif p.suffix in (".yaml", ".yml"):
            data = _read_yaml(p, p.stat().st_mtime)
            if not isinstance(data, dict):
                raise ResourceError(f"{p}: expected a YAML mapping, got a {type(data).__name__}")


def fingerprint(*paths: Path) -> str:
    """sha256 over the bytes of resource files: part of every cache key."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).name.encode())
        h.update(Path(p).read_bytes())
    return h.hexdigest()
