"""Command line: ``python -m analysis <command>`` (``--help`` on each).

One package, one module per group of commands; each adds its commands to the parser
(``add_commands``) and holds their ``_cmd_*`` functions:

* :mod:`~analysis.cli.build` — ``build`` (and ``--watch``);
* :mod:`~analysis.cli.report` — ``report``;
* :mod:`~analysis.cli.evaluate` — ``evaluate`` (the challenge sets);
* :mod:`~analysis.cli.methods` — ``validate``, ``sample``, ``prepare``, ``annotate``, ``calibrate``;
* :mod:`~analysis.cli.checks` — checks of options, output places, resources and a Dask
  scheduler before a command starts work;
* :mod:`~analysis.cli.errors` — :class:`CliError` (one line, exit code 2) and write failures.

Here: :func:`make_parser` and :func:`main` (``python -m analysis``, the ``analysis`` script).
A new command goes into the module of its group (or a new one, added to ``make_parser``).
"""

from __future__ import annotations

import argparse
import sys

from analysis.cli import build, evaluate, methods, report
from analysis.cli.checks import check_scheduler
from analysis.cli.errors import CliError, _one_line, _os_reason, _Parser, _write_failure

__all__ = ["CliError", "DESCRIPTION", "check_scheduler", "main", "make_parser"]

# the parser's description (``python -m analysis --help``)
DESCRIPTION = "Command line: ``python -m analysis <command>`` (``--help`` on each)."


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=DESCRIPTION)
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error (give it before COMMAND)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (build, report, evaluate, methods):  # the order of ``--help``
        group.add_commands(sub)
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
