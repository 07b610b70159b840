"""Checks made before a command starts work, each failing with one :class:`CliError`
line: option values, output folders and files, the bundled resources, a Dask scheduler."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cli.errors import CliError, _not_writable, _os_reason


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: not valid; valid: a positive whole number")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text}: not valid; valid: a number of seconds, 0 or more")
    return value


def _probe(folder: Path) -> None:
    """Create and remove a nameless file in ``folder`` (OSError when it cannot be written)."""
    import tempfile

    with tempfile.TemporaryFile(dir=folder):
        pass


def _check_out_dir(flag: str, folder: Path) -> None:
    """An output folder, or the nearest existing folder above it (where it
    will be created), can be written: else a one-line :class:`CliError` for a
    file in the way, a read-only or forbidden place. Creates nothing."""
    import os

    existing = next((p for p in [folder, *folder.absolute().parents] if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        what = "is a file" if existing == folder else f"{existing} is a file"
        raise CliError(f"{flag} {folder}: {what}; valid: a folder (created if missing)")
    if existing == folder:
        try:
            _probe(folder)
        except OSError as exc:
            raise _not_writable(flag, folder, exc) from None
    elif not os.access(existing, os.W_OK | os.X_OK):
        raise CliError(f"{flag} {folder}: not writable (cannot create it in {existing})")


def _check_out_file(flag: str, target: Path) -> None:
    """An output file's folder must exist and be writable; ``target`` must not be a folder."""
    if target.is_dir():
        raise CliError(f"{flag} {target}: is a folder; valid: a file path")
    if not target.parent.is_dir():
        what = "is a file" if target.parent.exists() else "not found"
        raise CliError(f"{flag} {target}: folder {target.parent} {what}; valid: a file in an existing folder")
    try:
        _probe(target.parent)
    except OSError as exc:
        raise CliError(f"{flag} {target}: folder {target.parent} not writable ({_os_reason(exc)})") from None


def _check_resources(*, codebook: bool = True) -> None:
    """The bundled resource files (user dictionary, stopwords, lexicons, codebook …) load."""
    from analysis.resources import ResourceError, check_bundled

    try:
        check_bundled()
        if codebook:
            from analysis.methods.themes import load_codebook

            load_codebook()
    except ResourceError as exc:
        raise CliError(f"resource file {exc}") from None


_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def check_scheduler(address: str, timeout: float) -> None:
    """A Dask scheduler address is well formed (``[tcp://]HOST:PORT``) and
    something answers there within ``timeout`` seconds; else :class:`CliError`."""
    import socket

    valid = "valid: tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in _SCHEMES:
        raise CliError(f"--scheduler {address}: unknown protocol {scheme!r}; {valid}")
    host, colon, port_text = rest.rpartition(":")
    host = host.strip("[]")  # [::1]:8786
    if not colon or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise CliError(f"--scheduler {address}: not HOST:PORT with a port number from 1 to 65535; {valid}")
    try:
        with socket.create_connection((host, int(port_text)), timeout=timeout):
            pass
    except TimeoutError:
        raise CliError(
            f"--scheduler {address}: no answer within {timeout:g} s (--scheduler-timeout); "
            "start the scheduler, or drop --scheduler for a local cluster"
        ) from None
    except OSError as exc:
        why = "host not found" if isinstance(exc, socket.gaierror) else _os_reason(exc)
        raise CliError(
            f"--scheduler {address}: no scheduler there ({why}); start the scheduler, or drop --scheduler "
            "for a local cluster"
        ) from None
    if scheme == "tcp":  # something listens: it must speak Dask's protocol (tls needs the client's certificates)
        _dask_handshake(address if sep else f"tcp://{address}", timeout)


def _dask_handshake(address: str, timeout: float) -> None:
    import asyncio

    from distributed.comm import connect

    async def probe() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        comm.abort()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001 — a web server answering garbage gives a MemoryError, say
        timed_out = isinstance(exc, (TimeoutError, asyncio.TimeoutError)) or "Timed out" in str(exc)
        why = "no answer in time" if timed_out else type(exc).__name__
        raise CliError(
            f"--scheduler {address}: something listens there but no Dask scheduler answers ({why}); "
            "valid: the address the scheduler prints (dask scheduler)"
        ) from None
