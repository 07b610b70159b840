"""``python -m analysis evaluate``: score the intake and the privacy protection on the
challenge sets (tests/fixtures/pages/, tests/fixtures/privacy/)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis import config
from analysis.cli.errors import CliError


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


def add_commands(sub) -> None:
    """The ``evaluate`` command."""
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
