"""The essay cache: what a change of code or resources invalidates (fingerprints and
cache layers, by module name at any depth of the package), and the on-disk cache of essay
tables in fragments, with its index."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import sys
import time
from collections import Counter
from pathlib import Path
from collections.abc import Callable, Iterable

import pandas as pd

from analysis import __version__
from analysis import io as aio
from analysis.config import PACKAGE_DIR, RESOURCES_DIR
from analysis.resources import fingerprint
from analysis.ingest.intake import EssayInput, FolderEvidence, file_slug, plan_essays, unique_slugs  # noqa: F401
from analysis.pipeline.layers import essay_stages


def make_dir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


# Modules that cannot change what an essay's processing gives: reports, views
# and the command line, and the corpus stages (they run on every build, their
# results are not cached). Editing them keeps the essay cache; editing any
# other module empties it. tests/test_build.py checks that processing an
# essay imports none of them.
NOT_PER_ESSAY_MODULES = frozenset(
    {
        "__main__",
        "cli",
        "corpus",
        "figures",
        "kernels",
        "overview",
        "plots",
        "privacy",
        "publish",
        "report",
        "reuse",
        "reuse_index",
        "trust",  # validation figures: computed when annotations or methods change, never per essay
        "views",
        "watch",
        "webfont",
    }
)


def module_name(path: Path, package_dir: Path | None = None) -> str:
    """The dotted name of a module file inside the package, relative to it
    (``sentiment``, ``methods.sentiment``, ``fast`` for ``fast/__init__.py``);
    "" for a file outside the package."""
    package_dir = Path(package_dir or PACKAGE_DIR)
    try:
        rel = Path(path).with_suffix("").relative_to(package_dir)
    except ValueError:
        return ""
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _names_module(entry: str, module: str) -> bool:
    """``entry`` (a module or package name, dotted or not) names ``module``
    wherever it sits in the package: ``sentiment`` names ``sentiment``,
    ``methods.sentiment`` and ``methods.sentiment.lexicon``. So the
    declarations below hold when a module moves into a subpackage."""
    mod, ent = module.split("."), entry.split(".")
    return any(mod[i : i + len(ent)] == ent for i in range(len(mod) - len(ent) + 1))


def per_essay_modules(package_dir: Path | None = None) -> list[Path]:
    """Every module file of the package, at any depth, that can change what an
    essay's processing gives (all but :data:`NOT_PER_ESSAY_MODULES`)."""
    package_dir = Path(package_dir or PACKAGE_DIR)
    return sorted(
        p
        for p in package_dir.rglob("*.py")
        if "__pycache__" not in p.parts
        and not any(_names_module(n, module_name(p, package_dir)) for n in NOT_PER_ESSAY_MODULES)
    )


def layer_of(path: Path, package_dir: Path | None = None) -> str:
    """The cache layer a per-essay module or resource file counts for: the
    analysis stage that claims it in :data:`analysis.pipeline.stages.STAGE_INPUTS`, else
    ``"base"`` (cleaning and segmentation, on which every stage builds).
    Modules are matched by name at any depth of the package (see
    :func:`_names_module`), resources by their path under resources/."""
    from analysis.pipeline import stages

    path = Path(path)
    package_dir = Path(package_dir or PACKAGE_DIR)
    resources = package_dir / "resources"
    if path.suffix == ".py" and module_name(path, package_dir) and not path.is_relative_to(resources):
        mod = module_name(path, package_dir)
        return next(
            (s for s, (mods, _) in stages.STAGE_INPUTS.items() if any(_names_module(m, mod) for m in mods)), "base"
        )
    try:
        rel = path.relative_to(resources).as_posix()
    except ValueError:
        return "base"
    return next(
        (
            s
            for s, (_, res) in stages.STAGE_INPUTS.items()
            if any(rel == r or (r.endswith("/") and rel.startswith(r)) for r in res)
        ),
        "base",
    )


def settings_fingerprint() -> dict[str, str]:
    """One fingerprint per cache layer, over the files :func:`layer_of` assigns
    to it (``"base"`` also covers the code version). Editing a stage's files
    re-runs that stage on the cached segmentation; editing anything else
    re-runs everything. Module files are found at any depth of the package."""
    from analysis.pipeline.stages import CORPUS_ONLY_RESOURCES

    files = sorted(
        p
        for p in RESOURCES_DIR.rglob("*")
        if p.is_file() and p.name not in CORPUS_ONLY_RESOURCES and "__pycache__" not in p.parts
    )
    src = [p for p in per_essay_modules() if not p.is_relative_to(RESOURCES_DIR)]
    owner = {p: layer_of(p) for p in (*src, *files)}
    out = {}
    for layer in ("base", *(name for name, _ in essay_stages())):
        mine = [p for p in (*src, *files) if owner[p] == layer]
        out[layer] = hashlib.sha256(f"{__version__}\0{layer}\0{fingerprint(*mine)}".encode()).hexdigest()
    return out


def _cache_key(e: EssayInput, settings: str) -> str:
    h = hashlib.sha256()
    for part in (
        settings,
        e.essay_id,
        e.source_file,
        str(e.ordinal),
        e.heading,
        e.title,
        str(e.line_start),
        e.encoding,
        e.raw_text,
        *e.key_parts(),
    ):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def layer_keys(e: EssayInput, settings: dict[str, str]) -> dict[str, str]:
    """Cache key of each layer of an essay: the base key hashes the essay's
    text and provenance; a stage's key hashes the base key and the stage's
    own fingerprint."""
    base = _cache_key(e, settings["base"])
    return {"base": base} | {
        layer: hashlib.sha256(f"{fp}\0{layer}\0{base}".encode()).hexdigest()
        for layer, fp in settings.items()
        if layer != "base"
    }


# ------------------------------------------------------------------ the essay cache

KEY_COL = "_cache_key"
SUMS_FILE = "sums.json"  # in each fragment: file name -> SHA-256 of its bytes


def _shape(tabs: dict) -> tuple:
    """A fragment's tables and their column names (types vary with the data:
    an all-null column is typed null)."""
    return tuple(sorted((name, tuple(t.column_names)) for name, t in tabs.items()))


# More fragments than this are merged into one after a build: a later build
# then reads a few large files instead of hundreds of small ones.
MAX_FRAGMENTS = 8
# While a build stores fragments, index.json is rewritten at most this often
# (and once at the end): an interrupted build keeps what it stored before the
# last write, and a small rebuild writes the index once instead of per layer.
INDEX_EVERY_SECONDS = 5.0


class EssayCache:
    """Per-essay results of :func:`process_batch`, kept as Parquet fragments.

    Each processed batch is one fragment: a folder ``<root>/<name>/`` with one
    Parquet file per table, its essays table carrying each essay's cache key.
    ``index.json`` maps cache key -> fragment. Loading takes the rows of the
    wanted essays only, so one fragment may serve a later build partly (an
    edited essay's old rows are skipped); a fragment no wanted key points to is
    deleted by :meth:`prune`. Each fragment records the SHA-256 of its files
    (``sums.json``); a fragment that cannot be read, whose files do not match
    their sums, whose columns differ from the other fragments' or whose
    essays differ from the index's is discarded with a warning: its essays
    are processed again, never trusted.
    """

    def __init__(self, root: Path, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.warn = warn or (lambda msg: print(msg, file=sys.stderr))
        self.written: list[str] = []  # fragments this instance wrote
        self.index: dict[str, str] = {}
        self._dirty, self._written_at = False, time.monotonic()
        try:
            data = aio.read_json(self.root / "index.json")
            if isinstance(data, dict) and isinstance(data.get("fragments"), dict):
                self.index = {str(k): str(v) for k, v in data["fragments"].items()}
        except (OSError, ValueError):
            pass

    def load(self, wanted: set[str]) -> tuple[list[dict], set[str]]:
        """(one {table: arrow table} per usable fragment, restricted to the wanted
        essays; the wanted keys not found)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        by_frag: dict[str, set[str]] = {}
        for k in wanted:
            frag = self.index.get(k)
            if frag is not None:
                by_frag.setdefault(frag, set()).add(k)
        loaded = []
        for frag, ks in sorted(by_frag.items()):
            try:
                tabs = self._read_fragment(frag)
                essays = tabs["essays"]
                mask = pc.is_in(essays[KEY_COL], value_set=pa.array(sorted(ks), pa.string()))
                ids = pc.filter(essays["essay_id"], mask)
                got = set(pc.filter(essays[KEY_COL], mask).to_pylist())
                if got != ks or len(ids) != len(ks):
                    raise ValueError("its essays are not the ones the index lists")
            except Exception as exc:  # unreadable or inconsistent: recompute these essays
                self._discard(frag, len(ks), str(exc) or exc.__class__.__name__)
                continue
            if len(ids) < essays.num_rows:  # the fragment also holds essays no longer wanted
                tabs = {name: rows_of(t, ids.to_pylist()) for name, t in tabs.items()}
            loaded.append((frag, ks, tabs))
        # every fragment of a layer comes from the same code: columns unlike the others' are damage
        shapes = Counter(_shape(tabs) for _, _, tabs in loaded)
        usual = shapes.most_common(1)[0][0] if shapes else None
        parts, found = [], set()
        for frag, ks, tabs in loaded:
            if _shape(tabs) != usual:
                self._discard(frag, len(ks), "its tables or columns differ from the other fragments'")
                continue
            parts.append(tabs)
            found |= ks
        return parts, wanted - found

    def _read_fragment(self, frag: str) -> dict:
        """A fragment's tables, checked against the sums written with it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        d = self.root / frag
        sums = aio.read_json(d / SUMS_FILE)
        files = sorted(d.glob("*.parquet"))
        if {f.name for f in files} != set(sums):
            raise ValueError("its files are not the ones it was written with")
        tabs = {}
        for f in files:
            data = f.read_bytes()
            if hashlib.sha256(data).hexdigest() != sums[f.name]:
                raise ValueError(f"{f.name} was changed after it was written")
            tabs[f.stem] = pq.read_table(pa.BufferReader(data))
        return tabs

    def _discard(self, frag: str, n: int, why: str) -> None:
        self.warn(f"cache: fragment {frag} discarded ({why}); its {n} essay layer(s) are recomputed")
        self.index = {k: v for k, v in self.index.items() if v != frag}
        self._dirty = True
        shutil.rmtree(self.root / frag, ignore_errors=True)

    def discard_new(self) -> None:
        """Remove the fragments this instance wrote (after a failed build on a full disk)."""
        self.discard_fragments(self.written)
        self.written.clear()

    def discard_fragments(self, fragments: Iterable[str]) -> None:
        """Remove ``fragments`` and their index entries (the index is written at once)."""
        gone = set(fragments)
        self.index = {k: v for k, v in self.index.items() if v not in gone}
        self._dirty = True
        for frag in gone:
            shutil.rmtree(self.root / frag, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.flush()

    def store(self, tables: dict[str, pd.DataFrame], keys: dict[str, str]) -> dict:
        """Write one batch's tables as a fragment (atomically) and return them as
        arrow tables, exactly as :meth:`load` would give them back."""
        import pyarrow as pa

        tables = dict(tables)
        essays = tables["essays"].copy()
        essays[KEY_COL] = essays["essay_id"].map(keys)
        tables["essays"] = essays
        arrow = {name: pa.Table.from_pandas(df, preserve_index=False) for name, df in tables.items()}
        self._write_fragment(arrow, list(keys.values()))
        return arrow

    def compact(self, parts: list[dict]) -> dict:
        """Write the given fragment tables (as :meth:`load`/:meth:`store` return
        them) as one fragment, re-point their essays to it and return it."""
        merged = concat_parts(parts)
        keys = merged["essays"][KEY_COL].to_pylist()
        self._write_fragment(merged, keys)
        return merged

    def _write_fragment(self, arrow: dict, keys: list[str]) -> None:
        import pyarrow.parquet as pq

        name = "b-" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:20]
        staging = Path(tempfile.mkdtemp(prefix=".frag-", dir=make_dir(self.root)))
        try:
            sums = {}
            for t, tab in arrow.items():
                pq.write_table(tab, staging / f"{t}.parquet")
                sums[f"{t}.parquet"] = hashlib.sha256((staging / f"{t}.parquet").read_bytes()).hexdigest()
            aio.write_json(staging / SUMS_FILE, sums)
            final = self.root / name
            if final.exists():
                shutil.rmtree(final)
            os.replace(staging, final)
            self.written.append(name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for k in keys:
            self.index[k] = name
        self._dirty = True
        if time.monotonic() - self._written_at > INDEX_EVERY_SECONDS:  # an interrupted build keeps its work
            self._write_index()

    def flush(self) -> None:
        """Write ``index.json`` if fragments were added since it was last written."""
        if self._dirty:
            self._write_index()

    def prune(self, keep: set[str]) -> None:
        """Forget keys not in ``keep``; delete fragments no kept key points to
        (and anything else in the folder that is not a fragment in use)."""
        self.index = {k: v for k, v in self.index.items() if k in keep}
        live = set(self.index.values())
        self._write_index()
        for p in self.root.iterdir():
            if p.name != "index.json" and p.name not in live:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)

    def _write_index(self) -> None:
        aio.write_json(self.root / "index.json", {"format": 1, "fragments": self.index})
        self._dirty, self._written_at = False, time.monotonic()


def rows_of(tab, essay_ids: list[str]):
    """The rows of an arrow table that belong to the given essays."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = tab["essay_id"]
    if tab.num_rows == 0 or pa.types.is_null(col.type):
        return tab.slice(0, 0)
    return tab.filter(pc.is_in(col, value_set=pa.array(essay_ids, col.type)))


def concat_parts(parts: list[dict]) -> dict:
    """{table: arrow table} of several fragments, one table each (schemas unified)."""
    import pyarrow as pa

    names = list(dict.fromkeys(n for p in parts for n in p))
    out = {}
    for name in names:
        tabs = [p[name] for p in parts if name in p]
        out[name] = pa.concat_tables(tabs, promote_options="permissive") if len(tabs) > 1 else tabs[0]
    return out
