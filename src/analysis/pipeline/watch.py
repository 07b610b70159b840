"""Watch mode: rebuild when the raw folder changes, until the code does."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from collections.abc import Callable


from analysis import io as aio
from analysis.ingest.intake import EssayInput, FolderEvidence, file_slug, plan_essays, unique_slugs  # noqa: F401
from analysis.pipeline.build import BuildError, BuildSummary, build
from analysis.pipeline.cache import settings_fingerprint
from analysis.pipeline.parallel import warm_up


def _raw_state(raw_dir: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of the files a build lists below ``raw_dir``
    (hidden files, such as an editor's swap files, are not): what :func:`watch` polls."""
    try:
        texts, others = aio.list_raw_files(raw_dir)
    except FileNotFoundError:  # the folder itself is gone: the next build says so
        return {}
    out = {}
    for p in (*texts, *others):
        try:
            st = p.stat()
        except OSError:  # removed while listing
            continue
        out[aio.relpath(p, raw_dir)] = (st.st_size, st.st_mtime_ns)
    return out


class CodeChanged(Exception):
    """A source or resource file changed while :func:`watch` ran: models and
    code loaded in this process are out of date, so it must restart."""


def watch(
    raw_dir: Path,
    out_dir: Path,
    *,
    poll: float = 0.5,
    max_builds: int | None = None,
    on_build: Callable[[BuildSummary], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    **build_kwargs,
) -> int:
    """Build, then build again whenever a file below ``raw_dir`` is added,
    changed or removed, until interrupted (or ``max_builds`` builds). The
    process stays warm between builds: models stay loaded and the per-essay
    tables stay in memory (``remember``), so adding one essay costs that
    essay, the corpus stages and writing — no start-up, no cache read. A
    change is built once the folder has been still for one ``poll`` interval
    (a file being copied is not read half-written). A build that fails with a
    :class:`BuildError` is reported to ``on_error`` and watching goes on.
    Raises :class:`CodeChanged` when a source or resource file changes (the
    command line restarts itself). Returns the number of builds."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    on_error = on_error or (lambda msg: print(f"error: {msg}", file=sys.stderr))
    settings = settings_fingerprint()
    return _watch_loop(raw_dir, out_dir, settings, poll, max_builds, on_build, on_error, build_kwargs)


def _watch_loop(raw_dir, out_dir, settings, poll, max_builds, on_build, on_error, build_kwargs) -> int:
    builds, models_ready = 0, False
    while True:
        state = _raw_state(raw_dir)
        try:
            # cache keys come from the files this process started with: a file edited
            # during a build must not key results the old code computed as the new code's
            summary = build(raw_dir, out_dir, remember=True, settings=settings, **build_kwargs)
        except BuildError as exc:
            on_error(str(exc))
        else:
            if on_build is not None:
                on_build(summary)
        builds += 1
        if max_builds is not None and builds >= max_builds:
            return builds
        if not models_ready:  # a build served from the cache loaded no model: load them before the next change
            warm_up()
            models_ready = True
        while True:  # wait for a change, then for the folder to be still
            time.sleep(poll)
            if settings_fingerprint() != settings:
                raise CodeChanged("source or resource files changed")
            now = _raw_state(raw_dir)
            if now != state:
                time.sleep(poll)
                if _raw_state(raw_dir) == now:
                    break
                state = now
