"""Write src/analysis/resources/romanised_english.txt: common English words
that a romanised Chinese name could also be written as (here = he re,
data = da ta, women = wo men). A name written as one such word, solid and
not CamelCase, is not taken for a name: report pages are in English.

Developer tool, not run by the toolkit: needs ``pip install wordfreq``
(English word frequencies) besides the project's pypinyin.
    python scripts/make_english_words.py
"""

from __future__ import annotations

import functools
from pathlib import Path

from pypinyin import Style, pinyin
from pypinyin.constants import PINYIN_DICT
from wordfreq import top_n_list, zipf_frequency

ZIPF_MIN = 4.5  # about once in 30,000 words of English text; Chinese surnames in English text score 3.4–4.3
OUT = Path(__file__).resolve().parents[1] / "src" / "analysis" / "resources" / "romanised_english.txt"


def syllables() -> set[str]:
    out = set()
    for cp in PINYIN_DICT:
        for p in pinyin(chr(cp), style=Style.NORMAL, heteronym=True)[0]:
            if p.isascii() and p.isalpha():
                out.add(p.replace("v", "u"))
    return out


def main() -> None:
    syl = syllables()

    @functools.cache
    def splits(w: str) -> bool:
        return not w or any(w[:k] in syl and splits(w[k:]) for k in range(1, min(6, len(w)) + 1))

    words = sorted(
        w
        for w in top_n_list("en", 60000)
        if w.isascii() and w.isalpha() and len(w) >= 2 and zipf_frequency(w, "en") >= ZIPF_MIN and splits(w)
    )
    from importlib.metadata import version

    kept = ""  # the hand-kept block (the toolkit's own prose) after the generated words stays
    if OUT.is_file() and "\n# words of the toolkit" in OUT.read_text(encoding="utf-8"):
        kept = "# words of the toolkit" + OUT.read_text(encoding="utf-8").split("\n# words of the toolkit", 1)[1]
    OUT.write_text(
        "# English words that a romanised name could also be written as (scripts/make_english_words.py,\n"
        f"# wordfreq {version('wordfreq')}, Zipf >= {ZIPF_MIN}). Written solid and not CamelCase, such a word\n"
        "# is not taken for a name. Edit freely: one lower-case word per line.\n" + "\n".join(words) + "\n" + kept,
        encoding="utf-8",
    )
    print(f"wrote {len(words)} words to {OUT}")


if __name__ == "__main__":
    main()
