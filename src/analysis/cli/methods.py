"""The commands about the methods themselves: ``validate`` (own coded sample or the
reference figures), ``sample`` (a coding sheet), ``prepare`` (models and font in the user
cache), ``annotate`` (score the lines of a file), ``calibrate`` (sentiment bands, the
tagging model)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import config
from analysis.cli.checks import _check_out_file, _check_resources
from analysis.cli.errors import CliError, _not_writable, _write_failure


def _cmd_prepare(args: argparse.Namespace) -> int:
    import time

    from analysis.fast import snowfast
    from analysis.ingest import segment
    from analysis.methods import namemodel
    from analysis.reporting import webfont
    from analysis.config import user_cache_dir
    from analysis.methods.trust.fingerprints import methods_fingerprint

    steps = (
        ("jieba's dictionary", lambda: segment.get_tokenizer().initialize()),
        ("SnowNLP's models", snowfast.load),
        ("the name model", namemodel.tables),
        ("the reports' Chinese font", webfont.prepared_font),
        ("the methods' fingerprint parts", lambda: methods_fingerprint("all")),
    )
    for what, step in steps:
        t0 = time.perf_counter()
        step()
        print(f"prepared {what} ({time.perf_counter() - t0:.1f} s)")
    print(f"in {user_cache_dir()}")
    return 0


def _cmd_annotate(args: argparse.Namespace) -> int:
    from analysis import io as aio

    if not args.file.is_file():
        raise CliError(f"{args.file}: file not found")
    try:
        text = aio.read_raw(args.file).text  # the build's checks: empty, binary, undecodable, mojibake
    except aio.RawFileError as exc:
        raise CliError(f"{args.file}: {exc.reason}; valid: a UTF-8 or GB18030 text file") from None
    from analysis.methods import sentiment

    if args.method is not None and args.method not in sentiment.METHODS:
        raise CliError(f"--method {args.method!r} is not valid; valid methods: {', '.join(sentiment.METHODS)}")
    if args.out is not None:
        _check_out_file("--out", args.out)
    _check_resources()
    lines = [l.strip() for l in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [l for l in lines if l]
    df = sentiment.annotate_lines(lines, method=args.method)
    try:
        from analysis.methods import themes

        df["codes"] = [";".join(themes.code_text(l)) for l in lines]
    except ImportError:  # pragma: no cover - themes module is part of the package
        pass
    if args.out is None:
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        try:
            with aio.atomic_path(args.out) as tmp:
                df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        except OSError as exc:
            if _write_failure(exc) is None:
                raise
            raise _not_writable("--out", args.out, _write_failure(exc)) from None
        print(f"wrote {len(df)} rows to {args.out}", file=sys.stderr)
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from analysis.methods import sentiment

    if args.tags_only:
        from analysis.methods import tagmodel

        model = tagmodel.calibrate()
        print(
            f"tagging model: fitted on {model['tuning_essays']} coded essays; cross-validated: "
            + "; ".join(f"{t} accuracy {f['cv_accuracy']:.2f}" for t, f in model["cross_validation"].items())
        )
        return 0

    if args.annotations is not None and not args.annotations.is_file():
        raise CliError(f"--annotations {args.annotations}: file not found")
    result = sentiment.run_calibration(args.annotations, args.out)
    for key, value in result.items():
        if not hasattr(value, "to_string"):
            print(f"{key}: {value}")
    if args.annotations is None and args.out is None:
        from analysis.methods import tagmodel

        model = tagmodel.calibrate()
        print(
            f"tagging model: fitted on {model['tuning_essays']} coded essays; cross-validated: "
            + "; ".join(
                f"{t} accuracy {f['cv_accuracy']:.2f} (given for {f['coverage']:.0%}, "
                f"accuracy then {f['accuracy_when_given']:.2f})"
                for t, f in model["cross_validation"].items()
            )
        )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.methods import trust

    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 3):
        if args.annotations:
            if args.data is None:
                raise CliError("--annotations needs --data: the built data folder the sheet was drawn from")
            if len(args.annotations) > 2:
                raise CliError("--annotations takes one coded sheet, or two (first and second coder)")
            try:
                res = trust.validate_own(
                    args.data, args.annotations[0], args.annotations[1] if len(args.annotations) > 1 else None
                )
            except trust.TrustError as exc:
                raise CliError(str(exc)) from None
            print(
                f"Validation of {args.data} against {len(trust.table(res['figures']))} figure row(s) "
                f"from {args.annotations[0]} ({res['unit']}):"
            )
            print(trust.table(res["figures"]).to_string(index=False))
            if "intercoder" in res:
                print("\nAgreement between the two coders:")
                print(trust.table(res["intercoder"]).to_string(index=False))
            print(
                f"\nstored in {Path(args.data) / trust.VALIDATION_DIR / ('own-' + res['unit'] + '.json')}: "
                "the reports on this folder now show these figures"
            )
            return 0
        for kind in ("sentiment", "themes"):
            ref = trust.reference(kind, refresh=args.refresh)
            print(
                f"{kind.capitalize()}: the reference samples (data/annotations/; held-out rows were never "
                "used for tuning)"
            )
            print(trust.table(ref["figures"]).to_string(index=False))
            print()
        if args.refresh:
            print(f"wrote {trust.REFERENCE_DIR}/reference-*.json")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from analysis.methods import trust
    from analysis.reporting.corpus import Corpus

    try:
        sample = trust.draw_sample(args.data, args.unit, args.n, seed=args.seed, pseudonymise=not args.real_names)
        corpus_sentences = (
            Corpus(args.data, pseudonymise=not args.real_names, pseudonymise_all=True).sentences
            if args.unit == "sentences"
            else None
        )
        paths = trust.write_sheet(trust.sheet_frame(sample, args.unit, corpus_sentences), args.unit, args.out)
    except trust.TrustError as exc:
        raise CliError(str(exc)) from None
    print(
        f"drew {len(sample)} {args.unit} from {sample['essay_id'].nunique()} essays "
        f"({sample['stratum'].nunique()} strata: genre × score range), seed {args.seed}"
    )
    for p in paths:
        print(f"wrote {p}")
    print(
        f"code the 'coder 1' sheet (guide in the 'guide' sheet), then: python -m analysis validate --data {args.data} "
        f"--annotations {paths[1]}"
    )
    return 0


def add_commands(sub) -> None:
    """The commands ``validate``, ``sample``, ``prepare``, ``annotate``, ``calibrate``, in this order."""
    p = sub.add_parser(
        "validate",
        help="validate the methods on your own coded sample, or print the reference figures",
        description="With --data and --annotations: match a coded sheet (from `sample`) to the build "
        "by item id, compute every figure the reports show for that corpus and store them "
        "in DATA/validation/. Without: print the figures of the reference samples "
        "(data/annotations/: the bundled essays and held-out texts of other registers).",
    )
    p.add_argument("--data", type=Path, default=None, metavar="DIR", help="built data folder the sheet was drawn from")
    p.add_argument(
        "--annotations",
        type=Path,
        nargs="+",
        default=None,
        metavar="SHEET",
        help="coded sheet (.xlsx or .csv), and optionally a second coder's",
    )
    p.add_argument(
        "--refresh",
        action="store_true",
        help="recompute the reference figures and rewrite resources/validation/ (after changing a method)",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "sample",
        help="draw a stratified random sample of a build into a coding sheet",
        description="Draw N sentences, paragraphs or essays (stratified by genre and score range, "
        "spread over essays, reproducible by --seed) into a coding sheet: CSV (UTF-8 with "
        "BOM) and .xlsx with drop-down lists, a sheet for a second coder and the guide.",
    )
    p.add_argument("--data", type=Path, default=config.PROCESSED_DIR, metavar="DIR", help="built data folder")
    p.add_argument("--unit", choices=("sentences", "paragraphs", "essays"), default="sentences")
    p.add_argument("--n", type=int, default=200, help="number of items (default 200)")
    p.add_argument("--seed", type=int, default=config.RANDOM_SEED, help="random seed (default: the project's)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="coding sheet to write (.xlsx and .csv)")
    p.add_argument("--real-names", action="store_true", help="show names as written (default: pseudonymised)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser(
        "prepare",
        help="prepare the models and the reports' font in the user cache (else done on first use)",
        description="Derive, once per machine, what the build and the reports load from the installed "
        "packages: jieba's dictionary tables, SnowNLP's compiled models, the name model and the "
        "reports' Chinese font (about half a minute in all). `make install` runs it; a missing piece "
        "is otherwise prepared the first time it is needed. Safe to delete: $ANALYSIS_CACHE_DIR, "
        "else ~/.cache/analysis.",
    )
    p.set_defaults(func=_cmd_prepare)

    p = sub.add_parser(
        "annotate",
        help="score every line of a text file: sentiment, emotion, themes",
        description="One output row per non-empty input line, in input order, with text, "
        "sentiment_score, sentiment_label, emotion and themes. Reads UTF-8 or GB18030; "
        "writes CSV (UTF-8 with BOM) to --out, or to standard output.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--method", default=None, help="sentiment method (default: the validated default)")
    p.add_argument("--out", type=Path, default=None, metavar="CSV", help="output CSV (default: standard output)")
    p.set_defaults(func=_cmd_annotate)

    p = sub.add_parser(
        "calibrate",
        help="choose the sentiment default and neutral bands by cross-validation",
        description="Cross-validate every sentiment method on the coded tuning samples in "
        "data/annotations/ and write resources/sentiment/calibration.yaml and the supervised "
        "model beside it; refit the tagging model on data/annotations/tag_essays/ (tuning "
        "folders) and write resources/tagging_model.json.",
    )
    p.add_argument(
        "--annotations",
        type=Path,
        default=None,
        help="coded sentences CSV (default: every coded tuning sample in data/annotations/)",
    )
    p.add_argument("--out", type=Path, default=None, help="calibration YAML to write (default: the packaged one)")
    p.add_argument("--tags-only", action="store_true", help="refit only the tagging model (after editing tagging cues)")
    p.set_defaults(func=_cmd_calibrate)
