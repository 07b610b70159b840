"""Reports: every notebook runs on a fixture corpus through the same code path
as `make reports` (build → render_reports), and the HTML is shareable:
escaped, offline, no code, pseudonymised, with a provenance footer."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from analysis.reporting import params as params_mod
from analysis.reporting import report
from analysis.pipeline.build import build
from analysis.reporting.report import REPORTS, ParamError, render_reports

FIXTURE = Path(__file__).parent / "fixtures" / "mini_corpus"
CHILD_NAMES = ["李小红", "王小明"]  # named in the fixture as children (学生李小红, 留守儿童王小明)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    data, out = root / "data", root / "reports"
    build(FIXTURE, data, progress=False, jobs=1)
    outcomes = render_reports(data_dir=data, out_dir=out, echo=lambda s: None)
    return data, out, outcomes


def test_every_report_renders(rendered):
    data, out, outcomes = rendered
    assert {o.name for o in outcomes} == set(REPORTS)
    assert [o for o in outcomes if o.status != "ok"] == []
    names = sorted(p.name for p in out.glob("*.html"))
    assert {"index.html", "overview.html", "sentiment.html", "themes.html"} <= set(names)
    assert len([n for n in names if n.startswith("profile_")]) == 3  # one per fixture essay


def test_index_links_every_report(rendered):
    _, out, outcomes = rendered
    index = (out / "index.html").read_text(encoding="utf-8")
    for o in outcomes:
        assert f'href="{o.file}"' in index
    visible = re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", index, flags=re.S))
    assert "failed" not in visible.lower() and "rendered" in visible
    # what each corpus report shows, in its notebook's words, and the code each report was rendered by
    assert "How positive or negative is the writing" in visible and "What do the essays talk about?" in visible
    commit = report.git_commit()
    assert visible.count(f"code {commit}") == len(outcomes) + 1  # each report, and the build in the header
    data, _, _ = rendered
    from analysis import io as aio

    assert aio.read_json(data / "manifest.json")["code_commit"] == commit


def test_notebook_description(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell(
                "# 标题\n\nWhat the `report` shows. It says more.\nOn two lines.\n\nNot this."
            ),
        ]
    )
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert report.notebook_description(tmp_path / "n.ipynb") == "What the report shows. It says more. On two lines."
    assert report.notebook_description(tmp_path / "n.ipynb", max_chars=30) == "What the report shows."


def test_profiles_are_capped_and_the_index_says_so(rendered, tmp_path):
    """Above max_profiles essays, only the first essays in corpus order get a
    profile (one kernel each); the index says how many and how to get the rest.
    No kernel is started here."""
    from analysis import io as aio

    data, out, outcomes = rendered
    ids = aio.read_table(data, "essays")["essay_id"].tolist()
    assert len(ids) == 3
    every, _, left = report.plan(["profile"], data, {}, {}, max_profiles=0)
    assert [p["essay_id"] for _, p in every] == ids and left == 0
    capped, _, left = report.plan(["profile", "overview"], data, {}, {}, max_profiles=2)
    assert [p.get("essay_id") for _, p in capped] == ids[:2] + [None] and left == 1
    one, _, left = report.plan(["profile"], data, {"essay_id": ids[2]}, {}, max_profiles=1)
    assert [p["essay_id"] for _, p in one] == [ids[2]] and left == 0  # an essay asked for is always rendered
    with pytest.raises(ParamError, match="max-profiles -1"):
        report.plan(["profile"], data, {}, {}, max_profiles=-1)

    shown = [o for o in outcomes if o.name != "profile" or o.params.get("essay_id") in ids[:2]]
    visible = re.sub(r"<[^>]+>", "", report.index_html(shown, data, out))
    assert "Profiles of 2 of 3 essays" in visible and "--max-profiles 0" in visible
    assert "Profiles of" not in re.sub(r"<[^>]+>", "", report.index_html(outcomes, data, out))


def _html_files(out: Path):
    return sorted(out.glob("*.html"))


def test_no_code_no_traceback(rendered):
    _, out, _ = rendered
    for f in _html_files(out):
        page = f.read_text(encoding="utf-8")
        assert 'class="jp-CodeMirrorEditor' not in page and "hl-ipython" not in page, f.name
        assert "Traceback" not in page and "jp-OutputArea-error" not in page, f.name
        assert "from analysis" not in page, f.name


def test_nothing_loaded_from_the_internet(rendered):
    _, out, _ = rendered
    loader = re.compile(
        r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|import[^;]*["']https?://""", re.I
    )
    for f in _html_files(out):
        assert not loader.search(f.read_text(encoding="utf-8")), f.name


def test_corpus_text_is_escaped(rendered):
    _, out, _ = rendered
    pages = {f.name: f.read_text(encoding="utf-8") for f in _html_files(out)}
    assert '<script>alert("x")' not in "".join(pages.values())
    assert any("&lt;script&gt;alert" in p for p in pages.values())


def test_children_names_never_in_reports(rendered):
    data, out, _ = rendered
    for f in out.rglob("*"):
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="ignore")
            for name in CHILD_NAMES:
                assert name not in text, f"{name} in {f.name}"
    # the map exists, privately, next to the data
    from analysis import io as aio

    pseudo = aio.read_table(data, "pseudonyms")
    assert set(CHILD_NAMES) <= set(pseudo["original"])


def test_footer_has_provenance(rendered):
    data, out, _ = rendered
    from analysis import io as aio

    sha = aio.read_json(data / "manifest.json")["corpus_sha256"]
    page = (out / "overview.html").read_text(encoding="utf-8")
    assert "Provenance" in page and sha in page and "Git commit" in page and "Parameters" in page


def test_every_report_numbers_its_tables_and_figures_from_one(rendered):
    """Reports rendered one after another in a reused kernel each start at
    Table 1 and Figure 1, numbered in order without gaps."""
    _, out, _ = rendered
    for f in _html_files(out):
        if f.name == "index.html":
            continue
        page = f.read_text(encoding="utf-8")
        for kind in ("Table", "Figure"):
            numbers = [int(n) for n in re.findall(rf">{kind} (\d+)[ ·.:]", page)]
            shown = list(dict.fromkeys(numbers))  # a figure's number is in its caption and its alt text
            assert shown == list(range(1, len(shown) + 1)), f"{f.name}: {kind.lower()}s numbered {shown}"


def test_second_run_skips_up_to_date(rendered):
    data, out, _ = rendered
    again = render_reports(["overview"], data_dir=data, out_dir=out, echo=lambda s: None)
    assert [o.status for o in again] == ["up-to-date"]


def test_a_rerun_with_nothing_changed_starts_no_renderer_and_keeps_the_checked_index(rendered, monkeypatch):
    """Up-to-date reports are settled before any worker, kernel or renderer
    starts, and an index identical to the one already checked against the same
    corpus is not checked and written again; a changed index is."""
    data, out, _ = rendered
    # Render until a run finds every report up to date: its index then lists every report "up to date",
    # whatever earlier tests on this worker rendered. A report rendered (or failed, on a loaded machine) by
    # a run is "rendered" in that run's index, which the next run must rewrite and check again.
    for _ in range(4):
        settled = render_reports(data_dir=data, out_dir=out, echo=lambda s: None, jobs=2)
        if {o.status for o in settled} == {"up-to-date"}:
            break
    else:
        pytest.fail(f"the reports never settled: {[(o.file, o.status, o.error) for o in settled]}")

    def forbidden(*a, **k):
        raise AssertionError("started for a report that is up to date")

    checked: list[str] = []
    monkeypatch.setattr(report, "_warm_renderer", forbidden)
    monkeypatch.setattr(report, "_render_job", forbidden)
    monkeypatch.setattr(report, "execute_notebook", forbidden)
    monkeypatch.setattr(report, "privacy_check", lambda page, params, data_dir, name: checked.append(name))
    index = out / "index.html"
    before = index.stat().st_mtime_ns
    again = render_reports(data_dir=data, out_dir=out, echo=lambda s: None, jobs=2)
    assert again and {o.status for o in again} == {"up-to-date"}
    assert checked == [] and index.stat().st_mtime_ns == before
    # the same reports, but the state says the index was checked against another corpus: checked again
    state_file = out / report.STATE_DIR / "reports.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["_index_checked"] = "another corpus"
    state_file.write_text(json.dumps(state), encoding="utf-8")
    render_reports(data_dir=data, out_dir=out, echo=lambda s: None, jobs=2)
    assert checked == ["index.html"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (dict(names=["overview"], params={"no_such_param": "1"}), "valid parameters"),
        (dict(names=["profile"], params={"essay_id": "nope-01"}), "valid values: essays-01"),
        (dict(names=["sentiment"], params={"method": "bogus"}), "valid values"),
        (dict(names=["nope"]), "valid reports: overview"),
    ],
)
def test_bad_parameter_is_one_line_error_before_any_kernel(rendered, monkeypatch, args, needle):
    data, out, _ = rendered

    def no_kernel(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(report, "execute_notebook", no_kernel)
    with pytest.raises(ParamError) as err:
        render_reports(data_dir=data, out_dir=out, echo=lambda s: None, **args)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_failing_parameter_keeps_old_report_and_index_says_why(rendered, tmp_path):
    data, out, _ = rendered
    out2 = tmp_path / "reports"
    shutil.copytree(out, out2)
    before = (out2 / "sentiment.html").read_bytes()
    with pytest.raises(ParamError):
        render_reports(["sentiment"], data_dir=data, out_dir=out2, params={"method": "bogus"}, echo=lambda s: None)
    assert (out2 / "sentiment.html").read_bytes() == before
    index = (out2 / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "bogus" in index


def test_failing_notebook_keeps_old_html(rendered, tmp_path, monkeypatch):
    """A notebook that raises while running: old HTML stays, index shows the error."""
    data, out, _ = rendered
    out2 = tmp_path / "reports"
    shutil.copytree(out, out2)
    before = (out2 / "overview.html").read_bytes()
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    nb = (report.NOTEBOOKS_DIR / "01_overview.ipynb").read_text(encoding="utf-8")
    # make the first call cell fail at run time: an essay table from a missing folder
    (nb_dir / "01_overview.ipynb").write_text(
        nb.replace("Corpus(data_dir", "Corpus(data_dir + '/missing'"), encoding="utf-8"
    )
    for mod in (report, params_mod):  # the notebook run, and its parameter cell read
        monkeypatch.setattr(mod, "NOTEBOOKS_DIR", nb_dir)
    outcomes = render_reports(["overview"], data_dir=data, out_dir=out2, force=True, echo=lambda s: None, jobs=1)
    assert outcomes[0].status == "failed" and "FileNotFoundError" in outcomes[0].error
    assert (out2 / "overview.html").read_bytes() == before
    index = (out2 / "index.html").read_text(encoding="utf-8")
    assert "FileNotFoundError" in index and "previous version" in index
