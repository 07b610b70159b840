"""What notebooks load: the built tables, pseudonymised for sharing.

``Corpus(data_dir)`` reads the tables written by ``python -m analysis build``
lazily. With ``pseudonymise=True`` (the default, and what every report uses)
every text column and token list shown is passed through the build's
pseudonym map, so children's names (and, by option, adults', schools',
villages') never reach a report. The map itself stays in ``data_dir``.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io as aio
from analysis.config import PROCESSED_DIR, PSEUDONYMISE, PSEUDONYMISE_ALL

# columns that are identifiers or numbers, never free text
_ID_COLUMNS = {
    "essay_id",
    "essay_label",
    "paragraph_id",
    "sentence_id",
    "rule",
    "flag",
    "encoding",
    "sha256",
    "genre",
    "narrator",
    "narrative_person",
    "type",
    "role",
    "sentiment_label",
    "emotion",
    "reused_from",
    "essay_a",
    "essay_b",
    "kind",
    "pseudonym",
}
PSEUDONYMISE_ROLES_DEFAULT = ("child",)


class Corpus:
    """Lazy access to the processed tables of one build.

    ``pseudonymise``: replace names by their pseudonyms in every text column;
    ``pseudonymise_all`` (the default, :data:`analysis.config.PSEUDONYMISE_ALL`):
    every person, school and place the map holds, as the reports do; with
    ``pseudonymise_all=False``, only the ``roles`` given (children by default).
    """

    def __init__(
        self,
        data_dir: str | Path = PROCESSED_DIR,
        *,
        pseudonymise: bool = PSEUDONYMISE,
        roles: tuple[str, ...] = PSEUDONYMISE_ROLES_DEFAULT,
        pseudonymise_all: bool = PSEUDONYMISE_ALL,
    ):
        self.data_dir = Path(data_dir)
        # the build's tables as they are now: a build switched in later is not mixed in
        self.tables_dir = aio.tables_dir(self.data_dir)
        if not (self.tables_dir / "essays.parquet").is_file():
            raise FileNotFoundError(
                f"no built corpus in {self.data_dir} (run `python -m analysis build --out {self.data_dir}`)"
            )
        self.pseudonymise = pseudonymise
        self.roles = None if pseudonymise_all else tuple(roles)
        self._shared = _shared_tables(self.tables_dir, pseudonymise, self.roles)

    def has(self, name: str) -> bool:
        return (self.tables_dir / f"{name}.parquet").is_file()

    @functools.cached_property
    def manifest(self) -> dict:
        p = self.tables_dir / "manifest.json"
        return aio.read_json(p) if p.is_file() else {}

    @functools.cached_property
    def _map(self) -> pd.DataFrame:
        """The build's pseudonym map for the selected roles; a missing, stale
        or unreadable map raises :class:`analysis.methods.privacy.MapError` (fail
        closed: nothing is shown that should have been pseudonymised)."""
        from analysis.methods.privacy import load_map, selected

        if "\0map" not in self._shared:
            self._shared["\0map"] = selected(load_map(self.tables_dir, shown=self.data_dir), self.roles)
        return self._shared["\0map"]

    @functools.cached_property
    def mapping(self) -> dict[str, str]:
        """original → pseudonym for the selected roles, forms that count
        everywhere ({} when pseudonymisation is off)."""
        if not self.pseudonymise:
            return {}
        m = self._map
        m = m[m["scope"].fillna("") == ""]
        return dict(zip(m["original"], m["pseudonym"]))

    @functools.cached_property
    def scoped(self) -> dict[str, dict[str, str]]:
        """essay id → {original → pseudonym} for short forms that are also
        dictionary words (乐乐, 欣悦): replaced only in the essays where the
        build linked them to a person."""
        if not self.pseudonymise:
            return {}
        out: dict[str, dict[str, str]] = {}
        m = self._map
        for o, p, scope in zip(m["original"], m["pseudonym"], m["scope"].fillna("")):
            for eid in scope.split():
                out.setdefault(eid, {})[o] = p
        return out

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A table (or some of its columns), pseudonymised when this corpus is.
        Each column is read and pseudonymised once per build and settings in
        this process, and only when asked for."""
        cache, wanted = self._loaded(name, columns)
        key = ("\0frame", name, tuple(wanted))  # assembling a frame of many columns costs more than copying one
        if key not in self._shared:
            self._shared[key] = pd.DataFrame({c: cache[c] for c in wanted})
        return self._shared[key].copy()

    def essay_rows(self, name: str, essay_id: str, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of table ``name`` that belong to one essay (column
        ``essay_id``), as ``table(name)[table(name)["essay_id"] == essay_id]``
        gives them (same index labels), without copying the whole table: an
        essay profile of a large corpus asks for one essay's rows many times,
        and each whole-table copy cost milliseconds. The row positions of each
        essay are found once per build and kernel."""
        cache, wanted = self._loaded(name, columns if columns is None else [*columns, "essay_id"])
        if "essay_id" not in cache:
            raise KeyError(f"the {name} table in {self.data_dir} has no essay_id column")

        def positions() -> dict:
            ids = cache["essay_id"]
            return pd.Series(np.arange(len(ids))).groupby(ids.to_numpy(), sort=False).indices

        at = self.cached(f"rows of {name} by essay", positions).get(essay_id, np.empty(0, dtype=np.intp))
        keep = wanted if columns is None else [c for c in wanted if c in set(columns)]
        return pd.DataFrame({c: cache[c].iloc[at] for c in keep}, index=cache[keep[0]].index[at] if keep else None)

    def _loaded(self, name: str, columns: list[str] | None) -> tuple[dict, list[str]]:
        """(the shared column cache of table ``name`` with ``columns`` read and
        pseudonymised into it, the columns asked for in table order)."""
        if name in ("pseudonyms", "privacy_review", "name_candidates"):
            raise PermissionError(
                f"the {name} table names real people: read it from the data folder directly, never in a report"
            )
        every = self._columns(name)
        wanted = every if columns is None else [c for c in every if c in set(columns)]
        if columns is not None and len(wanted) < len(set(columns)):
            missing = sorted(set(columns) - set(every))
            raise KeyError(f"the {name} table in {self.data_dir} has no column(s) {', '.join(missing)}")
        cache = self._shared.setdefault(name, {})
        todo = [c for c in wanted if c not in cache]
        disk = self._disk_cache() if todo else None
        if disk is not None:
            for c in [c for c in todo if c not in _ID_COLUMNS]:
                got = _read_column(disk / f"{name}.{c}.parquet", c)
                if got is not None:
                    cache[c] = got
            todo = [c for c in wanted if c not in cache]
        if todo:
            # a free-text column is pseudonymised with the id columns that scope its short forms
            owners = [c for c in ("essay_id", "essay_a", "essay_b", "source_file") if c in every and c not in todo]
            df = aio.read_table(self.tables_dir, name, columns=[*todo, *owners])
            if any(c not in _ID_COLUMNS and not pd.api.types.is_numeric_dtype(df[c]) for c in todo):
                df = self.protect(df)  # (ids and numbers alone need no replacer compiled)
            for c in df.columns:  # the same values as from the whole table: the owners are always there
                cache.setdefault(c, df[c])
            if disk is not None:
                for c in todo:
                    if c not in _ID_COLUMNS and not pd.api.types.is_numeric_dtype(df[c]):
                        _write_column(disk / f"{name}.{c}.parquet", df[[c]])
        return cache, wanted

    def _disk_cache(self) -> Path | None:
        """The folder that keeps this build's pseudonymised text columns for the
        next process (``data_dir/.cache/shared/<key>``): a report kernel of a
        large corpus spent most of its first seconds pseudonymising the same
        text every other kernel had pseudonymised. The key is the build's
        tables and map (every file's size, time and inode), the roles and the
        code that replaces names; None when pseudonymisation is off or the
        folder cannot be written (a read-only data folder is read as before)."""
        if not self.pseudonymise:
            return None
        if "\0disk" not in self._shared:
            folder = None
            try:
                root = self.data_dir / ".cache" / "shared"
                folder = root / _shared_key_hash(self.tables_dir, self.roles)
                folder.mkdir(parents=True, exist_ok=True)
                _prune(root, keep=folder)
            except OSError:
                folder = None
            self._shared["\0disk"] = folder
        return self._shared["\0disk"]

    def cached(self, key: str, compute):
        """``compute()``, once per build and settings in this process (a warm
        report kernel keeps it for its next notebooks); the result is shared, so
        callers must not change it."""
        key = "\0" + key
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    def columns(self, name: str) -> list[str]:
        """The columns of table ``name`` (read from its schema, not its data)."""
        return list(self._columns(name))

    def _columns(self, name: str) -> list[str]:
        key = ("\0columns", name)
        if key not in self._shared:
            import pyarrow.parquet as pq

            path = self.tables_dir / f"{name}.parquet"
            if not path.is_file():
                raise FileNotFoundError(f"no {name} table in {self.data_dir} (rebuild the corpus)")
            self._shared[key] = list(pq.read_schema(path).names)
        return self._shared[key]

    def _local_replacers(self, scoped: dict) -> dict:
        """essay id → replacer of its scoped short forms (built once per build and settings)."""
        from analysis.methods.privacy import replacer

        key = "\0local"
        if key not in self._shared or self._shared[key][0] != scoped:
            self._shared[key] = (scoped, {eid: replacer(forms) for eid, forms in scoped.items()})
        return dict(self._shared[key][1])

    def protect(self, df: pd.DataFrame, *, mapping: dict[str, str] | None = None) -> pd.DataFrame:
        """Apply the pseudonym map (or ``mapping``) to every free-text column and token list of ``df``."""
        scoped = self.scoped if mapping is None else {}
        mapping = self.mapping if mapping is None else mapping
        if not mapping and not scoped:
            return df
        if not any(
            c not in _ID_COLUMNS and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c])) for c in df.columns
        ):
            return df  # ids and numbers only: no replacer to compile
        from analysis.methods.privacy import replacer

        replace = replacer(mapping)  # compiled once for all cells
        out = df.copy()
        local = self._local_replacers(scoped) if scoped else {}
        for col in out.columns:
            if col in _ID_COLUMNS:
                continue
            s = out[col]
            if s.dtype == object or pd.api.types.is_string_dtype(s):
                memo: dict[str, str] = {}  # a label column (sentiment, genre) has few distinct values

                def once(v, memo=memo):
                    if isinstance(v, str):
                        if v not in memo:
                            memo[v] = replace(v)
                        return memo[v]
                    return _protect_value(v, replace)

                values = [once(v) for v in s.tolist()]
                owner = _owner_column(col, out.columns) if local else None
                if owner is not None:
                    # short forms scoped to an essay apply to the text of that essay (passage_a → essay_a);
                    # a line outside every essay (a comment, a byline) to the text of any essay of its file
                    owners = out[owner].tolist()
                    if owner == "essay_id" and "source_file" in df.columns:
                        per_file = self._file_scoped()
                        owners = [e if e else ("file", f) for e, f in zip(owners, df["source_file"])]
                        local.update({k: v for k, v in per_file.items() if k in owners})
                    values = [_protect_value(v, local[e]) if e in local else v for v, e in zip(values, owners)]
                out[col] = pd.Series(values, index=out.index, dtype=object)
        return out

    @functools.cache
    def _file_scoped(self) -> dict:
        """{("file", source file): replacer of the short forms scoped to any of its essays}."""
        from analysis.methods.privacy import replacer

        if not self.scoped:
            return {}
        ids = aio.read_table(self.tables_dir, "essays", columns=["essay_id", "source_file"])
        forms: dict = {}
        for eid, f in zip(ids["essay_id"], ids["source_file"]):
            forms.setdefault(("file", f), {}).update(self.scoped.get(eid, {}))
        return {k: replacer(v) for k, v in forms.items() if v}

    def protect_external(self, frames: dict[str, pd.DataFrame], texts: list[str]) -> dict[str, pd.DataFrame]:
        """Pseudonymise tables built from text outside the corpus (the hand-coded
        validation samples): names found in ``texts`` by the entity cues are
        replaced too — with a ``样本`` prefix where the corpus map does not
        already know them — so a report on any corpus never shows the sample's
        children. Returns ``frames`` unchanged when pseudonymisation is off."""
        if not self.pseudonymise:
            return frames
        from analysis.methods import entities, privacy

        sample = pd.DataFrame(
            {"essay_id": "sample", "sentence_id": [f"sample-s{i:05d}" for i in range(len(texts))], "text": texts}
        )
        found = entities.extract_entities(sample)
        roles = self.roles or ("child", "adult")
        extra = privacy.build_pseudonym_map(found, roles=roles, types=("person",))
        mapping = {o: f"样本{p}" for o, p in zip(extra["original"], extra["pseudonym"])}
        mapping.update(self.mapping)
        return {k: self.protect(v, mapping=mapping) if isinstance(v, pd.DataFrame) else v for k, v in frames.items()}

    # the essays without raw_text, the text as captured (the largest column, never shown in a report):
    # table("essays") has it
    essays = property(lambda self: self.table("essays", [c for c in self._columns("essays") if c != "raw_text"]))
    paragraphs = property(lambda self: self.table("paragraphs"))
    sentences = property(lambda self: self.table("sentences"))
    cleaning_log = property(lambda self: self.table("cleaning_log"))
    quality_flags = property(lambda self: self.table("quality_flags"))
    skipped = property(lambda self: self.table("skipped"))


# Tables read and pseudonymised, shared by every Corpus of the same build and
# settings in this process: a warm report kernel renders one profile after
# another of one corpus, each notebook with a Corpus of its own, and reads and
# pseudonymises each table once instead of once per profile. A rebuild (new
# manifest or pseudonym map) is a new key; the last few keys are kept.
_SHARED: dict[tuple, dict[str, pd.DataFrame]] = {}
_SHARED_KEEP = 2


def _table_state(tables_dir: Path) -> tuple:
    """Every table and the manifest as (name, mtime, size, inode): an edited file is a new key."""
    import os

    state = []
    with os.scandir(tables_dir) as it:
        for entry in sorted(it, key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith((".parquet", ".json")):
                st = entry.stat()
                state.append((entry.name, st.st_mtime_ns, st.st_size, st.st_ino))
    return (str(Path(tables_dir).resolve()), tuple(state))


def _shared_tables(data_dir: Path, pseudonymise: bool, roles) -> dict[str, pd.DataFrame]:
    key = (*_table_state(data_dir), pseudonymise, roles)
    if key not in _SHARED:
        while len(_SHARED) >= _SHARED_KEEP:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = {}
    return _SHARED[key]


# shared folders kept in data_dir/.cache/shared (older builds' are removed)
SHARED_CACHE_KEEP = 3


def _code_fingerprint() -> str:
    """A hash of the code that decides what a pseudonymised column holds."""
    import hashlib

    from analysis.ingest import segment
    from analysis.methods import privacy

    h = hashlib.sha256()
    for module in (sys.modules[__name__], privacy, segment):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:16]


def _shared_key_hash(tables_dir: Path, roles) -> str:
    import hashlib

    key = repr((_table_state(tables_dir), roles, _code_fingerprint()))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _prune(root: Path, *, keep: Path) -> None:
    """Remove all but the newest :data:`SHARED_CACHE_KEEP` key folders (``keep`` stays)."""
    import shutil

    folders = sorted((p for p in root.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime)
    for old in folders[: max(0, len(folders) - (SHARED_CACHE_KEEP - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def _read_column(path: Path, col: str) -> pd.Series | None:
    """A cached column, or None (absent or unreadable: it is computed again)."""
    if not path.is_file():
        return None
    try:
        import pyarrow.parquet as pq

        values = pq.read_table(path, columns=[col]).column(col).to_pylist()
    except Exception:  # a damaged cache file is a miss, never an error
        return None
    return pd.Series(values, dtype=object, name=col)


def _write_column(path: Path, df: pd.DataFrame) -> None:
    try:
        with aio.atomic_path(path) as tmp:
            df.reset_index(drop=True).to_parquet(tmp, index=False)
    except Exception:  # a cache that cannot be written only costs time (a full disk, mixed types)
        pass


def _owner_column(col: str, columns) -> str | None:
    """The column naming the essay a text column comes from: essay_id, or for
    a pair table (reuse) essay_a for passage_a and essay_b for passage_b."""
    for suffix in ("_a", "_b"):
        if col.endswith(suffix) and f"essay{suffix}" in columns:
            return f"essay{suffix}"
    return "essay_id" if "essay_id" in columns else None


def _protect_value(v, replace):
    from analysis.methods.privacy import replace_tokens

    if isinstance(v, str):
        return replace(v)
    if isinstance(v, (list, tuple)):
        return replace_tokens(replace, list(v))
    if hasattr(v, "tolist") and not isinstance(v, (int, float)):
        return replace_tokens(replace, v.tolist())
    return v
