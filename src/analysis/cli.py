"""Command line: ``python -m analysis <command>`` (``--help`` on each)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import config


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


def _cmd_build(args: argparse.Namespace) -> int:
    from analysis.build import BuildError, build

    if not args.raw.is_dir():
        raise CliError(f"--raw {args.raw}: folder not found (give a folder of .txt files)")
    if args.watch:
        return _watch(args)
    try:
        summary = build(
            args.raw,
            args.out,
            heading_patterns=args.heading_pattern or (),
            strict=args.strict,
            jobs=args.jobs,
            engine=args.engine,
            scheduler=args.scheduler,
            use_cache=not args.no_cache,
            warn=lambda msg: None,
        )  # the summary lists skipped files
    except BuildError as exc:
        raise CliError(str(exc)) from None
    print("\n".join(summary.lines()))
    return 0


def _watch(args: argparse.Namespace) -> int:
    import os
    import signal
    import time

    from analysis.build import CodeChanged, watch

    if args.engine != "local" or args.no_cache:
        raise CliError("--watch works with the local engine and the cache (drop --engine dask / --no-cache)")

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C and `kill` stop watching cleanly, also where SIGINT was ignored at start (a background job)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def report(summary) -> None:
        lines = summary.lines()
        print(
            f"[{time.strftime('%H:%M:%S')}] {lines[0]}",
            *[line for line in lines[1:] if "skipped" in line or "ignored" in line or "re-run" in line],
            sep="\n",
            flush=True,
        )
        print(f"watching {args.raw} for changes (Ctrl-C to stop)", flush=True)

    try:
        watch(
            args.raw,
            args.out,
            heading_patterns=args.heading_pattern or (),
            strict=args.strict,
            jobs=args.jobs,
            on_build=report,
            warn=lambda msg: None,
        )
    except CodeChanged:
        print("source or resource files changed: restarting", flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "analysis", *sys.argv[1:]])
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="build the corpus tables from a folder of raw essay dumps",
        description="Read every .txt file in --raw (UTF-8, UTF-8 with BOM, GB18030/GBK), split it "
        "into essays at heading lines, clean (every change logged), segment and tag, "
        "and write Parquet + CSV tables to --out.",
    )
    p.add_argument("--raw", type=Path, default=config.RAW_DIR, help="folder of raw .txt files (default: data/raw)")
    p.add_argument("--out", type=Path, default=config.PROCESSED_DIR, help="output folder (default: data/processed)")
    p.add_argument(
        "--heading-pattern",
        action="append",
        metavar="REGEX",
        help="extra essay-heading regex (repeatable); groups 'num' and 'title' are used if present",
    )
    p.add_argument("--strict", action="store_true", help="stop at the first unreadable, empty or text-less file")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="where per-essay work runs")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="dask scheduler address (with --engine dask; default: a local cluster)",
    )
    p.add_argument("--no-cache", action="store_true", help="recompute every essay")
    p.add_argument(
        "--watch",
        action="store_true",
        help="stay running and rebuild whenever a file in --raw changes (fast: models and tables stay "
        "loaded; restarts itself when code or resources change)",
    )
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "report",
        help="render report notebooks into self-contained HTML in reports/",
        description="Execute report notebooks with papermill and render them to HTML with code "
        "hidden, plus reports/index.html. Up-to-date reports are skipped.",
    )
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="reports to render: overview, sentiment, themes, profile (default: all)",
    )
    p.add_argument(
        "--data", type=Path, default=config.PROCESSED_DIR, help="built corpus folder (default: data/processed)"
    )
    p.add_argument("--out", type=Path, default=config.REPORTS_DIR, help="output folder (default: reports)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("KEY", "VALUE"), help="set a notebook parameter")
    p.add_argument(
        "-f", "--param-file", type=Path, action="append", help="YAML file of parameters (notebooks/params/*.yaml)"
    )
    p.add_argument("--force", action="store_true", help="render even reports that are up to date")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="a line for every report, also with many essay profiles (default: a progress bar for them)",
    )
    p.add_argument(
        "--jobs", type=int, default=None, help="reports rendered at once, each in its own process (default: all cores)"
    )
    p.add_argument(
        "--max-profiles",
        type=int,
        default=None,
        metavar="N",
        help="essay profiles for at most the first N essays (default: 2000; 0: every essay)",
    )
    p.set_defaults(func=_cmd_report)
    _add_more_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m analysis build | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0


def _parse_kv(pairs: list[list[str]] | None) -> dict:
    return {k: v for k, v in (pairs or [])}


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import ParamError, render_reports

    for f in args.param_file or []:
        if not f.is_file():
            raise CliError(f"-f {f}: parameter file not found")
    try:
        outcomes = render_reports(
            args.names or None,
            data_dir=args.data,
            out_dir=args.out,
            params=_parse_kv(args.param),
            param_files=args.param_file or [],
            force=args.force,
            verbose=args.verbose,
            jobs=args.jobs,
            **({} if args.max_profiles is None else {"max_profiles": args.max_profiles}),
        )
    except ParamError as exc:
        raise CliError(str(exc)) from None
    failed = [o for o in outcomes if o.status == "failed"]
    print(
        f"{len(outcomes) - len(failed)} report(s) ok, {len(failed)} failed; index: {(args.out / 'index.html').resolve()}"
    )
    return 1 if failed else 0


def _cmd_annotate(args: argparse.Namespace) -> int:
    from analysis import io as aio

    if not args.file.is_file():
        raise CliError(f"{args.file}: file not found")
    try:
        text, _ = aio.decode_bytes(args.file.read_bytes())
    except UnicodeError:
        raise CliError(f"{args.file}: cannot decode: give a UTF-8 or GB18030 text file") from None
    from analysis import sentiment

    if args.method is not None and args.method not in sentiment.METHODS:
        raise CliError(f"--method {args.method!r} is not valid; valid methods: {', '.join(sentiment.METHODS)}")
    lines = [l.strip() for l in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [l for l in lines if l]
    df = sentiment.annotate_lines(lines, method=args.method)
    try:
        from analysis import themes

        df["themes"] = [";".join(themes.code_text(l)) for l in lines]
    except ImportError:  # pragma: no cover - themes module is part of the package
        pass
    if args.out is None:
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        with aio.atomic_path(args.out) as tmp:
            df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        print(f"wrote {len(df)} rows to {args.out}", file=sys.stderr)
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from analysis import sentiment

    if args.tags_only:
        from analysis import tagmodel

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
        from analysis import tagmodel

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

    from analysis import trust

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
    from analysis import trust
    from analysis.corpus import Corpus

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


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import tempfile

    from analysis import challenge

    sets = args.pages or sorted(
        p for p in (config.FIXTURES_DIR / "pages").iterdir() if p.is_dir() and any(p.rglob("*.page"))
    )
    status = 0
    total = challenge.PageScore()
    for folder in sets:
        if not Path(folder).is_dir() or not any(Path(folder).rglob("*.page")):
            raise CliError(f"--pages {folder}: no folder of .page files")
        with tempfile.TemporaryDirectory() as tmp:
            score, _ = challenge.evaluate_folder(folder, work_dir=tmp)
        total.add(score)
        print(
            "\n".join(
                challenge.format_score(
                    f"Page intake on {folder} ({sum(1 for _ in Path(folder).rglob('*.page'))} pages)", score
                )
            )
        )
        if args.problems:
            for name, line, what in score.problems:
                print(f"    {name}:{line}: {what}")
        print()
    if len(sets) > 1:
        print("\n".join(challenge.format_score("Page intake, all sets together", total)))
        print()
    if args.check and not challenge.meets_goals(total):
        status = 1
    privacy_sets = args.privacy or sorted(
        p for p in (config.FIXTURES_DIR / "privacy").iterdir() if p.is_dir() and (p / "truth.yaml").is_file()
    )
    ptotal = challenge.PrivacyScore()
    for folder in privacy_sets:
        if not (Path(folder) / "truth.yaml").is_file():
            raise CliError(
                f"--privacy {folder}: no truth.yaml (a privacy challenge set has .page files and truth.yaml)"
            )
        with tempfile.TemporaryDirectory() as tmp:
            ps = challenge.score_privacy(folder, work_dir=tmp)
        ptotal.add(ps)
        n = sum(1 for _ in Path(folder).glob("*.page"))
        print("\n".join(challenge.format_privacy(f"Privacy on {folder} ({n} documents)", ps)))
        if args.problems:
            for doc, kind, form, text in ps.leaks:
                print(f"    left: {doc}: {kind} ({form}): {text}")
            for doc, text in ps.changed:
                print(f"    changed: {doc}: {text}")
        print()
    if len(privacy_sets) > 1:
        print("\n".join(challenge.format_privacy("Privacy, all sets together", ptotal)))
    if args.check and privacy_sets and not challenge.privacy_meets_goals(ptotal):
        status = 1
    return status


def _add_more_commands(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score the intake and the privacy protection on the challenge corpora",
        description="Build each challenge set of annotated page captures (tests/fixtures/pages/*/) and "
        "print: essays split whole, chrome lines removed, essay lines removed wrongly, "
        "headings inside essays, cuts flagged, and each repair rule right/wrong/missed; "
        "then build each privacy set (tests/fixtures/privacy/*/) and print the share of "
        "names replaced per kind and form and of ordinary words changed.",
    )
    p.add_argument(
        "--pages",
        type=Path,
        action="append",
        metavar="DIR",
        help="a folder of .page files (repeatable; default: every set)",
    )
    p.add_argument(
        "--privacy",
        type=Path,
        action="append",
        metavar="DIR",
        help="a privacy challenge set: .page files and truth.yaml (repeatable; default: every set)",
    )
    p.add_argument("--problems", action="store_true", help="list every line scored wrong and every name left")
    p.add_argument("--check", action="store_true", help="exit 1 when a goal is not met")
    p.set_defaults(func=_cmd_evaluate)

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
