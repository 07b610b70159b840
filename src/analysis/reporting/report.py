"""Render report notebooks into self-contained HTML, and the index.

``render_reports(names, data_dir, out_dir, params)``: for each report,
check its parameters (a bad one is a one-line error naming the valid values,
before any kernel starts), execute the notebook with papermill on the
project's kernel in a temporary folder, convert it with nbconvert (inputs
hidden, images embedded, no external resources), add a table of contents and
a provenance footer, and move the HTML into ``out_dir``. A report that fails
keeps its previous HTML; the index marks it failed with the failing cell's
error. Up-to-date reports (same notebook, parameters, data and code) are
skipped.
"""

from __future__ import annotations

import hashlib
import html
import os
import json
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable


from analysis import io as aio
from analysis.config import KERNEL_NAME, NOTEBOOKS_DIR, PROCESSED_DIR, REPORTS_DIR, git_commit
from analysis.reporting.htmlpage import html_exporter, param_text, embed_font, notebook_to_html
from analysis.reporting.params import (
    CLI_ONLY_PARAMS,
    MAX_PROFILES,
    PROFILE_BAR_ABOVE,
    ParamError,
    REPORTS,
    ReportSpec,
    essay_ids,
    load_param_file,
    main,
    notebook_description,
    resolve_params,
)

STATE_DIR = ".state"


class PrivacyError(RuntimeError):
    """A rendered page still contains a child's name: it is not written."""


def privacy_check(page: str, params: dict, data_dir: Path, fname: str) -> None:
    """The last safety net before a page is written: with pseudonymisation on,
    no written form of a name the report replaces may be in it (children's
    always; adults', places' and schools' too with ``pseudonymise_all``). Raises
    :class:`PrivacyError` naming how many and of what kind, never the names."""
    from analysis.methods.privacy import page_leaks

    if not params.get("pseudonymise", True):
        return
    roles = None if params.get("pseudonymise_all", True) else ("child",)
    leaks = page_leaks(page, data_dir, roles=roles)
    if leaks:
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(leaks.items()))
        raise PrivacyError(
            f"privacy check: {sum(leaks.values())} name(s) ({what}) would appear in {fname}; "
            "the report was not written (see privacy_review.csv in the data folder)"
        )


@dataclass
class Outcome:
    name: str
    title: str
    file: str
    params: dict
    status: str  # ok | failed | up-to-date
    error: str = ""
    seconds: float = 0.0
    rendered_at: str = ""
    commit: str = ""  # the code's git commit when the HTML was rendered


# ------------------------------------------------------------------ provenance


def _shared_digest(data_dir: Path) -> str:
    """What every report of one corpus depends on alike: its tables, the
    hand-coded samples, its own-sample validation and the package's code.
    Read once per rendering, not once per report (a corpus of a thousand
    essays has a thousand profiles)."""
    from analysis.config import ANNOTATIONS_DIR, PACKAGE_DIR

    h = hashlib.sha256()
    files = sorted(Path(data_dir).glob("*.parquet")) + sorted(p for p in ANNOTATIONS_DIR.rglob("*") if p.is_file())
    files += sorted((Path(data_dir) / "validation").glob("*.json"))  # a new own-sample validation re-renders
    files += sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _input_hash(spec: ReportSpec, params: dict, data_dir: Path, shared: str | None = None) -> str:
    """Everything a report depends on: notebook, parameters, data, annotations,
    code (``shared``: :func:`_shared_digest` of ``data_dir``, when already known)."""
    h = hashlib.sha256()
    h.update((NOTEBOOKS_DIR / spec.notebook).read_bytes())
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    h.update((shared or _shared_digest(data_dir)).encode())
    if params.get("codebook_path") and Path(params["codebook_path"]).is_file():  # an edited codebook re-renders
        cb = Path(params["codebook_path"])
        h.update(cb.name.encode())
        h.update(cb.read_bytes())
    return h.hexdigest()


def _warm_renderer(data_dir: Path) -> None:
    """What every rendering process needs, loaded once in this one before
    its workers are forked (they inherit it instead of each loading it):
    papermill and its engine, nbconvert with its templates compiled, the font
    cutter, the pseudonym maps of the privacy check, the git commit."""
    import nbformat
    import papermill  # noqa: F401

    from analysis.reporting import kernels, webfont

    kernels.register()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("留守儿童")])
    page = html_exporter().from_notebook_node(nb)[0]
    webfont.font_face_css(page)
    try:  # loads the pseudonym maps; the page is nbconvert's own, no report: what it finds is not the point
        privacy_check(page, {}, data_dir, "warm-up")
    except PrivacyError:
        pass
    git_commit()


# ------------------------------------------------------------------ running


def _error_summary(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    where = f"cell {cell}: " if cell else ""
    return f"{where}{ename}: {str(evalue).strip().splitlines()[-1] if str(evalue).strip() else ''}"[:500]


def execute_notebook(spec: ReportSpec, params: dict, workdir: Path, *, kernel: str = KERNEL_NAME, timeout: int = 1800):
    """Run the notebook with papermill in ``workdir``; returns the executed notebook node."""
    import nbformat
    import papermill as pm

    from analysis.reporting import kernels

    out = workdir / spec.notebook
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / spec.notebook),
        str(out),
        parameters=params,
        kernel_name=kernel,
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=timeout,
        engine_name=kernels.register(),
    )
    return nbformat.read(out, as_version=4)


def report_file(spec: ReportSpec, params: dict) -> str:
    if spec.per_essay:
        return f"profile_{params['essay_id']}.html"
    return f"{spec.name}.html"


def _load_state(out_dir: Path) -> dict:
    p = out_dir / STATE_DIR / "reports.json"
    return aio.read_json(p) if p.is_file() else {}


def _render_job(job: tuple) -> tuple[Outcome, dict | None]:
    """Worker entry point: render one report in its own process (papermill is
    process-safe, not thread-safe); returns the outcome and its state entry."""
    spec, params, data_dir, out_dir, prev, force, kernel, key = job
    state = {} if prev is None else {report_file(spec, params): prev}
    o = render_one(spec, params, data_dir, out_dir, state, force=force, kernel=kernel, key=key)
    return o, state.get(o.file)


def render_one(
    spec: ReportSpec,
    params: dict,
    data_dir: Path,
    out_dir: Path,
    state: dict,
    *,
    force: bool = False,
    kernel: str = KERNEL_NAME,
    key: str | None = None,
) -> Outcome:
    fname = report_file(spec, params)
    title = _title(spec, params)
    key = key or _input_hash(spec, params, data_dir)
    prev = state.get(fname, {})
    if not force and (fresh := _up_to_date(spec, params, out_dir, prev, key)) is not None:
        return fresh
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        try:
            nb = execute_notebook(spec, params, Path(tmp), kernel=kernel)
            page = notebook_to_html(nb, params=params, data_dir=data_dir, name=spec.name)
            privacy_check(page, params, data_dir, fname)
        except Exception as exc:  # noqa: BLE001 — any failure is recorded, the old HTML stays
            return Outcome(
                spec.name,
                title,
                fname,
                params,
                "failed",
                error=_error_summary(exc),
                seconds=time.perf_counter() - t0,
                rendered_at=prev.get("rendered_at", ""),
                commit=prev.get("commit", ""),
            )
        aio.write_text(out_dir / fname, page)
    outcome = Outcome(
        spec.name,
        title,
        fname,
        params,
        "ok",
        seconds=time.perf_counter() - t0,
        rendered_at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=git_commit(),
    )
    state[fname] = {"hash": key, "status": "ok", "rendered_at": outcome.rendered_at, "commit": outcome.commit}
    return outcome


def _title(spec: ReportSpec, params: dict) -> str:
    return spec.title + (f" — {params['essay_id']}" if spec.per_essay else "")


def _up_to_date(spec: ReportSpec, params: dict, out_dir: Path, prev: dict | None, key: str) -> Outcome | None:
    """The "up-to-date" outcome when the report's HTML exists and was made
    from the same inputs (``key``) without failing; else None."""
    fname = report_file(spec, params)
    prev = prev or {}
    if prev.get("hash") != key or prev.get("status") not in ("ok", "up-to-date") or not (out_dir / fname).is_file():
        return None
    return Outcome(
        spec.name,
        _title(spec, params),
        fname,
        params,
        "up-to-date",
        rendered_at=prev.get("rendered_at", ""),
        commit=prev.get("commit", ""),
    )


def plan(
    names: list[str] | None,
    data_dir: Path,
    cli_params: dict,
    file_params: dict,
    max_profiles: int | None = MAX_PROFILES,
) -> tuple[list[tuple[ReportSpec, dict]], list[Outcome], int]:
    """(spec, params) for every report to render, a failed :class:`Outcome`
    for each report whose parameters are invalid, and how many essays get no
    profile because of ``max_profiles`` (profiles of the first essays in
    corpus order; ``None`` or 0: every essay). Starts no kernel."""
    if max_profiles is not None and max_profiles < 0:
        raise ParamError(f"--max-profiles {max_profiles}: give a number of essays, or 0 for every essay")
    names = names or list(REPORTS)
    for n in names:
        if n not in REPORTS:
            raise ParamError(f"unknown report {n!r}; valid reports: {', '.join(REPORTS)}")
    jobs, bad, left_out = [], [], 0
    for n in names:
        spec = REPORTS[n]
        try:
            params = resolve_params(n, cli_params, file_params, data_dir)
        except ParamError as exc:
            shown = {**file_params.get("*", {}), **file_params.get(n, {}), **cli_params}
            fname = (
                f"{spec.name}.html"
                if not spec.per_essay
                else (f"profile_{shown['essay_id']}.html" if shown.get("essay_id") else "profile_*.html")
            )
            bad.append(Outcome(spec.name, spec.title, fname, shown, "failed", error=f"bad parameter: {exc}"))
            continue
        if spec.per_essay and not params.get("essay_id"):
            ids = essay_ids(data_dir)
            if max_profiles and len(ids) > max_profiles:
                ids, left_out = ids[:max_profiles], len(ids) - max_profiles
            for eid in ids:
                jobs.append((spec, {**params, "essay_id": eid}))
        else:
            jobs.append((spec, params))
    return jobs, bad, left_out


# A second `report` into the same folder waits for the first this long at most.
REPORT_LOCK_TIMEOUT = 600


def render_reports(*args, **kwargs) -> list[Outcome]:
    """:func:`render_unlocked` holding the lock of the reports folder: two
    renderings into one folder (two `make reports`) take turns instead of
    mixing the index and the render state; the second says whom it waits
    for and gives up after :data:`REPORT_LOCK_TIMEOUT` seconds."""
    from analysis import procs

    out_dir = Path(kwargs.get("out_dir", REPORTS_DIR))
    echo = kwargs.get("echo", print)
    with procs.folder_lock(
        out_dir,
        timeout=REPORT_LOCK_TIMEOUT,
        warn=echo,
        error=ParamError,
        who="report",
        longer="try again when it has finished",
    ):
        return render_unlocked(*args, **kwargs)


def render_unlocked(
    names: list[str] | None = None,
    *,
    data_dir: Path = PROCESSED_DIR,
    out_dir: Path = REPORTS_DIR,
    params: dict | None = None,
    param_files: list[Path] = (),
    force: bool = False,
    kernel: str = KERNEL_NAME,
    echo: Callable[[str], None] = print,
    jobs: int | None = None,
    max_profiles: int | None = MAX_PROFILES,
    verbose: bool = False,
) -> list[Outcome]:
    """Render reports (all by default) and rewrite the index; returns the outcomes.

    Essay profiles are rendered for at most ``max_profiles`` essays (the first
    in corpus order; ``None`` or 0: every essay), unless an ``essay_id`` is given.

    Parameters are checked for every report before any kernel starts; if one
    is invalid, nothing is executed, the index marks that report failed with
    the reason (its previous HTML stays), and :class:`ParamError` is raised.
    A report whose notebook fails keeps its previous HTML and is marked
    failed with the failing cell's error; the others are still rendered.

    Progress: one line per corpus report; essay profiles (more than
    :data:`PROFILE_BAR_ABOVE`) as a progress bar on stderr with a line for
    each failure — every report's line with ``verbose``.
    """
    from analysis.reporting import kernels, webfont

    kernels.skip_slow_optional_imports()
    git_commit.cache_clear()  # asked once per rendering (workers inherit it), not three times a page
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not (data_dir / "essays.parquet").is_file():
        raise ParamError(f"--data {data_dir}: no built corpus there (run `python -m analysis build --out {data_dir}`)")
    file_params: dict[str, dict] = {}
    for f in param_files:
        for k, v in load_param_file(f).items():
            file_params.setdefault(k, {}).update(v)
    planned, bad, left_out = plan(names, data_dir, params or {}, file_params, max_profiles)
    if any(p.get("pseudonymise", True) for _, p in planned):
        from analysis.methods.privacy import MapError, load_map

        try:  # fail closed: without a sound pseudonym map no shareable page is made
            load_map(data_dir)
        except MapError as exc:
            raise ParamError(str(exc)) from None
    if left_out:
        echo(
            f"essay profiles: the first {max_profiles} essays only; {left_out} more with --max-profiles 0 "
            f"(one at a time: report profile -p essay_id ID)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    state = _load_state(out_dir)
    if bad:
        _write_index(out_dir, data_dir, state, bad)
        raise ParamError(bad[0].error.removeprefix("bad parameter: "))
    outcomes: list[Outcome] = []
    shared = _shared_digest(data_dir)
    keyed = [(spec, p, _input_hash(spec, p, data_dir, shared)) for spec, p in planned]
    # reports already up to date are settled here: no worker, kernel or renderer is started for them
    fresh = (
        {}
        if force
        else {i: _up_to_date(s, p, out_dir, state.get(report_file(s, p)), k) for i, (s, p, k) in enumerate(keyed)}
    )
    work = [
        (spec, p, data_dir, out_dir, state.get(report_file(spec, p)), force, kernel, key)
        for i, (spec, p, key) in enumerate(keyed)
        if fresh.get(i) is None
    ]
    n_workers = max(1, min(jobs or os.cpu_count() or 1, len(work)))

    n_profiles = sum(spec.per_essay for spec, _ in planned)
    bar = None
    if n_profiles > PROFILE_BAR_ABOVE and not verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_profiles, desc="essay profiles", unit="profile", leave=True, dynamic_ncols=True)

    def record(o: Outcome, entry: dict | None) -> None:
        outcomes.append(o)
        if entry is not None:
            state[o.file] = entry
        line = (
            f"{o.status:>10}  {o.file}"
            + (f"  ({o.seconds:.1f} s)" if o.seconds else "")
            + (f"  {o.error}" if o.error else "")
        )
        if bar is not None and o.name == "profile":
            bar.update(1)
            if o.status == "failed":
                bar.write(line)
        else:
            echo(line)

    for o in fresh.values():
        if o is not None:
            record(o, state.get(o.file))
    if work and webfont.prepared_font(prepare=False) is None:
        echo("preparing the reports' Chinese font (once per machine, about half a minute)")
        webfont.prepared_font()
    if not work:
        pass
    elif n_workers == 1:
        try:
            for job in work:
                record(*_render_job(job))
        finally:
            kernels.shutdown_all()
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # one kernel per worker, started once and reused for every report the worker renders
        from analysis import procs

        fork = "fork" in multiprocessing.get_all_start_methods()
        if fork:
            _warm_renderer(data_dir)
        with ProcessPoolExecutor(
            n_workers,
            mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
            initializer=procs.worker_start,  # a worker (and its kernel) dies with this process
            initargs=(os.getpid(), kernels.worker_init),
        ) as pool:
            for result in pool.map(_render_job, work):
                record(*result)
    if bar is not None:
        bar.close()
        times = sorted(o.seconds for o in outcomes if o.name == "profile" and o.seconds)
        echo(
            f"essay profiles: {sum(o.status != 'failed' for o in outcomes if o.name == 'profile')} of {n_profiles} "
            f"ok" + (f", median {times[len(times) // 2]:.1f} s each" if times else "")
        )
    _write_index(out_dir, data_dir, state, outcomes, shared)
    return outcomes


def _write_index(
    out_dir: Path, data_dir: Path, state: dict, outcomes: list[Outcome], shared: str | None = None
) -> None:
    """Merge ``outcomes`` into the index state (reports not rendered this time
    keep their entry while their HTML exists) and rewrite index.html."""
    fields = set(Outcome.__dataclass_fields__)  # an index written by an older version may lack some
    rows = {
        f: Outcome(**{k: v for k, v in e.items() if k in fields})
        for f, e in state.get("_index", {}).items()
        if (out_dir / f).is_file()
    }
    for o in outcomes:
        if o.status == "failed" and o.file in rows:
            o.rendered_at, o.commit = rows[o.file].rendered_at, rows[o.file].commit
        rows[o.file] = o
    state["_index"] = {f: o.__dict__ for f, o in rows.items()}
    aio.write_json(out_dir / STATE_DIR / "reports.json", state)
    page = embed_font(index_html(list(rows.values()), data_dir, out_dir))
    index = out_dir / "index.html"
    checked = hashlib.sha256((shared or _shared_digest(data_dir)).encode() + page.encode()).hexdigest()
    if state.get("_index_checked") == checked and index.is_file() and index.read_text(encoding="utf-8") == page:
        return  # the same page, checked against the same corpus and pseudonym map when it was written
    from analysis.methods.privacy import MapError

    try:
        privacy_check(page, {}, data_dir, "index.html")  # it lists the essays' titles
    except MapError:  # no sound map: the index shows no title (see _essay_titles)
        pass
    aio.write_text(index, page)
    state["_index_checked"] = checked
    aio.write_json(out_dir / STATE_DIR / "reports.json", state)


def _essay_titles(data_dir: Path) -> dict[str, dict]:
    """essay id → label, title (pseudonymised like the reports), genre,
    narrator and length, for the index; {} without a built corpus."""
    if not (Path(data_dir) / "essays.parquet").is_file():
        return {}
    cols = ["essay_id", "essay_label", "title", "genre", "narrator", "n_chars"]
    try:
        from analysis.reporting.corpus import Corpus

        c = Corpus(data_dir, pseudonymise=True, pseudonymise_all=True)
        e = c.table("essays", [k for k in cols if k in c.columns("essays")])  # not the texts: only what is shown
    except Exception:  # noqa: BLE001 — no sound pseudonym map: show no title at all
        e = aio.read_table(data_dir, "essays").assign(title="")
    e = e[[c for c in cols if c in e.columns]]
    return {r["essay_id"]: r for r in e.to_dict("records")}


def index_html(outcomes: list[Outcome], data_dir: Path, out_dir: Path = REPORTS_DIR) -> str:
    """reports/index.html: every report with title, parameters, status; profiles linked."""
    order = {name: k for k, name in enumerate(REPORTS)}
    man = aio.read_json(Path(data_dir) / "manifest.json") if (Path(data_dir) / "manifest.json").is_file() else {}
    titles = _essay_titles(data_dir)
    label = lambda o: str(titles.get(o.params.get("essay_id"), {}).get("essay_label") or o.file)
    outcomes = sorted(outcomes, key=lambda o: (order.get(o.name, 99), label(o), o.file))

    def row(o: Outcome) -> str:
        status = {
            "ok": '<span class="st-ok">rendered</span>',
            "up-to-date": '<span class="st-ok">up to date</span>',
            "failed": '<span class="st-bad">FAILED</span>',
        }[o.status]
        if o.status == "failed":
            status += f'<br><code class="err">{html.escape(o.error)}</code>'
            status += (
                "<br><em>the link shows the previous version</em>"
                if (Path(out_dir) / o.file).is_file()
                else "<br><em>no previous version</em>"
            )
        shown = {k: v for k, v in o.params.items() if k not in CLI_ONLY_PARAMS and k != "essay_id"}
        params = html.escape(param_text(shown)) if shown else "defaults"
        title = html.escape(o.title)
        extra = ""
        eid = o.params.get("essay_id")
        if o.name == "profile" and eid in titles:
            t = titles[eid]
            title = html.escape(f"{t.get('essay_label') or eid} {t.get('title') or ''}".strip())
            extra = (
                "<br><small>"
                + html.escape(
                    " · ".join(str(t.get(k)) for k in ("genre", "narrator", "n_chars") if t.get(k) not in (None, ""))
                )
                + " characters</small>"
            )
        elif o.name in REPORTS and (NOTEBOOKS_DIR / REPORTS[o.name].notebook).is_file():
            extra = f"<br><small>{html.escape(notebook_description(NOTEBOOKS_DIR / REPORTS[o.name].notebook))}</small>"
        commit = f"<br><small>code {html.escape(o.commit)}</small>" if o.commit else ""
        return (
            f'<tr class="{o.status}"><td><a href="{html.escape(o.file)}">{title}</a>{extra}</td>'
            f"<td><code>{params}</code></td><td>{status}</td><td><span class='when'>{html.escape(o.rendered_at or '')}</span>{commit}</td></tr>"
        )

    main = [o for o in outcomes if o.name != "profile"]
    profiles = [o for o in outcomes if o.name == "profile"]
    table = lambda rows: (
        "<table><thead><tr><th>Report</th><th>Parameters</th><th>Status</th><th>Rendered (UTC), code</th>"
        "</tr></thead><tbody>" + "".join(map(row, rows)) + "</tbody></table>"
    )
    n_failed = sum(o.status == "failed" for o in outcomes)
    n_profiled = len({o.params.get("essay_id") for o in profiles} & set(titles))
    missing = (
        f'<p class="meta">Profiles of {n_profiled} of {len(titles)} essays. '
        f"<code>python -m analysis report</code> renders at most {MAX_PROFILES} (the first in corpus order; "
        "about a second each per core); the rest with <code>--max-profiles 0</code>, or one essay with "
        "<code>python -m analysis report profile -p essay_id ID</code>.</p>"
        if profiles and n_profiled < len(titles)
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Reports — 留守儿童 essays</title>
<style>
body{{font-family:ReportCJK,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#24292f}}
table{{border-collapse:collapse;width:100%;margin-bottom:2em}} th,td{{border-bottom:1px solid #d0d7de;padding:.4em .6em;text-align:left;vertical-align:top}}
tr.failed{{background:#fff1f0}} code{{font-size:.85em;word-break:break-all}} code.err{{color:#b42318}}
.meta{{color:#57606a;font-size:.9em}} .when{{white-space:nowrap}} .st-ok{{color:#1a7f37}} .st-bad{{color:#b42318;font-weight:bold}}
</style></head><body>
<h1>Reports</h1>
<p class="meta">Corpus sha256 <code>{html.escape(man.get("corpus_sha256", "unknown"))}</code>, built {html.escape(man.get("built_at", "unknown"))}
by analysis {html.escape(str(man.get("versions", {}).get("analysis", "unknown")))} (code {html.escape(man.get("code_commit", "unknown"))});
{len(man.get("files", []))} source file(s), {man.get("tables", {}).get("essays", "?")} essays.
Names of children (and, unless a report's parameters say otherwise, of adults, schools and places) are replaced by pseudonyms in every report. {f"<strong>{n_failed} report(s) failed.</strong>" if n_failed else ""}</p>
<h2>Corpus reports</h2>
<p class="meta">The overview answers what was built and how it was cleaned and tagged; sentiment, how positive or
negative the writing is and how far that can be trusted; themes, what the essays talk about. Each page links back here
and ends with its methods, how to cite it and its provenance.</p>
{table(main)}
<h2>Essay profiles</h2>
{missing}{table(profiles) if profiles else "<p>No essay profiles rendered.</p>"}
</body></html>
"""


if __name__ == "__main__":  # python -m analysis.report write-defaults
    raise SystemExit(main())
