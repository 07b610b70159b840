"""Reading raw files and reading/writing the processed tables.

The only module that touches files. Raw files are opened read-only; every
output is written to a temporary file beside its target and moved into place
with :func:`os.replace`, so a crash never leaves a half-written table.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa

TEXT_SUFFIXES = {".txt", ".text"}
# Characters that are not expected in prose: C0 controls except tab/newline/CR,
# the replacement character and private-use code points.
_BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff]")
_HAS_TEXT_RE = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)


class RawFileError(ValueError):
    """A raw file that cannot be used; ``reason`` says why in a few words."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class RawText:
    """A decoded raw file: text with line ends normalised to LF."""

    path: Path
    relpath: str
    text: str
    encoding: str
    line_ending: str
    raw_bytes: bytes


def list_raw_files(raw_dir: Path) -> tuple[list[Path], list[Path]]:
    """(text files to read, other files ignored) below ``raw_dir``, sorted.

    Text files are those ending in .txt or .text (any case); hidden files and
    folders are skipped silently, everything else is reported as ignored.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    texts, others = [], []
    for p in sorted(raw_dir.rglob("*")):
        rel = p.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if p.suffix.lower() in TEXT_SUFFIXES:
            texts.append(p)
        elif p.name.lower() not in {"readme.md", "readme.txt", "readme"}:
            others.append(p)
    return texts, others


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode raw bytes; returns (text, encoding name).

    Tries, in order: a BOM (UTF-8, UTF-16), strict UTF-8, strict GB18030
    (a superset of GBK and GB2312). Raises ``UnicodeError`` if none fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise UnicodeError("not UTF-8, UTF-16 or GB18030")


def _line_ending(text: str) -> str:
    if "\r\n" in text:
        return "CRLF"
    if "\r" in text:
        return "CR"
    return "LF"


def read_raw(path: Path, *, root: Path | None = None, data: bytes | None = None) -> RawText:
    """Read and decode one raw file (or its bytes ``data``, already read), or
    raise :class:`RawFileError`.

    Reasons: empty file; not a text file (NUL bytes or many control
    characters); undecodable; no text (whitespace or punctuation only).
    """
    path = Path(path)
    data = path.read_bytes() if data is None else data
    if not data:
        raise RawFileError(path, "empty file (0 bytes)")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RawFileError(path, "not a text file (contains NUL bytes)")
    try:
        text, encoding = decode_bytes(data)
    except UnicodeError:
        raise RawFileError(path, "undecodable: not UTF-8, UTF-16 or GB18030") from None
    bad = len(_BAD_CHARS_RE.findall(text))
    if bad > max(3, len(text) // 100):
        raise RawFileError(path, f"undecodable: {bad} control or replacement characters after decoding as {encoding}")
    ending = _line_ending(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _HAS_TEXT_RE.search(text):
        raise RawFileError(path, "no text (only whitespace or punctuation)")
    rel = path.name if root is None else path.relative_to(root).as_posix()
    return RawText(path=path, relpath=rel, text=text, encoding=encoding, line_ending=ending, raw_bytes=data)


# ---------------------------------------------------------------- tables

LIST_SEP = " "


def _flags(a: pa.Array):
    """A boolean Arrow array as a numpy bool array, null as False."""
    return a.fill_null(False).to_numpy(zero_copy_only=False)


def _float_strings(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Floats as pandas' CSV writer (Python's repr) writes them: 8.0, 0.1, 1e-05;
    NaN and null as an empty cell. Arrow's own formatting gives the same
    shortest digits but writes 8 and 0.00001, so whole numbers get their '.0'
    and the few values in exponent range are formatted by Python."""
    import numpy as np
    import pyarrow.compute as pc

    col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    v = col.to_numpy(zero_copy_only=False).astype("float64")
    s = pc.cast(col, pa.string())
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(v)
        # where the two notations differ: exponents (Arrow switches earlier,
        # Python below 1e-4 and from 1e16 on)
        by_python = finite & (
            _flags(pc.match_substring(s, "e")) | ((v != 0) & (np.abs(v) < 1e-4)) | (np.abs(v) >= 1e16)
        )
    whole = _flags(pc.match_substring_regex(s, r"^-?[0-9]+$")) & ~by_python
    s = pc.if_else(pa.array(whole), pc.binary_join_element_wise(s, pa.scalar(".0"), pa.scalar("")), s)
    if by_python.any():
        s = pc.replace_with_mask(s, pa.array(by_python), pa.array([repr(float(x)) for x in v[by_python]], pa.string()))
    missing = ~finite & ~np.isinf(v)  # NaN and null
    return pa.chunked_array([pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), s)])


def _csv_table(table: pa.Table) -> pa.Table:
    """The table as CSV cells. CSV cannot hold lists: list cells are joined with
    spaces (``*tokens`` columns) or ';' (labels). Floats and booleans are
    written as pandas writes them (0.0, True), so the CSV reads back with the
    same types."""
    import pyarrow.compute as pc

    cols = []
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            if not (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)):
                col = pc.cast(col, pa.list_(pa.string()))
            col = pc.binary_join(col, LIST_SEP if name.endswith("tokens") else ";")
        elif pa.types.is_floating(t):
            col = _float_strings(col)
        elif pa.types.is_boolean(t):
            col = pc.if_else(col, pa.scalar("True"), pa.scalar("False"))
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _write_one(df: pd.DataFrame, folder: Path, name: str) -> None:
    """``name.parquet`` and ``name.csv`` (UTF-8 with BOM, for Excel) in ``folder``,
    both from one Arrow table; Arrow's writers are C++ and release the GIL.
    CSV: a header row, string cells quoted, list cells joined."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, folder / f"{name}.parquet")
    with open(folder / f"{name}.csv", "wb") as fh:
        fh.write(codecs.BOM_UTF8)
        pcsv.write_csv(_csv_table(table), fh)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it into place."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)  # mkstemp makes private files; outputs are meant to be read
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(target: Path, obj) -> None:
    write_text(target, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def write_table(df: pd.DataFrame, out_dir: Path, name: str) -> list[Path]:
    """Write ``name.parquet`` and ``name.csv`` (UTF-8 with BOM, for Excel), atomically."""
    return write_tables({name: df}, out_dir)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write several tables: all go to temporary files first, then each is moved
    into place, so a failure while serialising leaves every old table intact."""
    with TableWriter(out_dir) as writer:
        writer.submit(tables)
    return writer.moved


class TableWriter:
    """Tables written in the background as they become final, moved into place
    together: ``with TableWriter(out) as w: w.submit({...}); ...; w.submit({...})``.
    Each table is serialised on a thread as soon as it is submitted (Arrow's
    writers run without the GIL, so the caller's work goes on meanwhile) into a
    staging folder; on leaving the block without an error every file is moved
    into ``out_dir``, and on an error none is, so old tables stay intact.

    Replacing a file frees the old file's blocks there and then (about 8 ms
    for each 8 MB). With ``discard_later`` the old files are kept under the
    staging folder by a second link while the new ones move in, and deleted
    by a background thread afterwards (joined at exit): for a process that
    goes on (``build --watch``) the new tables are in place sooner."""

    def __init__(self, out_dir: Path, *, discard_later: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.discard_later = discard_later
        self.moved: list[Path] = []

    def __enter__(self) -> TableWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.out_dir))
        self._pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1))
        self._jobs: list = []
        return self

    def submit(self, tables: dict[str, pd.DataFrame]) -> None:
        for name in sorted(tables, key=lambda n: tables[n].size, reverse=True):  # biggest first
            self._jobs.append(self._pool.submit(_write_one, tables[name], self._staging, name))

    def __exit__(self, exc_type, exc, tb) -> None:
        later = False
        try:
            self._pool.shutdown(wait=True)
            if exc_type is None:
                for job in self._jobs:
                    job.result()  # the first failure is raised (after every job has ended)
                replaced = self._staging / ".replaced"
                replaced.mkdir()
                for f in sorted(p for p in self._staging.iterdir() if p.is_file()):
                    target = self.out_dir / f.name
                    if self.discard_later:
                        with contextlib.suppress(OSError):  # no old file, or no hard links here
                            os.link(target, replaced / f.name)
                    os.replace(f, target)
                    self.moved.append(target)
                later = self.discard_later
        finally:
            if later:
                _discard_in_background(self._staging)
            else:
                shutil.rmtree(self._staging)


_DISCARDING: list[threading.Thread] = []


def _discard_in_background(folder: Path) -> None:
    """Delete ``folder`` on a thread; :func:`finish_discarding` waits for it."""
    _DISCARDING[:] = [t for t in _DISCARDING if t.is_alive()]
    t = threading.Thread(
        target=shutil.rmtree,
        args=(folder,),
        kwargs={"ignore_errors": True},
        name="discard-replaced-tables",
        daemon=True,
    )
    t.start()
    _DISCARDING.append(t)


@atexit.register
def finish_discarding() -> None:
    """Wait until the replaced tables deleted in the background are gone."""
    for t in list(_DISCARDING):
        t.join()


def read_table(data_dir: Path, name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a processed table (Parquet). A missing table is a clear error."""
    p = Path(data_dir) / f"{name}.parquet"
    if not p.is_file():
        raise FileNotFoundError(f"table '{name}' not found in {data_dir} (run `python -m analysis build` first)")
    return lists_from_arrays(pd.read_parquet(p, columns=columns))


def lists_from_arrays(df: pd.DataFrame) -> pd.DataFrame:
    """Parquet/arrow give numpy arrays for list cells; lists are friendlier (in place)."""
    for col in df.columns:
        if (
            df[col].dtype == object
            and len(df)
            and hasattr(df[col].iloc[0], "tolist")
            and not isinstance(df[col].iloc[0], str)
        ):
            df[col] = [list(v) if v is not None else [] for v in df[col].tolist()]
    return df


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
