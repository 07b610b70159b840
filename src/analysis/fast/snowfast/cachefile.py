"""The compact model of :mod:`analysis.fast.snowfast` on disk: its file name
in the user cache, its format (header, arrays, checksum), the checks made on
load, and the atomic write."""

from __future__ import annotations

import array
import json
import os
import struct
import sys
import zlib

from analysis.fast.snowfast.compact import _CJK_FIRST, _CJK_LAST

_FORMAT = 1
_MAGIC = b"SNOWFAST"
_HEAD = struct.Struct("<8sIIQ")  # magic, format, crc32 of everything after it, header length
_ARRAYS = ("cmap", "unk", "ulog", "bptr", "bkeys", "bvals", "tptr", "tkeys", "tvals", "wlogs")


def _cache_dir() -> str:
    from analysis.config import user_cache_dir

    return str(user_cache_dir())


def _cache_path(digest: str) -> str:
    return os.path.join(_cache_dir(), f"snowfast-v{_FORMAT}-{digest[:32]}.bin")


def _dump(arrays: dict, meta: dict, digest: str) -> bytes:
    layout = []
    off = 0
    for name in _ARRAYS:
        a = arrays[name]
        layout.append([name, a.typecode, off, len(a)])
        off += -(-len(a) * a.itemsize // 8) * 8
    header = {
        "format": _FORMAT,
        "source": digest,
        "byteorder": sys.byteorder,
        "itemsize": {tc: array.array(tc).itemsize for tc in "bidq"},
        "arrays": layout,
        "meta": meta,
    }
    hb = json.dumps(header, ensure_ascii=False).encode("utf-8")
    hb += b" " * (-(len(hb) + _HEAD.size) % 8)
    body = bytearray(hb)
    for name in _ARRAYS:
        raw = arrays[name].tobytes()
        body += raw + bytes(-len(raw) % 8)
    tail = struct.pack("<Q", len(hb)) + bytes(body)
    return _HEAD.pack(_MAGIC, _FORMAT, zlib.crc32(tail), len(hb)) + tail[8:]


def _parse(data: bytes, digest: str) -> tuple[dict, dict]:
    """Arrays and meta of a cache file; ValueError if it is not exactly what we wrote."""
    if len(data) < _HEAD.size:
        raise ValueError("truncated")
    magic, fmt, crc, hlen = _HEAD.unpack_from(data)
    if magic != _MAGIC or fmt != _FORMAT:
        raise ValueError("not a snowfast model of this format")
    if zlib.crc32(memoryview(data)[16:]) != crc:
        raise ValueError("checksum mismatch")
    body = memoryview(data)[_HEAD.size :]
    if hlen > len(body):
        raise ValueError("truncated")
    header = json.loads(bytes(body[:hlen]).decode("utf-8"))
    if (
        header.get("format") != _FORMAT
        or header.get("source") != digest
        or header.get("byteorder") != sys.byteorder
        or header.get("itemsize") != {tc: array.array(tc).itemsize for tc in "bidq"}
    ):
        raise ValueError("cache made for other sources or another platform")
    arrays = {}
    base = hlen
    for name, tc, off, n in header["arrays"]:
        a = array.array(tc)
        lo = base + off
        hi = lo + n * a.itemsize
        if hi > len(body):
            raise ValueError("truncated")
        a.frombytes(body[lo:hi])
        arrays[name] = a
    if set(arrays) != set(_ARRAYS):
        raise ValueError("missing arrays")
    return arrays, header["meta"]


def _check(arrays: dict, meta: dict) -> None:
    """Cheap consistency checks of the compact model (sizes and index ranges)."""
    nc, bos = meta["nc"], meta["bos"]
    ok = (
        len(arrays["cmap"]) == _CJK_LAST - _CJK_FIRST + 1
        and 0 <= min(arrays["cmap"])
        and max(arrays["cmap"]) < nc
        and bos == nc - 2
        and len(arrays["unk"]) == nc
        and len(arrays["ulog"]) == nc * 4
        and len(meta["status"]) == 4
        and len(meta["prior"]) == len(meta["classes"]) == len(meta["unseen"])
        and len(arrays["wlogs"]) == len(meta["vocab"]) * len(meta["classes"])
    )
    for pre in ("b", "t"):  # the search reads only inside [ptr[c], ptr[c+1])
        ptr, keys, vals = arrays[pre + "ptr"], arrays[pre + "keys"], arrays[pre + "vals"]
        ok = (
            ok
            and len(ptr) == nc + 1
            and ptr[0] == 0
            and ptr[nc] == len(keys) == len(vals)
            and all(ptr[i] <= ptr[i + 1] for i in range(nc))
        )
    if not ok:
        raise ValueError("inconsistent snowfast model")


def _read_cache(path: str, digest: str):
    try:
        with open(path, "rb") as f:
            data = f.read()
        arrays, meta = _parse(data, digest)
        _check(arrays, meta)
        return arrays, meta
    except (OSError, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, struct.error):
        return None


def _write_cache(path: str, blob: bytes) -> bool:
    """Atomically write ``blob`` to ``path``; False (and nothing left behind) if that fails."""
    import tempfile

    tmp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".snowfast-", suffix=".tmp", dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False
