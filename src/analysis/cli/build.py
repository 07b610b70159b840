"""``python -m analysis build`` (also ``--watch``): the corpus tables from a folder of raw files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import config
from analysis.cli.checks import _check_out_dir, _check_resources, _positive_int, _seconds, check_scheduler
from analysis.cli.errors import CliError, _not_writable, _os_reason, _write_failure


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


def add_commands(sub) -> None:
    """The ``build`` command."""
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
