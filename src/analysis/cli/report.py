"""``python -m analysis report``: render the report notebooks into HTML."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis import config
from analysis.cli.checks import _check_out_dir, _check_resources, _positive_int
from analysis.cli.errors import CliError, _not_writable, _write_failure


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


def add_commands(sub) -> None:
    """The ``report`` command."""
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
