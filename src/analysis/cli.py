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

    p = sub.add_parser("report", help="render report notebooks into self-contained HTML in reports/",
                       description="Execute report notebooks with papermill and render them to HTML with code "
                                   "hidden, plus reports/index.html. Up-to-date reports are skipped.")
    p.add_argument("names", nargs="*", metavar="NAME", help="reports to render: overview, sentiment, themes, profile (default: all)")
    p.add_argument("--data", type=Path, default=config.PROCESSED_DIR, help="built corpus folder (default: data/processed)")
    p.add_argument("--out", type=Path, default=config.REPORTS_DIR, help="output folder (default: reports)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("KEY", "VALUE"), help="set a notebook parameter")
    p.add_argument("-f", "--param-file", type=Path, action="append", help="YAML file of parameters (notebooks/params/*.yaml)")
    p.add_argument("--force", action="store_true", help="render even reports that are up to date")
    p.set_defaults(func=_cmd_report)
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


def _parse_kv(pairs: list[list[str]] | None) -> dict:
    return {k: v for k, v in (pairs or [])}


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import ParamError, render_reports

    for f in args.param_file or []:
        if not f.is_file():
            raise CliError(f"-f {f}: parameter file not found")
    try:
        outcomes = render_reports(args.names or None, data_dir=args.data, out_dir=args.out,
                                  params=_parse_kv(args.param), param_files=args.param_file or [], force=args.force)
    except ParamError as exc:
        raise CliError(str(exc)) from None
    failed = [o for o in outcomes if o.status == "failed"]
    print(f"{len(outcomes) - len(failed)} report(s) ok, {len(failed)} failed; index: {(args.out / 'index.html').resolve()}")
    return 1 if failed else 0
