"""How far to trust the numbers of a report, for the corpus it describes.

Two sources of validation figures:

* **the researcher's own coded sample** of the corpus: ``python -m analysis
  sample`` draws a stratified random sample into a coding sheet; coders fill
  it in; ``python -m analysis validate --data DIR --annotations SHEET
  [SHEET2]`` matches the items by id, computes every figure the reports show
  (per-method macro-F1 with intervals from resampling whole essays, confusion,
  per class, agreement between coders, the codebook per code, the tags) and
  stores them in ``DIR/validation/`` — keyed by the build and the methods, so a
  rebuild or a changed method marks them stale;
* **the reference samples** the project ships (:mod:`analysis.methods.samples`): the
  bundled essays (cross-validated) and the held-out samples of other
  registers — computed once per version of the methods and samples, cached,
  and copied into each build's ``validation/`` folder.

A report uses the corpus's own figures when they exist and are current, and
says so; otherwise it says in one sentence that its figures were measured on
the reference samples, how close this corpus is to them, and how to code a
sample of one's own — and shows no sentence of the reference samples.

One package, in parts (``from analysis.methods import trust`` gives every public name;
``trust.X`` as before the split):

* :mod:`~analysis.methods.trust.common` — :class:`TrustError`, the constants
  (``VALIDATION_DIR``, ``UNITS``, ``TAGS`` …) and :func:`table` (a stored table as a DataFrame);
* :mod:`~analysis.methods.trust.fingerprints` — :func:`methods_fingerprint`,
  :func:`samples_fingerprint`: what stored figures are keyed by;
* :mod:`~analysis.methods.trust.metrics` — :func:`label_figures`, :func:`code_figures`
  (F1 with intervals from resampling whole essays);
* :mod:`~analysis.methods.trust.reference_samples` — the bundled reference figures:
  :func:`reference`, :func:`is_current`, :func:`write_reference`;
* :mod:`~analysis.methods.trust.own_sample` — the corpus's own coded sample:
  :func:`validate_own`, :func:`own`;
* :mod:`~analysis.methods.trust.sampling` — :func:`draw_sample` (stratified, reproducible);
* :mod:`~analysis.methods.trust.sheets` — coding sheets: :func:`sheet_frame`,
  :func:`write_sheet`, :func:`read_sheet`, :func:`unit_of`;
* :mod:`~analysis.methods.trust.guides` — the coding guides' summary on a sheet:
  :func:`guide_rows`, ``GENRE_GUIDE``, ``NARRATOR_GUIDE``, ``SCHOOL_LEVELS``;
* :mod:`~analysis.methods.trust.vocabulary` — :func:`similarity` of a corpus to the
  reference samples.

A private helper is patched where it is looked up: ``trust.metrics._bootstrap``,
``trust.reference_samples._reference_sentiment``, ``trust.own_sample.methods_fingerprint``.
"""

from analysis.methods.trust.common import (
    FORMAT,
    N_BOOT,
    TAGS,
    UNITS,
    VALIDATION_DIR,
    TrustError,
    table,
)
from analysis.methods.trust.fingerprints import methods_fingerprint, module_files, samples_fingerprint
from analysis.methods.trust.guides import GENRE_GUIDE, NARRATOR_GUIDE, SCHOOL_LEVELS, guide_rows
from analysis.methods.trust.metrics import code_figures, label_figures
from analysis.methods.trust.own_sample import own, validate_own
from analysis.methods.trust.reference_samples import REFERENCE_DIR, is_current, reference, write_reference
from analysis.methods.trust.sampling import draw_sample
from analysis.methods.trust.sheets import read_sheet, sheet_frame, unit_of, write_sheet
from analysis.methods.trust.vocabulary import similarity

__all__ = [
    "FORMAT",
    "GENRE_GUIDE",
    "NARRATOR_GUIDE",
    "N_BOOT",
    "REFERENCE_DIR",
    "SCHOOL_LEVELS",
    "TAGS",
    "UNITS",
    "VALIDATION_DIR",
    "TrustError",
    "code_figures",
    "draw_sample",
    "guide_rows",
    "is_current",
    "label_figures",
    "methods_fingerprint",
    "module_files",
    "own",
    "read_sheet",
    "reference",
    "sheet_frame",
    "similarity",
    "table",
    "unit_of",
    "validate_own",
    "write_reference",
    "write_sheet",
    "samples_fingerprint",
]
