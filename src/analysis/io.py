"""Reading raw files and reading/writing the processed tables.

The only module that touches files. Raw files are opened read-only; every
output is written to a temporary file beside its target and moved into place
with :func:`os.replace`, so a crash never leaves a half-written table, and the
tables of a build become visible together (:class:`TableWriter`: a generation
folder switched in by one rename), so a crash never leaves a mix of two builds.
"""

from __future__ import annotations

import atexit
import codecs
import errno
import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
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
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
# a file with garbled lines is read when its other lines hold at least this much Chinese
MIN_CLEAN_CJK = 100


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


@dataclass
class RawListing:
    """What :func:`scan_raw` finds below a raw folder: text files to read,
    other files (ignored, reported) and entries skipped with their reason."""

    texts: list[Path]
    others: list[Path]
    skipped: list[tuple[Path, str]]


def _is_hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def scan_raw(raw_dir: Path, *, follow_links: bool = False) -> RawListing:
    """The files below ``raw_dir``, sorted. Text files end in .txt or .text
    (any case); hidden files and folders are passed over silently; other
    files are listed as ignored.

    Symbolic links are followed while they stay inside ``raw_dir``; a link
    leaving it is skipped (``follow_links`` follows it), a broken link or a
    loop (a link to a folder above it) is skipped, each with its reason, and
    a folder that cannot be listed too. Every real file is listed once.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    root = raw_dir.resolve()
    out = RawListing([], [], [])
    files: list[tuple[bool, Path, str]] = []  # (reached through a link, path, real path)

    def inside(target: Path) -> bool:
        return target == root or root in target.parents

    def visit(folder: Path, ancestors: frozenset[str], via_link: bool) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append((folder, f"folder cannot be listed ({_os_reason(exc)})"))
            return
        for entry in entries:
            p = Path(entry.path)
            rel = p.relative_to(raw_dir)
            if _is_hidden(rel):
                continue
            if entry.is_symlink():
                try:
                    target = p.resolve(strict=True)
                except RuntimeError:  # Python < 3.13: a loop of links
                    out.skipped.append((p, "symbolic link loop"))
                    continue
                except OSError as exc:
                    reason = "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
                    out.skipped.append((p, reason))
                    continue
                if target.is_dir() and str(target) in ancestors:
                    out.skipped.append((p, "symbolic link loop (links to a folder above it)"))
                    continue
                if not inside(target) and not follow_links:
                    out.skipped.append((p, "symbolic link to outside the raw folder (not followed; --follow-links)"))
                    continue
            else:
                target = p.resolve()
            linked = via_link or entry.is_symlink()
            if target.is_dir():
                visit(p, ancestors | {str(target)}, linked)
            elif target.is_file():
                files.append((linked, p, str(target)))
            else:
                out.skipped.append((p, "not a regular file (device, pipe or socket)"))

    visit(raw_dir, frozenset({str(root)}), False)
    first: dict[str, Path] = {}
    for is_link, p, target in sorted(files, key=lambda f: (f[0], f[1])):  # real files before links
        if target in first:  # one file reached twice (through a link): read once
            out.skipped.append((p, f"the same file as {relpath(first[target], raw_dir)} (read once)"))
            continue
        first[target] = p
        if p.suffix.lower() in TEXT_SUFFIXES:
            out.texts.append(p)
        elif p.name.lower() not in {"readme.md", "readme.txt", "readme"}:
            out.others.append(p)
    out.skipped.sort()
    out.texts.sort()
    out.others.sort()
    return out


def list_raw_files(raw_dir: Path) -> tuple[list[Path], list[Path]]:
    """(text files to read, other files ignored) below ``raw_dir``, sorted
    (:func:`scan_raw` without the skipped entries)."""
    found = scan_raw(raw_dir)
    return found.texts, found.others


def relpath(path: Path, root: Path) -> str:
    """``path`` below ``root`` as text for tables and messages. A file name that
    is not UTF-8 (a GBK name from a Windows zip file) is decoded as GB18030,
    or else its undecodable bytes are written as \\x escapes."""
    rel = Path(path).relative_to(root).as_posix()
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        raw = os.fsencode(rel)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def _os_reason(exc: OSError) -> str:
    """An OSError in a few words: 'permission denied', 'is a directory' …"""
    return (exc.strerror or exc.__class__.__name__).lower()


def read_bytes(path: Path) -> bytes:
    """A raw file's bytes, or :class:`RawFileError` saying why they cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise RawFileError(Path(path), f"unreadable ({_os_reason(exc)})") from None


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


_CJK_UTF8_RE = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){3}")  # three CJK characters in UTF-8


def _mixed_encodings(data: bytes) -> str | None:
    """The reason a file that is not UTF-8 as a whole is refused when some of
    its lines are UTF-8 Chinese and others are not (pasted from two sources):
    decoding it either way would garble part of it. None otherwise."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        first_bad = data.count(b"\n", 0, exc.start) + 1
    good = 0
    for no, line in enumerate(data.split(b"\n"), start=1):
        if no != first_bad and _CJK_UTF8_RE.search(line):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            good = no
            break
    if not good:
        return None
    return (
        f"mixed encodings: line {first_bad} is not UTF-8 while line {good} is UTF-8 Chinese "
        "(save the file in one encoding)"
    )


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
    data = read_bytes(path) if data is None else data
    if not data:
        raise RawFileError(path, "empty file (0 bytes)")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RawFileError(path, "not a text file (contains NUL bytes)")
    mixed = _mixed_encodings(data)
    if mixed:
        raise RawFileError(path, mixed)
    try:
        text, encoding = decode_bytes(data)
    except UnicodeError:
        raise RawFileError(path, "undecodable: not UTF-8, UTF-16 or GB18030") from None
    bad = len(_BAD_CHARS_RE.findall(text))
    if bad > max(3, len(text) // 100):
        # a garbled line or two in a readable page (an emoji lost in copying) is the cleaning's to
        # flag as mojibake; garbage on many lines means the file was not text in this encoding
        lines = [ln for ln in text.splitlines() if ln.strip()]
        bad_lines = sum(1 for ln in lines if _BAD_CHARS_RE.search(ln))
        clean_cjk = sum(len(_CJK_RE.findall(ln)) for ln in lines if not _BAD_CHARS_RE.search(ln))
        if bad_lines > max(1, len(lines) // 10) or clean_cjk < MIN_CLEAN_CJK:
            raise RawFileError(
                path,
                f"undecodable: {bad} control or replacement characters on {bad_lines} of {len(lines)} lines "
                f"after decoding as {encoding}",
            )
    ending = _line_ending(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _HAS_TEXT_RE.search(text):
        raise RawFileError(path, "no text (only whitespace or punctuation)")
    rel = relpath(path, path.parent if root is None else root)
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
    fault_point("write")
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
    """Replace (or add) several tables of the set in ``out_dir`` at once
    (:class:`TableWriter`): a failure or a kill at any moment leaves the old
    set or the new one, never a mix."""
    with TableWriter(out_dir) as writer:
        writer.submit(tables)
    return writer.moved


class TableWriter:
    """Tables written in the background as they become final and made visible
    together: ``with TableWriter(out) as w: w.submit({...}); ...;
    w.add_json("manifest.json", {...})``. With ``whole_set`` (a build) the
    tables submitted are the new set; otherwise they replace or join the
    tables of the current set.

    Each table is serialised on a thread as soon as it is submitted (Arrow's
    writers run without the GIL, so the caller's work goes on meanwhile) into
    a new *generation* folder, ``out/.gen/<id>/``. On leaving the block without
    an error the generation becomes current by one atomic rename of the
    ``out/.current`` link; ``out/essays.parquet`` and every other name are
    links through ``.current``, so readers see the old set or the new set,
    never a mix, whenever the process is killed. On an error the generation
    is removed and the old set stays. The generation replaced is kept until
    the next write (a reader that resolved it, :func:`tables_dir`, can finish);
    with ``discard_later`` older ones are deleted on a background thread.

    Where the file system has no symbolic links (some Windows set-ups), the
    files are moved into ``out`` one by one instead (each atomically, the set
    not)."""

    def __init__(self, out_dir: Path, *, whole_set: bool = False, discard_later: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.whole_set = whole_set
        self.discard_later = discard_later
        self.moved: list[Path] = []

    def __enter__(self) -> TableWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale(self.out_dir)
        self._linked = _links_work(self.out_dir)
        if self._linked:
            gens = self.out_dir / GENERATIONS_DIR
            gens.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.folder = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=gens))
            if not self.whole_set:  # the set with some tables replaced: the others carried over
                _carry_over(tables_dir(self.out_dir), self.folder)
        else:
            self.folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.out_dir))
        os.chmod(self.folder, 0o755)
        self._pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1))
        self._jobs: list = []
        return self

    def submit(self, tables: dict[str, pd.DataFrame]) -> None:
        for name in tables:  # a carried-over file is a link to the old set's: never written through
            for ext in ("parquet", "csv"):
                (self.folder / f"{name}.{ext}").unlink(missing_ok=True)
        for name in sorted(tables, key=lambda n: tables[n].size, reverse=True):  # biggest first
            self._jobs.append(self._pool.submit(_write_one, tables[name], self.folder, name))

    def wait(self) -> None:
        """Wait until every table submitted is written (raises the first failure)."""
        for job in self._jobs:
            job.result()

    def add_json(self, name: str, obj) -> None:
        """A JSON file (the manifest) in the set; written once the tables are."""
        self._json = getattr(self, "_json", {})
        self._json[name] = obj

    def __exit__(self, exc_type, exc, tb) -> None:
        ok = False
        try:
            self._pool.shutdown(wait=True)
            if exc_type is None:
                for job in self._jobs:
                    job.result()  # the first failure is raised (after every job has ended)
                for name, obj in getattr(self, "_json", {}).items():
                    write_json(self.folder / name, obj)
                fault_point("staged")
                if self._linked:
                    self.moved = _publish(self.out_dir, self.folder, discard_later=self.discard_later)
                else:
                    self.moved = _move_each(self.out_dir, self.folder)
                ok = True
        finally:
            if not ok or not self._linked:
                shutil.rmtree(self.folder, ignore_errors=True)


# ------------------------------------------------------ generations of tables

GENERATIONS_DIR = ".gen"
CURRENT_LINK = ".current"
_LINK_TMP = ".link-"
FAULT_ENV = "ANALYSIS_FAULT_AT"
_FAULT_LOCK = threading.Lock()


_FAULT_SEEN: dict[str, int] = {}


def fault_point(step: str) -> None:
    """Fault injection for tests: when the environment variable
    ``ANALYSIS_FAULT_AT`` is ``step`` (or ``step#n``: the n-th time the step
    is reached), the process kills itself here (SIGKILL: no clean-up runs),
    as a power cut or ``kill -9`` would. The steps: ``write`` (a table file
    written), ``staged`` (every file of the set written), ``adopt`` (a plain
    file of an older layout turned into a link), ``link`` (a name linked),
    ``before-switch``, ``after-switch``."""
    want = os.environ.get(FAULT_ENV)
    if not want or want.split("#")[0] != step:
        return
    with _FAULT_LOCK:
        _FAULT_SEEN[step] = n = _FAULT_SEEN.get(step, 0) + 1
    if n == int(want.partition("#")[2] or 1):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def tables_dir(data_dir: Path) -> Path:
    """The folder that holds the current build's tables in ``data_dir``: its
    current generation (resolved once, so a reader of several tables reads
    them from one build even if a new build is switched in meanwhile), or
    ``data_dir`` itself for a folder of plain files."""
    data_dir = Path(data_dir)
    try:
        target = os.readlink(data_dir / CURRENT_LINK)
    except OSError:
        return data_dir
    return data_dir / target


def _carry_over(current: Path, folder: Path) -> None:
    """Hard-link (or copy) the current set's files into a new generation."""
    for entry in os.scandir(current):
        if entry.is_file() and entry.name.endswith((".parquet", ".csv", ".json")):
            try:
                os.link(entry.path, folder / entry.name)
            except OSError:
                shutil.copy2(entry.path, folder / entry.name)


def _links_work(folder: Path) -> bool:
    probe = folder / f"{_LINK_TMP}probe-{os.getpid()}"
    try:
        os.symlink(".", probe)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


def _link(folder: Path, name: str, target: str) -> None:
    """Make ``folder/name`` a symbolic link to ``target``, atomically (a new
    link renamed over the old name, whatever it was)."""
    tmp = folder / f"{_LINK_TMP}{os.getpid()}-{threading.get_ident()}-{name}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, folder / name)


def _is_set_link(path: Path) -> bool:
    try:
        return os.readlink(path) == f"{CURRENT_LINK}/{path.name}"
    except OSError:
        return False


def _adopt_plain_files(out_dir: Path, names: set[str]) -> None:
    """A folder written before generations existed holds its tables as plain
    files: they become a generation of their own (hard links, or copies), and
    each name a link to the same bytes, so the switch that follows is atomic
    too."""
    plain = sorted(n for n in names if (out_dir / n).is_file() and not (out_dir / n).is_symlink())
    if not plain or (out_dir / CURRENT_LINK).is_symlink():
        return
    old = Path(tempfile.mkdtemp(prefix="plain-", dir=out_dir / GENERATIONS_DIR))
    os.chmod(old, 0o755)
    for n in plain:
        try:
            os.link(out_dir / n, old / n)
        except OSError:
            shutil.copy2(out_dir / n, old / n)
    _link(out_dir, CURRENT_LINK, f"{GENERATIONS_DIR}/{old.name}")
    for n in plain:
        _link(out_dir, n, f"{CURRENT_LINK}/{n}")  # the same bytes, now through the link
        fault_point("adopt")


def _publish(out_dir: Path, folder: Path, *, discard_later: bool) -> list[Path]:
    """Make generation ``folder`` current: one rename switches every table."""
    names = {p.name for p in folder.iterdir() if p.is_file()}
    _adopt_plain_files(out_dir, names | {n for n in os.listdir(out_dir) if n.endswith((".parquet", ".csv"))})
    before = tables_dir(out_dir)
    for n in sorted(names):  # new names dangle until the switch: not visible before it
        if not _is_set_link(out_dir / n):
            _link(out_dir, n, f"{CURRENT_LINK}/{n}")
        fault_point("link")
    fault_point("before-switch")
    _link(out_dir, CURRENT_LINK, f"{GENERATIONS_DIR}/{folder.name}")  # the switch
    fault_point("after-switch")
    for entry in os.scandir(out_dir):  # tables the new set does not have
        if entry.name not in names and _is_set_link(Path(entry.path)):
            os.unlink(entry.path)
    keep = {folder.name, before.name}
    old = [p for p in (out_dir / GENERATIONS_DIR).iterdir() if p.name not in keep]
    if discard_later:
        for p in old:
            _discard_in_background(p)
    else:
        for p in old:
            shutil.rmtree(p, ignore_errors=True)
    return [out_dir / n for n in sorted(names)]


def _move_each(out_dir: Path, folder: Path) -> list[Path]:
    moved = []
    for f in sorted(p for p in folder.iterdir() if p.is_file()):
        os.replace(f, out_dir / f.name)
        moved.append(out_dir / f.name)
    return moved


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove what an interrupted write left in ``out_dir``: staging folders,
    generations that never became current (and older ones), half-made links.
    Call it only while no other writer works on the folder (the build holds
    its lock)."""
    out_dir = Path(out_dir)
    gone = []
    if not out_dir.is_dir():
        return gone
    cur = out_dir / CURRENT_LINK
    if cur.is_dir() and not cur.is_symlink():  # a copy made following links: its top-level files are the set
        gone.append(cur)
    current = tables_dir(out_dir)
    for entry in os.scandir(out_dir):
        if entry.name.startswith((".staging-", _LINK_TMP)):
            gone.append(Path(entry.path))
    gens = out_dir / GENERATIONS_DIR
    if gens.is_dir():
        gone += [p for p in gens.iterdir() if p != current and p.name != current.name]
    for p in gone:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
    return gone


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
    p = tables_dir(data_dir) / f"{name}.parquet"
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
