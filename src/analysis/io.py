"""Reading raw files and reading/writing the processed tables.

The only module that touches files. Raw files are opened read-only; every
output is written to a temporary file beside its target and moved into place
with :func:`os.replace`, so a crash never leaves a half-written table.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

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
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
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


def read_raw(path: Path, *, root: Path | None = None) -> RawText:
    """Read and decode one raw file, or raise :class:`RawFileError`.

    Reasons: empty file; not a text file (NUL bytes or many control
    characters); undecodable; no text (whitespace or punctuation only).
    """
    path = Path(path)
    data = path.read_bytes()
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


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """CSV cannot hold lists: join list cells with spaces (tokens) or ';' (labels)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, (list, tuple))).any():
            sep = LIST_SEP if col.endswith("tokens") else ";"
            out[col] = out[col].map(lambda v: sep.join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return out


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
    out_dir = Path(out_dir)
    pq, csv = out_dir / f"{name}.parquet", out_dir / f"{name}.csv"
    with atomic_path(pq) as tmp:
        df.to_parquet(tmp, index=False)
    with atomic_path(csv) as tmp:
        _csv_frame(df).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return [pq, csv]


# Above this many cells in all, the CSVs of the largest tables are written by a
# forked child process while this one writes the rest (CSV writing is slow,
# single-threaded Python/Cython work; Parquet is not).
PARALLEL_CSV_CELLS = 200_000


def _write_one(name: str, df: pd.DataFrame, folder: Path, *, parquet: bool = True, csv: bool = True) -> None:
    if parquet:
        df.to_parquet(folder / f"{name}.parquet", index=False)
    if csv:
        _csv_frame(df).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")


def _write_csvs_and_parquet(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """Every table as Parquet and CSV into ``folder``. Large jobs: a forked child
    writes the CSVs of the biggest tables (about half the cells) meanwhile; it
    reports failure by its exit code, and the files it did not write are then
    written here, so the result never depends on the child."""
    import multiprocessing as mp

    cells = {name: df.size for name, df in tables.items()}
    if sum(cells.values()) < PARALLEL_CSV_CELLS or "fork" not in mp.get_all_start_methods():
        for name, df in tables.items():
            _write_one(name, df, folder)
        return
    child_part, n = [], 0
    for name in sorted(cells, key=cells.get, reverse=True):
        if n < sum(cells.values()) / 2:
            child_part.append(name)
            n += cells[name]

    def child() -> None:
        for name in child_part:
            _write_one(name, tables[name], folder, parquet=False)

    proc = mp.get_context("fork").Process(target=child, daemon=True)
    proc.start()
    try:
        for name, df in tables.items():
            _write_one(name, df, folder, csv=name not in child_part)
    finally:
        proc.join()
    if proc.exitcode != 0:  # the child failed: write its CSVs here (a half-written file is overwritten)
        for name in child_part:
            _write_one(name, tables[name], folder, parquet=False)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write several tables: all go to temporary files first, then each is moved
    into place, so a failure while serialising leaves every old table intact."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    moved: list[Path] = []
    try:
        _write_csvs_and_parquet(tables, staging)
        for f in sorted(staging.iterdir()):
            os.replace(f, out_dir / f.name)
            moved.append(out_dir / f.name)
    finally:
        for f in staging.iterdir():
            f.unlink()
        staging.rmdir()
    return moved


def read_table(data_dir: Path, name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a processed table (Parquet). A missing table is a clear error."""
    p = Path(data_dir) / f"{name}.parquet"
    if not p.is_file():
        raise FileNotFoundError(f"table '{name}' not found in {data_dir} (run `python -m analysis build` first)")
    return lists_from_arrays(pd.read_parquet(p, columns=columns))


def lists_from_arrays(df: pd.DataFrame) -> pd.DataFrame:
    """Parquet/arrow give numpy arrays for list cells; lists are friendlier (in place)."""
    for col in df.columns:
        if df[col].dtype == object and len(df) and hasattr(df[col].iloc[0], "tolist") and not isinstance(df[col].iloc[0], str):
            df[col] = [list(v) if v is not None else [] for v in df[col].tolist()]
    return df


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
