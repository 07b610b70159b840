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
    try:
        summary = build(args.raw, args.out, heading_patterns=args.heading_pattern or (), strict=args.strict,
                        jobs=args.jobs, engine=args.engine, scheduler=args.scheduler,
                        use_cache=not args.no_cache)
    except (BuildError, ValueError) as exc:
        raise CliError(str(exc)) from None
    print("\n".join(summary.lines()))
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build the corpus tables from a folder of raw essay dumps",
                       description="Read every .txt file in --raw (UTF-8, UTF-8 with BOM, GB18030/GBK), split it "
                                   "into essays at heading lines, clean (every change logged), segment and tag, "
                                   "and write Parquet + CSV tables to --out.")
    p.add_argument("--raw", type=Path, default=config.RAW_DIR, help="folder of raw .txt files (default: data/raw)")
    p.add_argument("--out", type=Path, default=config.PROCESSED_DIR, help="output folder (default: data/processed)")
    p.add_argument("--heading-pattern", action="append", metavar="REGEX",
                   help="extra essay-heading regex (repeatable); groups 'num' and 'title' are used if present")
    p.add_argument("--strict", action="store_true", help="stop at the first unreadable, empty or text-less file")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="where per-essay work runs")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask scheduler address (with --engine dask; default: a local cluster)")
    p.add_argument("--no-cache", action="store_true", help="recompute every essay")
    p.set_defaults(func=_cmd_build)
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
