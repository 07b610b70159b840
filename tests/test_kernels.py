"""The warm-kernel papermill engine (``analysis-warm``, src/analysis/kernels.py):
every notebook a process renders runs on one kernel started once, reset
between notebooks, over IPC sockets in a private temporary folder.

Small throwaway notebooks are written into ``tmp_path`` and executed through
papermill with the engine, as :func:`analysis.reporting.report.execute_notebook` does.
Each probing cell prints one line ``PROBE {json}``; :func:`probes` reads them
back from the executed notebook. Every test ends with
:func:`analysis.reporting.kernels.shutdown_all` (autouse fixture).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from analysis.reporting import kernels
from analysis.config import KERNEL_NAME


def _has_kernelspec() -> bool:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return KERNEL_NAME in KernelSpecManager().find_kernel_specs()
    except Exception:  # noqa: BLE001
        return False


# the project's kernel is installed by `make install` (python -m ipykernel install --sys-prefix --name analysis)
pytestmark = pytest.mark.skipif(
    not _has_kernelspec(), reason=f"Jupyter kernel spec {KERNEL_NAME!r} not installed (run `make install`)"
)

ON_PROC = Path("/proc/self/fd").is_dir()


@pytest.fixture(autouse=True)
def no_warm_kernel_left():
    """Each test starts without a warm kernel in this process and leaves none behind."""
    kernels.shutdown_all()
    yield
    kernels.shutdown_all()


# ------------------------------------------------------------------ helpers


def notebook(path: Path, *cells: str, parameters: str | None = None) -> Path:
    """Write a notebook of code cells (a ``parameters``-tagged cell first when given)."""
    nb_cells = []
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb_cells.append(cell)
    nb_cells += [nbformat.v4.new_code_cell(src) for src in cells]
    nb = nbformat.v4.new_notebook(
        cells=nb_cells,
        metadata={
            "kernelspec": {"name": KERNEL_NAME, "display_name": "Python (analysis)", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def probe(**exprs: str) -> str:
    """A cell printing ``PROBE {name: value of expression}`` (evaluated in the kernel)."""
    body = ", ".join(f"{k!r}: ({v})" for k, v in exprs.items())
    return f"import json as _json\nprint('PROBE ' + _json.dumps({{{body}}}, ensure_ascii=False))"


def probes(nb) -> list[dict]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                out += [
                    json.loads(line[len("PROBE ") :]) for line in o["text"].splitlines() if line.startswith("PROBE ")
                ]
    return out


def run(nb_path: Path, *, cwd: Path | None = None, engine: str | None = "warm", **kwargs):
    """Execute ``nb_path`` with papermill (the warm engine unless ``engine=None``) in
    ``cwd`` (default: the notebook's folder); returns the executed notebook as
    written to disk (also when papermill raised)."""
    out = nb_path.with_name(nb_path.stem + ".out.ipynb")
    kwargs.setdefault("progress_bar", False)
    kwargs.setdefault("execution_timeout", 60)
    pm.execute_notebook(
        str(nb_path),
        str(out),
        kernel_name=KERNEL_NAME,
        cwd=str(cwd or nb_path.parent),
        engine_name=kernels.register() if engine == "warm" else engine,
        **kwargs,
    )
    return nbformat.read(out, as_version=4)


def read_out(nb_path: Path):
    return nbformat.read(nb_path.with_name(nb_path.stem + ".out.ipynb"), as_version=4)


def warm() -> kernels.WarmKernel:
    return kernels._WARM[KERNEL_NAME]


def process_gone(pid: int, timeout: float = 10.0) -> bool:
    """True once ``pid`` is no running process (a zombie counts as gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if ON_PROC:
            try:
                if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                    return True
            except OSError:
                return True
        time.sleep(0.05)
    return False


def same_path(a, b) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


# ------------------------------------------------------------------ one kernel, reset between notebooks


def test_register_is_idempotent():
    from papermill.engines import NBClientEngine, papermill_engines

    assert kernels.register() == kernels.register() == kernels.ENGINE == "analysis-warm"
    assert issubclass(papermill_engines.get_engine("analysis-warm"), NBClientEngine)


def test_two_notebooks_share_the_kernel_process_but_no_names(tmp_path):
    folder = tmp_path / "作文"
    # a module with an import side effect: it is loaded once per kernel, whatever imports it
    (folder / "warm_probe_mod.py").parent.mkdir(parents=True)
    (folder / "warm_probe_mod.py").write_text(
        "import os\nwith open(os.path.join(os.path.dirname(__file__), 'loads.txt'), 'a', encoding='utf-8') as fh:\n"
        "    fh.write('载入\\n')\n",
        encoding="utf-8",
    )
    first = notebook(
        folder / "first.ipynb",
        f"x = '留守儿童'\ndef f():\n    return x\nimport sys\nsys.path.insert(0, {str(folder)!r})\nimport warm_probe_mod",
        probe(pid="__import__('os').getpid()", x="f()", loaded="'warm_probe_mod' in sys.modules"),
    )
    second = notebook(
        folder / "second.ipynb",
        probe(
            pid="__import__('os').getpid()",
            x="'x' in globals()",
            f="'f' in globals()",
            loaded="'warm_probe_mod' in __import__('sys').modules",
        ),
        "import warm_probe_mod\n" + probe(same="warm_probe_mod.__file__"),
        "x  # defined by the first notebook only",
    )
    a = probes(run(first))[0]
    assert a == {"pid": a["pid"], "x": "留守儿童", "loaded": True}
    kernel = warm()
    assert kernel.km.provisioner.pid == a["pid"] and kernel.notebooks == 1

    with pytest.raises(PapermillExecutionError) as err:
        run(second)
    assert err.value.ename == "NameError" and "'x'" in err.value.evalue
    b, imported = probes(read_out(second))
    assert b["pid"] == a["pid"]  # the same kernel process ...
    assert b["x"] is False and b["f"] is False  # ... without the first notebook's names ...
    assert b["loaded"] is True  # ... but with its imported modules
    assert same_path(imported["same"], folder / "warm_probe_mod.py")
    assert (folder / "loads.txt").read_text(encoding="utf-8") == "载入\n"  # imported once, not twice


def test_parameters_are_injected_as_with_papermills_default_engine(tmp_path):
    params = {"name": "王小明的作文", "n": 3, "items": ["一", "二"], "flag": False, "nothing": None, "ratio": 2.5}
    cells = dict(parameters='name = "默认"\nn = 1\nitems = []\nflag = True\nnothing = "x"\nratio = 0.0')
    src = probe(
        name="name",
        n="n",
        items="items",
        flag="flag",
        nothing="nothing",
        ratio="ratio",
        types="[type(v).__name__ for v in (name, n, items, flag, nothing, ratio)]",
    )
    nb_warm = run(notebook(tmp_path / "warm" / "p.ipynb", src, **cells), parameters=params)
    nb_default = run(notebook(tmp_path / "default" / "p.ipynb", src, **cells), parameters=params, engine=None)

    assert (
        probes(nb_warm)
        == probes(nb_default)
        == [{**params, "types": ["str", "int", "list", "bool", "NoneType", "float"]}]
    )
    tags = lambda nb: [c.metadata.get("tags", []) for c in nb.cells]
    assert tags(nb_warm) == tags(nb_default) == [["parameters"], ["injected-parameters"], []]
    assert nb_warm.cells[1].source == nb_default.cells[1].source  # papermill writes non-ASCII as \\u escapes
    injected: dict = {}
    exec(nb_warm.cells[1].source, injected)
    assert injected["name"] == "王小明的作文"
    assert nb_warm.metadata.papermill.parameters == nb_default.metadata.papermill.parameters == params
    assert nb_warm.metadata.language_info.name == "python"

    again = run(notebook(tmp_path / "warm" / "q.ipynb", src, **cells), parameters={"n": 7})
    assert probes(again)[0]["n"] == 7 and probes(again)[0]["name"] == "默认"  # the defaults, not the last run's values


def test_working_folder_is_reset_to_papermills_cwd(tmp_path):
    folder = tmp_path / "报告 it's"  # a space and a quote: the reset code quotes the path
    elsewhere, other = tmp_path / "别处", tmp_path / "other"
    for d in (elsewhere, other):
        d.mkdir()
    first = notebook(
        folder / "first.ipynb",
        probe(cwd="__import__('os').getcwd()"),
        f"import os\nos.chdir({str(elsewhere)!r})\n" + probe(cwd="os.getcwd()"),
    )
    (folder / "数据.txt").write_text("留守", encoding="utf-8")
    second = notebook(
        folder / "second.ipynb",
        probe(cwd="__import__('os').getcwd()", text="open('数据.txt', encoding='utf-8').read()"),
    )
    here = os.getcwd()

    a = probes(run(first))
    assert same_path(a[0]["cwd"], folder) and same_path(a[1]["cwd"], elsewhere)
    b = probes(run(second))[0]
    assert same_path(b["cwd"], folder) and b["text"] == "留守"
    # papermill's cwd argument wins over the notebook's own folder
    c = probes(run(first, cwd=other))[0]
    assert same_path(c["cwd"], other)
    assert warm().notebooks == 3 and os.getcwd() == here  # one kernel; the test process never moved


def test_failing_notebook_raises_and_the_next_gets_a_fresh_kernel(tmp_path):
    pid = probe(pid="__import__('os').getpid()")
    ok = notebook(tmp_path / "ok.ipynb", pid, probe(x="'x' in globals()"))
    bad = notebook(tmp_path / "bad.ipynb", "x = 1\n" + pid, "raise ValueError('作文读不下去')", "print('never')")
    dies = notebook(tmp_path / "dies.ipynb", "import os\nos._exit(3)")

    pid1 = probes(run(ok))[0]["pid"]
    old = warm()
    with pytest.raises(PapermillExecutionError) as err:
        run(bad)
    assert err.value.ename == "ValueError" and "作文读不下去" in err.value.evalue
    assert probes(read_out(bad))[0]["pid"] == pid1  # it ran on the warm kernel ...
    assert KERNEL_NAME not in kernels._WARM  # ... which is discarded:
    assert not old.alive() and not Path(old.dir).exists() and process_gone(pid1)

    first, clean = probes(run(ok))
    pid2 = first["pid"]
    assert pid2 != pid1 and clean == {"x": False}

    # a kernel that dies under a notebook
    with pytest.raises(Exception):
        run(dies)
    assert KERNEL_NAME not in kernels._WARM
    pid3 = probes(run(ok))[0]["pid"]
    assert pid3 not in (pid1, pid2)

    # a kernel that died between two notebooks (killed from outside)
    dead = warm()
    os.kill(pid3, signal.SIGKILL)
    assert process_gone(pid3)
    pid4 = probes(run(ok))[0]["pid"]
    assert pid4 not in (pid1, pid2, pid3) and warm() is not dead and not Path(dead.dir).exists()


def test_timed_out_notebook_discards_its_kernel(tmp_path):
    pid = probe(pid="__import__('os').getpid()")
    slow = notebook(tmp_path / "slow.ipynb", pid, "import time\ntime.sleep(60)")
    ok = notebook(tmp_path / "ok.ipynb", pid)
    t0 = time.monotonic()
    with pytest.raises(Exception, match="(?i)timed? ?out"):
        run(slow, execution_timeout=2)
    assert time.monotonic() - t0 < 30
    pid1 = probes(read_out(slow))[0]["pid"]
    assert KERNEL_NAME not in kernels._WARM and process_gone(pid1)
    assert probes(run(ok))[0]["pid"] != pid1


def test_figures_are_closed_between_notebooks(tmp_path):
    # plt.ioff(): the inline backend closes only figures it has drawn; these stay open until the reset
    first = notebook(
        tmp_path / "first.ipynb",
        "import matplotlib.pyplot as plt\nplt.ioff()\n"
        "get_ipython().run_line_magic('config', 'InlineBackend.close_figures = False')\n"
        "fig = plt.figure()\nfig2, ax = plt.subplots()\n"
        "ax.set_title('留守儿童')\n" + probe(figs="plt.get_fignums()"),
        probe(figs="plt.get_fignums()"),
    )
    second = notebook(
        tmp_path / "second.ipynb",
        probe(figs="__import__('matplotlib.pyplot').pyplot.get_fignums()", pid="__import__('os').getpid()"),
        "import matplotlib.pyplot as plt\nfig = plt.figure()\n" + probe(figs="plt.get_fignums()"),
    )
    a = probes(run(first))
    assert [p["figs"] for p in a] == [[1, 2], [1, 2]]  # still open when the first notebook ends
    b = probes(run(second))
    assert b[0]["figs"] == [] and b[0]["pid"] == warm().km.provisioner.pid
    assert b[1]["figs"] == [1]  # numbering starts again


# ------------------------------------------------------------------ transport, clean-up, processes


def _tcp_inodes(pid: int, *, loopback: bool | None = None) -> set[str]:
    """Inodes of the TCP sockets in ``pid``'s network namespace (only those on
    127.0.0.1 / ::1, or only the others, when ``loopback`` is given)."""
    out = set()
    local = {"tcp": "0100007F:", "tcp6": "00000000000000000000000001000000:"}
    for table in ("tcp", "tcp6"):
        p = Path(f"/proc/{pid}/net/{table}")
        if p.is_file():
            for line in p.read_text().splitlines()[1:]:
                if line.strip():
                    f = line.split()
                    if loopback is None or f[1].startswith(local[table]) == loopback:
                        out.add(f[9])
    return out


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[len("socket:[") : -1])
    return out


def test_kernel_talks_over_ipc_in_a_private_folder_and_shutdown_all_removes_it(tmp_path):
    nb = notebook(
        tmp_path / "n.ipynb",
        probe(pid="__import__('os').getpid()", cf="__import__('ipykernel.connect').connect.get_connection_file()"),
    )
    seen = probes(run(nb))[0]
    k = warm()
    info = k.km.get_connection_info()
    assert k.km.transport == "ipc" and info["transport"] == "ipc"
    folder = Path(k.dir)
    assert folder.name.startswith("analysis-kernel-") and same_path(folder.parent, tempfile.gettempdir())
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0  # private: only this user can reach the sockets
    assert Path(info["ip"]).parent == folder
    ports = [info[f"{c}_port"] for c in ("shell", "iopub", "stdin", "control", "hb")]
    for port in ports:  # one socket file per channel, named <ip>-<port>
        assert stat.S_ISSOCK(os.stat(f"{info['ip']}-{port}").st_mode)
    assert same_path(seen["cf"], folder / "connection.json") and seen["pid"] == k.km.provisioner.pid
    cf = json.loads((folder / "connection.json").read_text())
    assert cf["transport"] == "ipc" and cf["ip"] == info["ip"] and cf["key"]
    if ON_PROC:  # the kernel has sockets; none of them TCP beyond loopback (ipykernel's own output pipe)
        assert _socket_inodes(seen["pid"]) and not (
            _socket_inodes(seen["pid"]) & _tcp_inodes(seen["pid"], loopback=False)
        )

    kernels.shutdown_all()
    assert kernels._WARM == {}
    assert not k.alive() and not folder.exists() and process_gone(seen["pid"])
    kernels.shutdown_all()  # nothing left: a no-op
    kernels.discard(KERNEL_NAME)


_CONCURRENT = """\
import json, sys
import papermill as pm
from analysis.reporting import kernels
from analysis.config import KERNEL_NAME

nb, barrier, me, other = sys.argv[1:5]
seen = []
for i in range(2):
    out = pm.execute_notebook(nb, nb.replace(".ipynb", f".out{i}.ipynb"), kernel_name=KERNEL_NAME,
                              engine_name=kernels.register(), progress_bar=False, execution_timeout=90,
                              parameters=dict(barrier=barrier, me=f"{me}{i}", other=f"{other}{i}"),
                              cwd=nb.rsplit("/", 1)[0])
    seen.append([line for c in out.cells for o in c.get("outputs", []) for line in o.get("text", "").splitlines()
                 if line.startswith("PROBE ")][0][6:])
k = kernels._WARM[KERNEL_NAME]
print(json.dumps({"probes": [json.loads(s) for s in seen], "dir": k.dir, "transport": k.km.transport,
                  "kernel_pid": k.km.provisioner.pid}))
"""  # the warm kernel is left to atexit: the process's exit shuts it down


def test_two_concurrent_renderings_do_not_clash(tmp_path):
    """Two processes (two `make reports`, or two workers) each run notebooks on
    their own warm kernel at the same time; each notebook waits until the
    other process's kernel has reached the same cell, so they truly overlap."""
    script = tmp_path / "render.py"
    script.write_text(_CONCURRENT, encoding="utf-8")
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    cell = (
        "import os, time\nopen(os.path.join(barrier, me), 'w').close()\ndeadline = time.time() + 60\n"
        "while not os.path.exists(os.path.join(barrier, other)) and time.time() < deadline:\n"
        "    time.sleep(0.02)\n"
        + probe(pid="os.getpid()", met="os.path.exists(os.path.join(barrier, other))", cwd="os.getcwd()")
    )
    params = 'barrier = ""\nme = ""\nother = ""'
    nbs = [notebook(tmp_path / name / "渲染.ipynb", cell, parameters=params) for name in ("a", "b")]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(nbs[0]), str(barrier), "a", "b"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
        subprocess.Popen(
            [sys.executable, str(script), str(nbs[1]), str(barrier), "b", "a"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
    ]
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=150)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    a, b = results
    for r, nb in zip(results, nbs):
        assert r["transport"] == "ipc"
        assert [p["met"] for p in r["probes"]] == [True, True]  # both kernels ran at once, twice
        assert len({p["pid"] for p in r["probes"]} | {r["kernel_pid"]}) == 1  # one warm kernel per process
        assert all(same_path(p["cwd"], nb.parent) for p in r["probes"])
    assert a["kernel_pid"] != b["kernel_pid"] and a["dir"] != b["dir"]
    for r in results:  # each process's exit shut its kernel down and removed its folder
        assert not Path(r["dir"]).exists() and process_gone(r["kernel_pid"])


_WORKERS = """\
import json, multiprocessing, os, shutil, signal, sys, time
from concurrent.futures import ProcessPoolExecutor
import papermill as pm
from analysis.reporting import kernels
from analysis.config import KERNEL_NAME


def render(nb):
    pm.execute_notebook(nb, nb + ".out.ipynb", kernel_name=KERNEL_NAME, engine_name=kernels.register(),
                        progress_bar=False, execution_timeout=60, cwd=os.path.dirname(nb))
    k = kernels._WARM[KERNEL_NAME]
    return k.km.provisioner.pid, k.dir


def running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


if __name__ == "__main__":
    out = {}
    # fork: a worker ends with os._exit, so atexit handlers never run there; only worker_init's finalizer does
    for label, init in (("with", kernels.worker_init), ("without", None)):
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=init) as pool:
            pid, folder = pool.submit(render, sys.argv[1]).result()
        out[label] = {"running": running(pid), "folder": os.path.exists(folder)}
        if running(pid):  # the control run's orphaned kernel: ours to end
            os.kill(pid, signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(out))
"""


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="fork start method")
def test_worker_init_shuts_the_workers_kernel_down_when_the_worker_exits(tmp_path):
    script = tmp_path / "workers.py"
    script.write_text(_WORKERS, encoding="utf-8")
    nb = notebook(tmp_path / "nb" / "n.ipynb", "1 + 1")
    p = subprocess.run([sys.executable, str(script), str(nb)], capture_output=True, text=True, timeout=150)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["with"] == {"running": False, "folder": False}
    assert out["without"]["folder"] is True  # control: without the initializer the worker leaves its kernel's folder


# ------------------------------------------------------------------ bugs


def test_notebooks_do_not_leak_kernel_clients(tmp_path):
    nb = notebook(tmp_path / "n.ipynb", "1 + 1")

    def count():
        gc.collect()
        return threading.active_count(), len(os.listdir("/proc/self/fd")) if ON_PROC else 0

    run(nb)
    threads0, fds0 = count()
    for _ in range(3):
        run(nb)
    threads1, fds1 = count()
    assert threads1 == threads0
    assert fds1 - fds0 <= 3


def test_log_output_goes_to_papermills_logger(tmp_path, caplog):
    nb = notebook(tmp_path / "n.ipynb", "print('日志里的一行')")
    with caplog.at_level(logging.INFO):
        run(nb, log_output=True)
    loggers = {r.name for r in caplog.records if "日志里的一行" in r.getMessage()}
    assert loggers == {"papermill"}


def test_next_notebook_starts_a_fresh_ipython_session(tmp_path):
    first = notebook(tmp_path / "first.ipynb", "秘密 = '王小明'\n秘密", "2 + 2")
    second = notebook(
        tmp_path / "second.ipynb",
        probe(history="any(('王' + '小明') in (src or '') for src in In)", pid="__import__('os').getpid()"),
    )
    pid = probes(run(second))[0]["pid"]
    run(first)
    nb = run(second)
    seen = probes(nb)[0]
    assert seen["pid"] == pid
    assert seen["history"] is False  # the previous notebook's code is not in the input history
    assert nb.cells[0].execution_count == 1
