"""analysis.ingest.linemodel: the stored line model loads and reads invented furniture as chrome and
invented essay sentences as text; the hook in classify_lines only ever adds chrome (never to a line the
rules call chrome, never to a kept heading), can be switched off, is off without the JSON, and its
removals reach the cleaning log; the training script's fit is reproducible (a tiny fit)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from analysis.config import RESOURCES_DIR
from analysis.ingest import linemodel, pagechrome
from analysis.ingest.clean import clean_essay
from analysis.ingest.intake import plan_essays
from analysis.ingest.split import compile_patterns
from analysis.io import read_raw

ROOT = Path(__file__).resolve().parents[1]

# an invented page: a site's head, one essay, and furniture under it (none of it copied from a site)
PAGE = [
    "青禾作文网 - 小学生优秀作文",  # 1
    "",
    "我家的小菜园",  # 3 heading
    "",
    "奶奶在屋后开了一块小菜园，春天种下的豆角已经爬满了竹架。",  # 5
    "每天放学回家，我都会提着小水桶去给菜苗浇水，看着它们一天天长高。",  # 6
    "爸爸妈妈在外地打工，可是每次视频的时候，我都会把菜园拍给他们看。",  # 7
    "妈妈说，等到秋天豆角熟了，她就回来尝一尝我种的菜。",  # 8
    "",
    "分享到：微信 朋友圈 微博 QQ空间",  # 10
    "本文已被浏览 2381 次",  # 11
    "点赞(12)　收藏　举报",  # 12
    "Copyright © 2019-2024 青禾作文网 版权所有 某ICP备00000000号",  # 13
]
CHROME_NOS = (10, 11, 12, 13)
ESSAY_NOS = (5, 6, 7, 8)


def _verdicts(lines, **kw):
    return pagechrome.classify_lines(lines, keep={3}, **kw)


def _model(intercept: float, weights: dict | None = None, threshold: float = 0.5) -> linemodel.LineModel:
    return linemodel.LineModel({"weights": weights or {}, "intercept": intercept, "threshold": threshold})


# ---------------------------------------------------------------- the stored model


def test_stored_model_loads_with_its_metadata():
    path = RESOURCES_DIR / linemodel.MODEL_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    model = linemodel.load_model()
    assert model is not None and model.threshold == data["threshold"] >= 0.99
    assert data["features_version"] == linemodel.FEATURES_VERSION
    assert data["n_training_sets"] == len(data["training_sets"]) >= 31
    # a blind held-out set (no MEASURED.md) is never trained on
    pages = ROOT / "tests" / "fixtures" / "pages"
    for s in data["training_sets"]:
        assert s.startswith("dev") or (pages / s / "MEASURED.md").is_file(), s
    assert {"fitted", "code_version", "c", "min_files", "n_lines", "n_chrome"} <= set(data)


def test_invented_chrome_scores_high_and_essay_sentences_low():
    rules = {no: v.kind for no, v in _verdicts(PAGE, line_model=False).items()}
    probs = linemodel.score_page(PAGE, rules, keep={3})
    for no in CHROME_NOS:
        assert probs[no] > 0.9, (PAGE[no - 1], probs[no])
    for no in ESSAY_NOS:
        assert probs[no] < 0.2, (PAGE[no - 1], probs[no])


# ---------------------------------------------------------------- the hook


def test_hook_only_turns_rule_text_into_chrome(monkeypatch):
    rules_only = _verdicts(PAGE, line_model=False)
    monkeypatch.setattr(linemodel, "load_model", lambda path=None: _model(50.0))  # everything is chrome
    with_model = _verdicts(PAGE)
    # every verdict of the rules stands as it was
    assert {no: with_model[no] for no in rules_only} == rules_only
    added = set(with_model) - set(rules_only)
    nonblank = {no for no, line in enumerate(PAGE, start=1) if line.strip()}
    assert added == nonblank - set(rules_only) - {3}  # never the kept heading
    for no in added:
        assert with_model[no].kind == "model"
        assert with_model[no].evidence.startswith("line model p=")


def test_hook_never_removes_a_rule_verdict(monkeypatch):
    rules_only = _verdicts(PAGE, line_model=False)
    monkeypatch.setattr(linemodel, "load_model", lambda path=None: _model(-50.0))  # nothing is chrome
    assert _verdicts(PAGE) == rules_only


def test_hook_switches_off(monkeypatch):
    rules_only = _verdicts(PAGE, line_model=False)
    monkeypatch.setattr(linemodel, "load_model", lambda path=None: _model(50.0))
    assert _verdicts(PAGE, line_model=False) == rules_only


def test_hook_is_off_without_the_json(monkeypatch, tmp_path):
    rules_only = _verdicts(PAGE, line_model=False)
    monkeypatch.setattr(linemodel, "model_path", lambda: tmp_path / "absent.json")
    assert linemodel.load_model() is None
    assert _verdicts(PAGE) == rules_only


def test_a_stored_model_of_other_features_is_not_used(tmp_path):
    p = tmp_path / "m.json"
    p.write_text(json.dumps({"features_version": -1, "weights": {}, "intercept": 9, "threshold": 0.5}))
    assert linemodel.load_model(p) is None


def test_model_removals_reach_the_cleaning_log(monkeypatch, tmp_path):
    # a model that knows one invented n-gram: 尝一 (line 8, inside the essay) is chrome
    monkeypatch.setattr(linemodel, "load_model", lambda path=None: _model(-20.0, {"g:尝一": 400.0}, threshold=0.99))
    path = tmp_path / "page.txt"
    path.write_text("\n".join(PAGE) + "\n", encoding="utf-8")
    essays, log, _, _ = plan_essays(read_raw(path), compile_patterns([]))
    trimmed = [r for r in log if r["line"] == 8]  # chrome at an essay's end is trimmed from it and logged
    if trimmed:
        assert trimmed[0]["rule"] == "remove_chrome" and trimmed[0]["context"].startswith("model: line model p=")
        return
    # else it is carried with the essay, removed and logged by the cleaning like any rule's chrome
    essay = next(e for e in essays if e.line_start <= 8 <= e.line_end)
    inside = {no: (kind, ev) for no, kind, ev in essay.chrome}
    assert inside[8][0] == "model"
    cleaned = clean_essay(essay.raw_text.split("\n"), line_start=essay.line_start, chrome=inside)
    logged = [r for r in cleaned.log if r["line"] == 8 and r["rule"] == "remove_chrome"]
    assert logged and logged[0]["context"].startswith("model: line model p=")


def test_fingerprint_covers_the_model():
    from analysis.pipeline.cache import layer_of
    from analysis.pipeline.stages import CORPUS_ONLY_RESOURCES

    assert linemodel.MODEL_FILE not in CORPUS_ONLY_RESOURCES
    assert layer_of(RESOURCES_DIR / linemodel.MODEL_FILE) == "base"  # every stage re-runs when it changes


# ---------------------------------------------------------------- training


def _train_module():
    spec = importlib.util.spec_from_file_location("train_linemodel", ROOT / "scripts" / "train_linemodel.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["train_linemodel"] = mod
    spec.loader.exec_module(mod)
    return mod


TINY_PAGE = """\
C:site_title|{site}作文网 - 优秀作文
|
H|{title}
E|{a}
E|{b}
|
C:share|分享到：微信 微博 QQ空间
C:publication|阅读 {n} 次
C:copyright|Copyright © 2024 {site}作文网 版权所有
"""


def _tiny_set(folder: Path) -> None:
    folder.mkdir(parents=True)
    texts = [
        ("青禾", "我的奶奶", "奶奶每天早上都去菜园里浇水。", "她说菜苗和孩子一样，要天天照顾。", 12),
        ("白云", "村口的大树", "村口有一棵很老的大树。", "夏天我们常在树下写作业、讲故事。", 345),
        ("青禾", "爸爸的电话", "每个星期天晚上，爸爸都会打电话回来。", "他总问我功课做完了没有。", 67),
    ]
    for k, (site, title, a, b, n) in enumerate(texts, start=1):
        (folder / f"{k:02d}.page").write_text(TINY_PAGE.format(site=site, title=title, a=a, b=b, n=n), "utf-8")


def test_training_is_reproducible_on_a_tiny_fit(tmp_path):
    pytest.importorskip("sklearn")
    train = _train_module()
    _tiny_set(tmp_path / "dev")
    _tiny_set(tmp_path / "dev2")
    kw = dict(pages_dir=tmp_path, log=lambda *_: None, min_files=1)
    assert train.default_sets(tmp_path) == ["dev", "dev2"]
    a = train.build_model(["dev", "dev2"], **kw)
    b = train.build_model(["dev", "dev2"], **kw)
    # 3 pages × 2 sets × 6 lines, 4 of them chrome (the headings found are no examples), each page twice (rules' verdicts as
    # they are, and with some hidden)
    assert a["n_lines"] == 72 and a["n_chrome"] == 48
    assert train.same_model(a, b) == []
    changed = dict(a, weights=dict(a["weights"]))
    first = sorted(changed["weights"])[0]
    changed["weights"][first] += 0.01
    assert train.same_model(a, changed) != []
    # written and read back, it scores as the fitted numbers say
    out = tmp_path / "m.json"
    train.write_model(a, out)
    assert train.same_model(a, json.loads(out.read_text(encoding="utf-8"))) == []
    assert linemodel.load_model(out) is not None


def test_training_never_takes_a_blind_set(tmp_path):
    train = _train_module()
    _tiny_set(tmp_path / "dev")
    _tiny_set(tmp_path / "heldout99")
    assert train.default_sets(tmp_path) == ["dev"]
    (tmp_path / "heldout99" / "MEASURED.md").write_text("scored once\n", encoding="utf-8")
    assert train.default_sets(tmp_path) == ["dev", "heldout99"]
