"""Tags of an essays table (:func:`tag_essays`, places from the entities) and the tag table the reports show."""

from __future__ import annotations

from pathlib import Path
import pandas as pd
from analysis.frames import require

from analysis.methods.tag.cues import TAG_COLUMNS, load_tagging_cues
from analysis.methods.tag.decide import quote, tag_text


def tag_essays(
    essays: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    cues_path: str | Path | None = None,
    entity_cues_path: str | Path | None = None,
    entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Essays table with the tag columns (``TAG_COLUMNS``) added.

    In: essays (essay_id, text), sentences (essay_id, sentence_id, text) —
    sentences feed the place names; pass ``entities`` (from
    :func:`analysis.methods.entities.extract_entities`) to reuse them. Out: a copy of
    ``essays`` with genre, person, narrator, narrator_gender, school_level
    (str), setting, places (lists of str), each with ``*_evidence`` (str).
    Existing tag columns are replaced.
    """
    require(essays, {"essay_id", "text"}, "essays")
    require(sentences, {"essay_id", "sentence_id", "text"}, "sentences")
    cues = load_tagging_cues(cues_path)
    if entities is None:
        from analysis.methods.entities import extract_entities

        entities = extract_entities(sentences, cues_path=entity_cues_path)
    places: dict[str, list[str]] = {}
    place_ev: dict[str, str] = {}
    if len(entities):
        require(entities, {"essay_id", "sentence_id", "text", "type"}, "entities")
        found = _places_fast(sentences, entities)
        if found is None:
            found = _places_grouped(sentences, entities)
        places, place_ev = found
    rows = [tag_text(t, cues=cues) for t in essays["text"]]
    essay_ids = essays["essay_id"].tolist()
    present = [c for c in TAG_COLUMNS if c in essays.columns]
    out = essays.drop(columns=present) if present else essays  # concat below copies either way
    if essays.index.is_unique and out.columns.is_unique:
        # the same frame as the general path below, built column by column
        cols = {c: [r[c] for r in rows] for c in TAG_COLUMNS if c not in ("places", "places_evidence")}
        cols["places"] = [places.get(e, []) for e in essay_ids]
        cols["places_evidence"] = [place_ev.get(e, "") for e in essay_ids]
        tags = pd.DataFrame({c: cols[c] for c in TAG_COLUMNS}, index=essays.index)
        if len(rows):
            return pd.concat([out, tags], axis=1)
    tags = pd.DataFrame(rows, index=essays.index)
    tags["places"] = [places.get(e, []) for e in essay_ids]
    tags["places_evidence"] = [place_ev.get(e, "") for e in essay_ids]
    return pd.concat([out, tags[TAG_COLUMNS]], axis=1)


def _places_grouped(sentences: pd.DataFrame, entities: pd.DataFrame) -> tuple[dict, dict]:
    """Place names per essay (first-seen order) and their evidence quotes."""
    places: dict = {}
    place_ev: dict = {}
    texts = sentences.set_index("sentence_id")["text"]
    for essay_id, group in entities[entities["type"] == "place"].groupby("essay_id", sort=False):
        names = list(dict.fromkeys(group["text"]))
        places[essay_id] = names
        first = group.drop_duplicates("text")
        place_ev[essay_id] = "；".join(
            quote(str(texts.get(sid, "")), int(s), int(e), before=4, after=4)
            for sid, s, e in zip(first["sentence_id"], first["start"], first["end"])
        )
    return places, place_ev


def _places_fast(sentences: pd.DataFrame, entities: pd.DataFrame) -> tuple[dict, dict] | None:
    """:func:`_places_grouped` with plain lists; None where the two might
    differ (keys or ids that are not all strings, duplicate sentence ids)."""
    sids = sentences["sentence_id"].tolist()
    if not all(isinstance(x, str) for x in sids) or len(set(sids)) != len(sids):
        return None
    is_place = (entities["type"] == "place").tolist()
    if not any(is_place):
        return {}, {}
    rows = [
        r
        for r, keep in zip(
            zip(
                entities["essay_id"].tolist(),
                entities["text"].tolist(),
                entities["sentence_id"].tolist(),
                entities["start"].tolist(),
                entities["end"].tolist(),
            ),
            is_place,
        )
        if keep
    ]
    if not all(isinstance(r[0], str) and isinstance(r[1], str) for r in rows):
        return None
    text_of = dict(zip(sids, sentences["text"].tolist()))
    firsts: dict[str, dict[str, tuple]] = {}
    for r in rows:
        firsts.setdefault(r[0], {}).setdefault(r[1], r)
    places = {eid: list(f) for eid, f in firsts.items()}
    place_ev = {
        eid: "；".join(
            quote(str(text_of.get(sid, "")), int(s), int(e), before=4, after=4) for _, _, sid, s, e in f.values()
        )
        for eid, f in firsts.items()
    }
    return places, place_ev


def tag_table(essays: pd.DataFrame, *, with_evidence: bool = True, mapping=None) -> pd.DataFrame:
    """One row per essay: the tags (lists joined by '、') and their evidence.

    Evidence quotes the essays, so it can hold names: pass the pseudonym
    ``mapping`` (see :mod:`analysis.methods.privacy`) unless the essays table is
    already pseudonymised (``Corpus`` tables are).
    """
    require(essays, {"essay_id", "genre", "narrative_person", "narrator"}, "essays")
    cols = ["essay_id"] + [
        c for c in TAG_COLUMNS if c in essays.columns and (with_evidence or not c.endswith("_evidence"))
    ]
    out = essays[cols].copy()
    for c in ("setting", "places"):
        if c in out:
            out[c] = out[c].map(
                lambda v: "、".join(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else (v or "")
            )
    if mapping is not None:
        from analysis.methods.privacy import pseudonymise_frame

        out = pseudonymise_frame(out, [c for c in out.columns if c.endswith("_evidence") or c == "places"], mapping)
    return out.reset_index(drop=True)
