"""How the command line fails: :class:`CliError` (a user error: one line, exit code 2),
argparse's usage errors as such lines, and a full, read-only or forbidden place told
apart from a bug."""

from __future__ import annotations

import argparse
import errno
import re
from pathlib import Path


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line (exit code 2), like every other user error."""

    def error(self, message: str):
        message = re.sub(r"^argument ([^:]+): ", r"\1 ", message)
        raise CliError(f"{message} (see {self.prog} --help)")


# write errors that are the place's fault (not the program's): a one-line user error
_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


def _write_failure(exc: BaseException) -> OSError | None:
    """The OSError of a full, read-only or forbidden place in ``exc`` or its causes, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and (
            exc.errno in _WRITE_ERRNOS or "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc)
        ):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _os_reason(exc: OSError) -> str:
    if exc.errno is None and "No space left on device" in str(exc):
        return "no space left on device"
    return (exc.strerror or type(exc).__name__).lower()


def _not_writable(flag: str, folder: Path, exc: OSError) -> CliError:
    return CliError(f"{flag} {folder}: not writable ({_os_reason(exc)})")


def _one_line(text: str, limit: int = 1000) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
