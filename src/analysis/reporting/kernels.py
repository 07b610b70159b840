"""Kernels started once and reused: the papermill engine the reports run on.

Starting a Jupyter kernel and importing pandas, matplotlib and the package
costs seconds; executing a report's cells often costs less. This module keeps
one kernel per process (the renderer runs one process per core) and hands it
to papermill through an engine, ``analysis-warm``, that runs each notebook on
it with nbclient — papermill still injects the parameters and records every
cell, so notebooks behave as with papermill's own engine.

Between two notebooks the kernel's user namespace is reset (``%reset -f``),
figures are closed and the working folder is set again, so nothing one report
defines is seen by the next; imported modules stay loaded (that is the
saving). A kernel whose notebook failed or timed out is shut down and the next
notebook gets a fresh one.

Kernels talk over IPC sockets in a private temporary folder, not TCP ports:
two renderings on one machine cannot take each other's ports, and the
kernels print no warning about unencrypted TCP.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from pathlib import Path

ENGINE = "analysis-warm"
# imported while the first notebook is prepared, so no report waits for them alone
PRELUDE = (
    "import pandas, numpy, matplotlib.pyplot\n"
    "import analysis.reporting.views, analysis.reporting.corpus, analysis.methods.sentiment, analysis.methods.themes, analysis.reporting.overview"
)
_RESET = """\
get_ipython().reset(new_session=True)
import os as _analysis_os
_analysis_os.chdir({cwd!r})
del _analysis_os
try:
    import matplotlib.pyplot as _analysis_plt
    _analysis_plt.close("all")
    del _analysis_plt
except Exception:
    pass
"""


class KernelError(RuntimeError):
    """A kernel that could not be started or reset."""


KERNEL_DIR_PREFIX = "analysis-kernel-"
OWNER_FILE = "owner.pid"  # the pid of the process that started the kernel in this folder


def sweep_stale_dirs(root: str | Path | None = None) -> list[Path]:
    """Remove the kernel folders (connection file, sockets) of processes that
    are gone — a killed ``report`` cannot clean up after itself; the next one
    does. A folder whose owner is alive, or that names no owner, is kept.
    Returns the folders removed."""
    removed = []
    for d in Path(root or tempfile.gettempdir()).glob(KERNEL_DIR_PREFIX + "*"):
        try:
            pid = int((d / OWNER_FILE).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
            continue  # its owner runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's live process
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


class WarmKernel:
    """A kernel kept running for one process's notebooks."""

    def __init__(self, kernel_name: str, cwd: str | Path, *, startup_timeout: int = 60):
        # nbclient waits for messages on an asyncio loop: with a blocking client a
        # kernel that dies mid-cell would block that loop forever (its liveness
        # check never runs), so manager and client are the async ones, driven by
        # jupyter_core's per-thread loop like nbclient itself
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        sweep_stale_dirs()
        self.dir = tempfile.mkdtemp(prefix=KERNEL_DIR_PREFIX)
        Path(self.dir, OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
        self.km = AsyncKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            ip=os.path.join(self.dir, "k"),
            connection_file=os.path.join(self.dir, "connection.json"),
        )
        self.kc = None
        try:
            run_sync(self.km.start_kernel)(cwd=str(cwd))
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=startup_timeout)
        except (RuntimeError, OSError) as exc:
            self.shutdown()
            raise KernelError(f"kernel {kernel_name!r} did not start: {exc}") from None
        self.kc.execute(PRELUDE, silent=True, store_history=False)  # imports while papermill prepares the notebook
        self.notebooks = 0

    def reset(self, cwd: str | Path, *, timeout: int = 120) -> None:
        """Start a new IPython session (empty namespace, input history and
        execution counts from In [1], as on a fresh kernel), close figures and
        set the working folder. Runs outside the history, so the next
        notebook's first cell is In [1]. Raises :class:`KernelError` at once
        when the kernel has died (a process killed from outside can look
        alive for a moment), after ``timeout`` seconds otherwise."""
        from queue import Empty

        from jupyter_core.utils import run_sync

        msg_id = self.kc.execute(_RESET.format(cwd=str(cwd)), store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=1)
            except Empty:
                if not self.alive():
                    raise KernelError("the kernel died") from None
                if time.monotonic() > deadline:
                    raise KernelError(f"kernel reset took longer than {timeout} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelError(f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}")
        while True:  # its output, so the notebook's client starts on a quiet channel
            try:
                msg = run_sync(self.kc.get_iopub_msg)(timeout=5)
            except Empty:
                break
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["header"]["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            ):
                break

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km.has_kernel and run_sync(self.km.is_alive)()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:  # noqa: BLE001 — best effort on the way out
            pass
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


_WARM: dict[str, WarmKernel] = {}


def warm_kernel(kernel_name: str, cwd: str | Path) -> WarmKernel:
    """This process's kernel for ``kernel_name`` (started on first use)."""
    k = _WARM.get(kernel_name)
    if k is not None and not k.alive():
        k.shutdown()
        k = None
    if k is None:
        k = _WARM[kernel_name] = WarmKernel(kernel_name, cwd)
    return k


def discard(kernel_name: str) -> None:
    """Shut down this process's kernel (after a failure: the next notebook gets a fresh one)."""
    k = _WARM.pop(kernel_name, None)
    if k is not None:
        k.shutdown()


def shutdown_all() -> None:
    for name in list(_WARM):
        discard(name)


atexit.register(shutdown_all)


def skip_slow_optional_imports() -> None:
    """Declare ``rfc3987_syntax`` absent in this rendering process, unless
    ``jsonschema`` is already loaded. nbformat imports jsonschema, whose format
    checkers import that optional module when it is installed (jupyterlab's
    dependencies install it), and it compiles a grammar at import: 1.3 s in
    every rendering process. Notebooks are validated without IRI formats, so
    nothing a report does needs it."""
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def worker_init() -> None:
    """Initializer of a rendering worker process: its kernels go when it does."""
    import multiprocessing.util

    skip_slow_optional_imports()
    multiprocessing.util.Finalize(None, shutdown_all, exitpriority=10)


def _engine():
    from papermill.engines import NBClientEngine
    from papermill.utils import merge_kwargs, remove_args

    class WarmEngine(NBClientEngine):
        """papermill's nbclient engine on this process's warm kernel."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.log import logger

            cwd = os.getcwd()  # papermill has changed into the notebook's folder (its cwd argument)
            kernel = warm_kernel(kernel_name, cwd)
            try:
                try:
                    kernel.reset(cwd)
                except KernelError:  # died since the last notebook: one fresh start
                    discard(kernel_name)
                    kernel = warm_kernel(kernel_name, cwd)
                    kernel.reset(cwd)
                kwargs = remove_args(["input_path"], **kwargs)
                safe = remove_args(["timeout", "startup_timeout"], **kwargs)
                final = merge_kwargs(
                    safe,
                    timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                    startup_timeout=start_timeout,
                    kernel_name=kernel_name,
                    log=logger,
                    log_output=log_output,
                    stdout_file=stdout_file,
                    stderr_file=stderr_file,
                )
                client = PapermillNotebookClient(nb_man, km=kernel.km, **final)
                client.kc = kernel.kc  # the kept client: nbclient then opens no channels of its own
                result = client.execute()
            except BaseException:
                discard(kernel_name)
                raise
            kernel.notebooks += 1
            if any(c.get("metadata", {}).get("papermill", {}).get("exception") for c in nb_man.nb.cells):
                discard(kernel_name)  # a failed cell may leave the kernel in any state
            return result

    return WarmEngine


def register() -> str:
    """Register the ``analysis-warm`` engine with papermill (idempotent); returns its name."""
    from papermill.engines import papermill_engines

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, _engine())
    return ENGINE
