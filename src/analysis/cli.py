"""Command line: ``python -m analysis <command>`` (``--help`` on each)."""

from __future__ import annotations

import argparse
import errno
import re
import sys
from pathlib import Path

from analysis import config


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line (exit code 2), like every other user error."""

    def error(self, message: str):
        message = re.sub(r"^argument ([^:]+): ", r"\1 ", message)
        raise CliError(f"{message} (see {self.prog} --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: not valid; valid: a positive whole number")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text}: not valid; valid: a number of seconds, 0 or more")
    return value


# write errors that are the place's fault (not the program's): a one-line user error
_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


def _write_failure(exc: BaseException) -> OSError | None:
    """The OSError of a full, read-only or forbidden place in ``exc`` or its causes, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and (
            exc.errno in _WRITE_ERRNOS or "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc)
        ):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _os_reason(exc: OSError) -> str:
    if exc.errno is None and "No space left on device" in str(exc):
        return "no space left on device"
    return (exc.strerror or type(exc).__name__).lower()


def _not_writable(flag: str, folder: Path, exc: OSError) -> CliError:
    return CliError(f"{flag} {folder}: not writable ({_os_reason(exc)})")


def _probe(folder: Path) -> None:
    """Create and remove a nameless file in ``folder`` (OSError when it cannot be written)."""
    import tempfile

    with tempfile.TemporaryFile(dir=folder):
        pass


def _check_out_dir(flag: str, folder: Path) -> None:
    """An output folder, or the nearest existing folder above it (where it
    will be created), can be written: else a one-line :class:`CliError` for a
    file in the way, a read-only or forbidden place. Creates nothing."""
    import os

    existing = next((p for p in [folder, *folder.absolute().parents] if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        what = "is a file" if existing == folder else f"{existing} is a file"
        raise CliError(f"{flag} {folder}: {what}; valid: a folder (created if missing)")
    if existing == folder:
        try:
            _probe(folder)
        except OSError as exc:
            raise _not_writable(flag, folder, exc) from None
    elif not os.access(existing, os.W_OK | os.X_OK):
        raise CliError(f"{flag} {folder}: not writable (cannot create it in {existing})")


def _check_out_file(flag: str, target: Path) -> None:
    """An output file's folder must exist and be writable; ``target`` must not be a folder."""
    if target.is_dir():
        raise CliError(f"{flag} {target}: is a folder; valid: a file path")
    if not target.parent.is_dir():
        what = "is a file" if target.parent.exists() else "not found"
        raise CliError(f"{flag} {target}: folder {target.parent} {what}; valid: a file in an existing folder")
    try:
        _probe(target.parent)
    except OSError as exc:
        raise CliError(f"{flag} {target}: folder {target.parent} not writable ({_os_reason(exc)})") from None


def _check_resources(*, codebook: bool = True) -> None:
    """The bundled resource files (user dictionary, stopwords, lexicons, codebook …) load."""
    from analysis.resources import ResourceError, check_bundled

    try:
        check_bundled()
        if codebook:
            from analysis.methods.themes import load_codebook

            load_codebook()
    except ResourceError as exc:
        raise CliError(f"resource file {exc}") from None


_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def check_scheduler(address: str, timeout: float) -> None:
    """A Dask scheduler address is well formed (``[tcp://]HOST:PORT``) and
    something answers there within ``timeout`` seconds; else :class:`CliError`."""
    import socket

    valid = "valid: tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in _SCHEMES:
        raise CliError(f"--scheduler {address}: unknown protocol {scheme!r}; {valid}")
    host, colon, port_text = rest.rpartition(":")
    host = host.strip("[]")  # [::1]:8786
    if not colon or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise CliError(f"--scheduler {address}: not HOST:PORT with a port number from 1 to 65535; {valid}")
    try:
        with socket.create_connection((host, int(port_text)), timeout=timeout):
            pass
    except TimeoutError:
        raise CliError(
            f"--scheduler {address}: no answer within {timeout:g} s (--scheduler-timeout); "
            "start the scheduler, or drop --scheduler for a local cluster"
        ) from None
    except OSError as exc:
        why = "host not found" if isinstance(exc, socket.gaierror) else _os_reason(exc)
        raise CliError(
            f"--scheduler {address}: no scheduler there ({why}); start the scheduler, or drop --scheduler "
            "for a local cluster"
        ) from None
    if scheme == "tcp":  # something listens: it must speak Dask's protocol (tls needs the client's certificates)
        _dask_handshake(address if sep else f"tcp://{address}", timeout)


def _dask_handshake(address: str, timeout: float) -> None:
    import asyncio

    from distributed.comm import connect

    async def probe() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        comm.abort()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001 — a web server answering garbage gives a MemoryError, say
        timed_out = isinstance(exc, (TimeoutError, asyncio.TimeoutError)) or "Timed out" in str(exc)
        why = "no answer in time" if timed_out else type(exc).__name__
        raise CliError(
            f"--scheduler {address}: something listens there but no Dask scheduler answers ({why}); "
            "valid: the address the scheduler prints (dask scheduler)"
        ) from None


def _check_build_args(args: argparse.Namespace) -> None:
    if args.scheduler is not None and args.engine != "dask":
        raise CliError(f"--scheduler {args.scheduler}: needs --engine dask (the local engine has no scheduler)")
    if args.scheduler is not None:
        check_scheduler(args.scheduler, args.scheduler_timeout)


def _build_warning(msg: str) -> None:
    """Print a build warning at once; skipped files are left to the summary, which lists them."""
    if not msg.startswith("skipped "):
        print(msg, file=sys.stderr, flush=True)


def _build_options(args: argparse.Namespace) -> dict:
    """Options of ``build`` that an older :func:`analysis.pipeline.build.build` may lack: given only when it takes them."""
    import inspect

    from analysis.pipeline.build import build

    accepted = inspect.signature(build).parameters
    wanted = {"lock_timeout": args.lock_timeout, "follow_links": args.follow_links}
    return {k: v for k, v in wanted.items() if k in accepted}


def _cmd_build(args: argparse.Namespace) -> int:
    from analysis.pipeline.build import BuildError, build

    if not args.raw.is_dir():
        raise CliError(f"--raw {args.raw}: folder not found (give a folder of .txt files)")
    _check_build_args(args)
    _check_out_dir("--out", args.out)
    _check_resources()
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
            warn=_build_warning,
            **_build_options(args),
        )
    except BuildError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:
        _raise_write_failure(exc, args)
        raise
    print("\n".join(summary.lines()))
    return 0


def _raise_write_failure(exc: BaseException, args: argparse.Namespace) -> None:
    """A build that failed on a full, read-only or forbidden place: a one-line error naming it."""
    failure = _write_failure(exc)
    if failure is None:
        return
    where = Path(failure.filename) if isinstance(failure.filename, str) else None
    if where is not None and where.resolve().is_relative_to(args.raw.resolve()):
        raise CliError(f"--raw {where}: not readable ({_os_reason(failure)})") from None
    if where is not None and not where.resolve().is_relative_to(args.out.resolve()):
        raise CliError(f"{where}: not writable ({_os_reason(failure)})") from None
    raise _not_writable("--out", args.out, failure) from None


def _watch(args: argparse.Namespace) -> int:
    import os
    import signal
    import time

    from analysis.pipeline.watch import CodeChanged, watch

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
            warn=_build_warning,
            **_build_options(args),
        )
    except CodeChanged:
        print("source or resource files changed: restarting", flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "analysis", *sys.argv[1:]])
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__)
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error (give it before COMMAND)"
    )
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
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="follow symbolic links that point outside --raw; by default they are skipped with a reason",
    )
    p.add_argument("--jobs", type=_positive_int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="where per-essay work runs")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="dask scheduler address (with --engine dask; default: a local cluster)",
    )
    p.add_argument(
        "--scheduler-timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the --scheduler to answer (default: 10)",
    )
    p.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait while another build writes to --out (default: 600)",
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
        "--jobs",
        type=_positive_int,
        default=None,
        help="reports rendered at once, each in its own process (default: all cores)",
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
    """Run one command; user errors are one line on stderr and exit code 2,
    unexpected ones one line and exit code 1 (the traceback with ``--debug``)."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except CliError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m analysis build | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0
    except Exception as exc:
        if args.debug:
            raise
        failure = _write_failure(exc)
        if failure is not None:  # a full or read-only disk is not a bug: say where
            where = f"{failure.filename}: " if failure.filename else ""
            print(f"error: {where}not writable ({_os_reason(failure)})", file=sys.stderr)
            return 2
        print(
            f"error: {type(exc).__name__}: {_one_line(str(exc))} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


def _one_line(text: str, limit: int = 1000) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_kv(pairs: list[list[str]] | None) -> dict:
    return {k: v for k, v in (pairs or [])}


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.reporting.report import ParamError, render_reports

    from analysis.resources import ResourceError

    for f in args.param_file or []:
        if not f.is_file():
            raise CliError(f"-f {f}: parameter file not found")
    _check_resources()
    _check_out_dir("--out", args.out)
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
    except (ParamError, ResourceError) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:
        failure = _write_failure(exc)
        if failure is not None:
            raise _not_writable("--out", args.out, failure) from None
        raise
    failed = [o for o in outcomes if o.status == "failed"]
    print(
        f"{len(outcomes) - len(failed)} report(s) ok, {len(failed)} failed; index: {(args.out / 'index.html').resolve()}"
    )
    return 1 if failed else 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    import time

    from analysis.fast import snowfast
    from analysis.ingest import segment
    from analysis.methods import namemodel
    from analysis.reporting import webfont
    from analysis.config import user_cache_dir

    steps = (
        ("jieba's dictionary", lambda: segment.get_tokenizer().initialize()),
        ("SnowNLP's models", snowfast.load),
        ("the name model", namemodel.tables),
        ("the reports' Chinese font", webfont.prepared_font),
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


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import tempfile

    from analysis.pipeline import challenge

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
