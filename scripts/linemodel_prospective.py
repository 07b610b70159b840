"""Score one page set with the rules of the tree on PYTHONPATH, alone or with a line model on top
(the prospective rounds of docs/cleaning.md, 'A learned line model beside the rules').

    PYTHONPATH=TREE/src python scripts/linemodel_prospective.py FOLDER MODEL.json|none [THRESHOLD]

TREE may be an older commit (git worktree add) with src/analysis/ingest/linemodel.py copied in: the
model is put on top of that commit's classify_lines by wrapping it, as the hook in today's code does
(after the rules, only on calls that pass the kept headings). Prints the figures as JSON.
"""

import sys
import json
import tempfile
import inspect
from analysis.ingest import pagechrome, linemodel
from analysis.pipeline import challenge

folder, mpath = sys.argv[1], sys.argv[2]
thr = float(sys.argv[3]) if len(sys.argv) > 3 else None
model = linemodel.load_model(mpath) if mpath != "none" else None
orig = pagechrome.classify_lines
has_kw = "line_model" in inspect.signature(orig).parameters
added = []


def wrapped(lines, **kw):
    wanted = kw.get("line_model", True)  # (today's intake asks for the rules alone where headings are sought)
    if has_kw:
        kw["line_model"] = False
    out = orig(lines, **kw)
    if model is not None and "keep" in kw and wanted:
        kinds = {no: v.kind for no, v in out.items()}
        for no, p in sorted(
            linemodel.add_chrome(
                lines,
                kinds,
                kw["keep"],
                folder=kw.get("folder"),
                n_files=kw.get("n_files", 1),
                model=model,
                threshold=thr,
            ).items()
        ):
            out[no] = pagechrome.Verdict(no, "model", f"line model p={int(p * 1000) / 1000:.3f}")
    return out


pagechrome.classify_lines = wrapped
with tempfile.TemporaryDirectory() as tmp:
    sc, tables = challenge.evaluate_folder(folder, work_dir=tmp)
log = tables["cleaning_log"]
n_model = int(log["context"].astype(str).str.startswith("model:").sum())
f = sc.figures()
print(
    json.dumps(
        {
            "whole": f"{sc.essays_whole}/{sc.essays}",
            "chrome": f"{sc.chrome_removed}/{sc.chrome_lines}",
            "recall": round(100 * sc.chrome_removed / sc.chrome_lines, 1),
            "essay_removed": f"{sc.essay_lines_removed}/{sc.essay_lines}",
            "headings_in": sc.headings_in_text,
            "model_log_rows": n_model,
            "problems": [p for p in sc.problems if "removed" in p[2] or "heading" in p[2]],
        },
        ensure_ascii=False,
    )
)
