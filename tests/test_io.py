"""analysis.io: decoding raw dumps, refusing unusable files, atomic table writes."""

from __future__ import annotations

import codecs
import random

import pandas as pd
import pytest

from analysis import io as aio

TEXT = "小学教师关爱留守儿童工作总结篇一\n我是四（1）班班主任，班级学生有23人。\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),  # GBK is a subset of GB18030
        (TEXT.encode("utf-16"), "utf-16"),  # with its BOM
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    ],
)
def test_decode_bytes(data, encoding):
    text, enc = aio.decode_bytes(data)
    assert (text, enc) == (TEXT, encoding)
    assert not text.startswith("\ufeff")


def test_decode_bytes_rejects_invalid_bytes():
    with pytest.raises(UnicodeError):
        aio.decode_bytes(b"\xff\x81\xff" * 20)


@pytest.mark.parametrize(
    "newline, label",
    [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")],
)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_read_raw_normalises_line_ends(tmp_path, newline, label, encoding):
    p = tmp_path / "a.txt"
    p.write_bytes(TEXT.replace("\n", newline).encode(encoding))
    raw = aio.read_raw(p, root=tmp_path)
    assert raw.text == TEXT
    assert raw.line_ending == label
    assert raw.encoding == encoding
    assert raw.relpath == "a.txt"
    assert raw.raw_bytes == p.read_bytes()


def test_read_raw_bom_crlf(tmp_path):
    p = tmp_path / "sub" / "b.txt"
    p.parent.mkdir()
    p.write_bytes(codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode("utf-8"))
    raw = aio.read_raw(p, root=tmp_path)
    assert (raw.text, raw.encoding, raw.line_ending, raw.relpath) == (TEXT, "utf-8-sig", "CRLF", "sub/b.txt")


_RANDOM = random.Random(20261129).randbytes(4096)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (_RANDOM, "not a text file"),  # random binary: has NUL bytes
        (b"\xff\x81\xff\xfe" * 50, "undecodable"),  # invalid in UTF-8 and GB18030
        (bytes(range(1, 9)) * 40 + "留守儿童".encode(), "undecodable"),  # decodes, but control characters
        ("  \n\u3000\u3000\n\t\r\n\n".encode("utf-8"), "no text"),
        ("。。。，，\n——\n".encode(), "no text"),
        (codecs.BOM_UTF8, "no text"),
    ],
    ids=["empty", "binary", "invalid-bytes", "control-chars", "whitespace", "punctuation", "bom-only"],
)
def test_read_raw_refuses_unusable_files(tmp_path, data, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(aio.RawFileError) as info:
        aio.read_raw(p)
    assert reason in info.value.reason
    assert info.value.path == p
    assert str(p) in str(info.value)


def test_list_raw_files(tmp_path):
    for name in ["b.txt", "a.TXT", "sub/c.text", "notes.docx", "README.md", ".hidden.txt", ".git/x.txt", "data.csv"]:
        f = tmp_path / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("留守儿童", encoding="utf-8")
    texts, others = aio.list_raw_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in texts] == ["a.TXT", "b.txt", "sub/c.text"]
    assert [p.relative_to(tmp_path).as_posix() for p in others] == ["data.csv", "notes.docx"]


def test_list_raw_files_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="raw folder not found"):
        aio.list_raw_files(tmp_path / "nope")


# ---------------------------------------------------------------- tables


@pytest.fixture
def sentences_df():
    return pd.DataFrame(
        {
            "sentence_id": ["a-01-s0001", "a-01-s0002", "a-01-s0003"],
            "text": ["我是班主任。", "孩子们很开心！", ""],
            "tokens": [["我", "是", "班主任", "。"], ["孩子们", "很", "开心", "！"], []],
            "labels": [["亲情", "教育"], [], ["关爱"]],
        }
    )


def test_parquet_round_trips_list_columns(tmp_path, sentences_df):
    aio.write_table(sentences_df, tmp_path, "sentences")
    back = aio.read_table(tmp_path, "sentences")
    assert back["tokens"].tolist() == sentences_df["tokens"].tolist()
    assert all(isinstance(v, list) for v in back["tokens"])
    assert back["labels"].tolist() == sentences_df["labels"].tolist()
    pd.testing.assert_frame_equal(back, sentences_df)


def test_csv_is_utf8_with_bom_and_joins_lists(tmp_path, sentences_df):
    aio.write_table(sentences_df, tmp_path, "sentences")
    raw = (tmp_path / "sentences.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert not raw.startswith(codecs.BOM_UTF8 * 2)
    back = pd.read_csv(tmp_path / "sentences.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back["text"].tolist() == sentences_df["text"].tolist()
    assert back["tokens"].tolist() == ["我 是 班主任 。", "孩子们 很 开心 ！", ""]
    assert back["labels"].tolist() == ["亲情;教育", "", "关爱"]


def test_read_table_missing_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="'essays'.*analysis build"):
        aio.read_table(tmp_path, "essays")


def _bytes_of(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_write_tables_failure_leaves_old_tables_intact(tmp_path, monkeypatch):
    old = {
        "essays": pd.DataFrame({"essay_id": ["a-01"], "text": ["旧的文本。"]}),
        "paragraphs": pd.DataFrame({"paragraph_id": ["a-01-p001"], "text": ["旧的文本。"]}),
        "sentences": pd.DataFrame({"sentence_id": ["a-01-s0001"], "tokens": [["旧", "的", "文本"]]}),
    }
    aio.write_tables(old, tmp_path)
    before = _bytes_of(tmp_path)
    assert set(before) == {f"{n}.{ext}" for n in old for ext in ("parquet", "csv")}

    real = aio._csv_table

    def failing(table):
        if "tokens" in table.column_names:  # the sentences table fails; the others are written
            raise OSError("disk full")
        return real(table)

    monkeypatch.setattr(aio, "_csv_table", failing)
    new = {k: v.replace("旧的文本。", "新的文本。") for k, v in old.items()}
    with pytest.raises(OSError, match="disk full"):
        aio.write_tables(new, tmp_path)
    assert _bytes_of(tmp_path) == before
    assert [p.name for p in (tmp_path / aio.GENERATIONS_DIR).iterdir()] == [aio.tables_dir(tmp_path).name]


def test_atomic_path_keeps_target_on_error(tmp_path):
    target = tmp_path / "manifest.json"
    aio.write_text(target, "旧\n")
    with pytest.raises(RuntimeError):
        with aio.atomic_path(target) as tmp:
            tmp.write_text("新一半", encoding="utf-8")
            raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8") == "旧\n"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def _chinese_tables(n: int) -> dict[str, pd.DataFrame]:
    rng = random.Random(7)
    words = ["留守", "儿童", "父母", "外出", "打工", "奶奶", "学习", "老师", "关心", "快乐"]
    sents = ["".join(rng.choices(words, k=6)) + "。" for _ in range(n)]
    return {
        "sentences": pd.DataFrame(
            {
                "sentence_id": [f"a-01-s{i:04d}" for i in range(n)],
                "text": sents,
                "tokens": [[s[j : j + 2] for j in range(0, len(s) - 1, 2)] for s in sents],
                "score": [rng.random() for _ in range(n)],
                "flag": [i % 3 == 0 for i in range(n)],
            }
        ),
        "essays": pd.DataFrame({"essay_id": ["a-01"], "text": ["".join(sents)]}),
        "entities": pd.DataFrame({"text": ["王小明"] * 5, "start": list(range(5))}),
    }


def test_csv_cells_are_what_pandas_writes(tmp_path):
    """The Arrow CSV writer quotes string cells, but every cell reads back as
    the text pandas' own writer gives: floats as repr (8.0, 1e-05), NaN and None
    empty, booleans True/False, lists joined."""
    import csv
    import io

    tables = _chinese_tables(300)
    s = tables["sentences"]
    s["score"] = [
        0.0,
        8.0,
        -0.0,
        1e-05,
        1.5e-07,
        901202100000.0,
        1e16,
        0.30000000000000004,
        float("nan"),
        float("inf"),
    ] + s["score"].tolist()[10:]
    s["maybe"] = [None if i % 4 == 0 else f"第{i}句" for i in range(len(s))]
    s["labels"] = [["亲情", "教育"] if i % 2 else [] for i in range(len(s))]
    aio.write_tables(tables, tmp_path)
    for name, df in tables.items():
        want = aio_csv_rows(df)
        got = list(csv.reader(io.StringIO((tmp_path / f"{name}.csv").read_text(encoding="utf-8-sig"))))
        assert got == want, name
    assert (tmp_path / "sentences.csv").read_text(encoding="utf-8-sig").startswith('"sentence_id","text"')


def aio_csv_rows(df):
    """The rows pandas' CSV writer gives for ``df`` with lists joined as the toolkit joins them."""
    import csv
    import io

    out = df.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, list)).any():
            sep = aio.LIST_SEP if col.endswith("tokens") else ";"
            out[col] = out[col].map(lambda v: sep.join(map(str, v)))
    return list(csv.reader(io.StringIO(out.to_csv(index=False))))


def test_tables_written_in_parallel_equal_one_at_a_time(tmp_path, monkeypatch):
    tables = _chinese_tables(400)
    aio.write_tables(tables, tmp_path / "parallel")
    monkeypatch.setattr(aio.os, "cpu_count", lambda: 1)
    aio.write_tables(tables, tmp_path / "serial")
    assert _bytes_of(tmp_path / "serial") == _bytes_of(tmp_path / "parallel")
    assert len(_bytes_of(tmp_path / "parallel")) == 6


def test_replaced_tables_discarded_later(tmp_path):
    first, second = _chinese_tables(50), _chinese_tables(80)
    aio.write_tables(first, tmp_path / "want")  # what the second write must leave
    aio.write_tables(second, tmp_path / "want2")
    out = tmp_path / "out"
    aio.write_tables(first, out)
    reader = open(out / "sentences.csv", "rb")  # a reader of the old table keeps reading it
    with aio.TableWriter(out, discard_later=True) as writer:
        writer.submit(second)
    with aio.TableWriter(out, discard_later=True) as writer:
        writer.submit(first)
    aio.finish_discarding()
    assert _bytes_of(out) == _bytes_of(tmp_path / "want")
    assert reader.read() == (tmp_path / "want" / "sentences.csv").read_bytes()
    reader.close()
    # the set replaced last is kept (a reader may still be reading it), older ones are gone
    assert len(list((out / aio.GENERATIONS_DIR).iterdir())) == 2
