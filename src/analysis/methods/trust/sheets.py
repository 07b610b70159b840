"""Coding sheets: the columns a coder sees, written as CSV and as .xlsx (drop-down
lists, a sheet for a second coder, the guide), and read back — which unit a sheet
codes and which of its rows a coder filled in."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.methods.trust.common import TAGS, TrustError, _codes
from analysis.methods.trust.guides import SCHOOL_LEVELS, guide_rows


_TRUE = {"1", "y", "yes", "x", "✓", "√", "是", "true", "对"}


def unit_of(columns: Sequence[str]) -> str:
    """Which unit a coding sheet codes, from its columns."""
    cols = set(columns)
    if "label" in cols:
        return "sentences"
    if "codes" in cols or cols & set(_codes()):
        return "paragraphs"
    if cols & set(TAGS):
        return "essays"
    raise TrustError(
        "a coding sheet needs a label column (sentences), codes or one column per code "
        f"(paragraphs: {', '.join(_codes())}) or genre/narrator/school_level columns (essays)"
    )


def read_sheet(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """A coding sheet as written by :func:`write_sheet` (CSV or one sheet of the .xlsx), coded or not."""
    path = Path(path)
    if not path.is_file():
        raise TrustError(f"{path}: coding sheet not found")
    if path.suffix.lower() == ".xlsx":
        try:
            df = pd.read_excel(path, sheet_name=sheet, dtype=str).fillna("")
        except ValueError as exc:
            raise TrustError(f"{path}: no sheet {sheet!r} ({exc})") from None
    elif path.suffix.lower() == ".csv":
        df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    else:
        raise TrustError(f"{path}: a coding sheet is a .csv or .xlsx file")
    if "item_id" not in df.columns:
        raise TrustError(f"{path}: no item_id column (the sheet must keep the ids `python -m analysis sample` wrote)")
    codes = _codes()
    if "codes" not in df.columns and "label" not in df.columns and set(codes) & set(df.columns):
        df["codes"] = [
            ";".join(c for c in codes if str(row.get(c, "")).strip().lower() in _TRUE) for row in df.to_dict("records")
        ]
    return df


def _coded(df: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The rows a coder filled in."""
    if unit == "sentences":
        return df[df["label"].astype(str).str.strip() != ""]
    if unit == "paragraphs":
        done = (
            df.get("coded", pd.Series([""] * len(df), index=df.index)).astype(str).str.strip().str.lower().isin(_TRUE)
        )
        return df[done | (df["codes"].astype(str).str.strip() != "")]
    present = [t for t in TAGS if t in df.columns]
    return df[(df[present].astype(str).apply(lambda c: c.str.strip()) != "").any(axis=1)]


def sheet_frame(sample: pd.DataFrame, unit: str, corpus_sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The columns a coder sees: ids, the essay, context and the empty code columns."""
    if unit == "sentences":
        ctx = {}
        if corpus_sentences is not None:
            s = (
                corpus_sentences.sort_values(["essay_id", "ordinal"])
                if "ordinal" in corpus_sentences
                else corpus_sentences
            )
            prev = s.groupby("essay_id")["text"].shift(1)
            nxt = s.groupby("essay_id")["text"].shift(-1)
            ctx = {
                sid: (a if isinstance(a, str) else "", b if isinstance(b, str) else "")
                for sid, a, b in zip(s["sentence_id"], prev, nxt)
            }
        return pd.DataFrame(
            {
                "item_id": sample["item_id"],
                "essay": sample["essay"],
                "before": [ctx.get(i, ("", ""))[0] for i in sample["item_id"]],
                "text": sample["text"],
                "after": [ctx.get(i, ("", ""))[1] for i in sample["item_id"]],
                "label": "",
                "emotion": "",
                "note": "",
            }
        )
    if unit == "paragraphs":
        out = pd.DataFrame(
            {"item_id": sample["item_id"], "essay": sample["essay"], "text": sample["text"], "coded": ""}
        )
        for c in _codes():
            out[c] = ""
        out["note"] = ""
        return out
    return pd.DataFrame(
        {
            "item_id": sample["item_id"],
            "essay": sample["essay"],
            "title": sample.get("title", ""),
            "text": sample["text"].astype(str).str.slice(0, 3000),
            "genre": "",
            "narrator": "",
            "school_level": "",
            "note": "",
        }
    )


def write_sheet(sheet: pd.DataFrame, unit: str, out: str | Path) -> list[Path]:
    """Write the coding sheet as CSV (UTF-8 with BOM) and as .xlsx with
    drop-down lists, a sheet for a second coder and the guide's summary."""
    from analysis import io as aio
    from analysis.methods import sentiment, tag

    out = Path(out)
    stem = out.with_suffix("")
    csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
    with aio.atomic_path(csv_path) as tmp:
        sheet.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    # the lists of this unit's columns only: a sentence sheet's emotion column is the DUTIR emotion, a paragraph
    # sheet's is the codebook's code of that name
    choices = (
        {"label": list(sentiment.LABELS), "emotion": [*sentiment.EMOTIONS, "无"]}
        if unit == "sentences"
        else {"coded": ["1"], **{c: ["1"] for c in _codes()}}
        if unit == "paragraphs"
        else {
            "genre": list(tag.GENRES),
            "narrator": list(tag.NARRATORS),
            "school_level": [x for x in SCHOOL_LEVELS if x],
        }
    )
    wb = Workbook()
    for title in ("coder 1", "coder 2"):
        ws = wb.active if title == "coder 1" else wb.create_sheet(title)
        ws.title = title
        ws.append(list(sheet.columns))
        for row in sheet.itertuples(index=False):
            ws.append(["" if (isinstance(v, float) and np.isnan(v)) else v for v in row])
        for k, col in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=k).column_letter
            ws.cell(row=1, column=k).font = Font(bold=True)
            if col in ("text", "before", "after"):
                ws.column_dimensions[letter].width = 60
                for r in range(2, len(sheet) + 2):
                    ws.cell(row=r, column=k).alignment = Alignment(wrap_text=True, vertical="top")
            if col in choices and len(sheet):
                dv = DataValidation(type="list", formula1='"' + ",".join(choices[col]) + '"', allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{len(sheet) + 1}")
        ws.freeze_panes = "A2"
    g = wb.create_sheet("guide")
    g.append(["column", "how to code"])
    for r in guide_rows(unit):
        g.append(list(r))
    g.column_dimensions["B"].width = 110
    with aio.atomic_path(xlsx_path) as tmp:
        wb.save(tmp)
    return [csv_path, xlsx_path]
