"""``ivr report nomatch``: what callers said that the menus did not understand, from the store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ivr.settings import StoreSettings, load_section
from ivr.store.reports import DEFAULT_TOP, NoMatchReport


def add_report_commands(sub: Any) -> None:
    """Register ``ivr report …`` on the top-level subparsers ``sub``."""
    report = sub.add_parser("report", help="reports over the call record")
    rsub = report.add_subparsers(dest="report_command", required=True)
    nomatch = rsub.add_parser(
        "nomatch", help="per menu: no-match and no-input rates, most frequent unrecognized phrases"
    )
    nomatch.add_argument("--since", default=None, help="YYYY-MM-DD or ISO datetime (UTC)")
    nomatch.add_argument("--top", type=int, default=DEFAULT_TOP, help="phrases per menu")
    nomatch.add_argument("--json", action="store_true", help="print JSON (as the API returns)")


def run_report(args: argparse.Namespace) -> int:
    """Run ``ivr report nomatch`` against ``IVR_DATABASE_URL``; the exit status."""
    from ivr.store import StoreError, make_engine
    from ivr.store.reports import nomatch_report
    from ivr.web.reports import parse_since

    try:
        since = parse_since(args.since)
    except ValueError:
        problem = f"--since must be YYYY-MM-DD or an ISO datetime, not {args.since!r}"
        print(f"ivr report: {problem}", file=sys.stderr)
        return 2
    url = load_section(StoreSettings).database_url
    try:
        report = nomatch_report(make_engine(url), since, max(1, args.top))
    except StoreError as exc:
        print(f"ivr report: {exc}", file=sys.stderr)
        return 1
    as_json = [json.dumps(report.as_json(), indent=2, ensure_ascii=False)]
    for line in as_json if args.json else report_lines(report):
        print(line)
    return 0


def report_lines(report: NoMatchReport) -> list[str]:
    """The report as a table per menu, for a terminal."""
    since = report.since.isoformat() if report.since else "the first call"
    if not report.menus:
        return [f"no turns recorded since {since}"]
    lines = [f"no-match report since {since}"]
    for menu in report.menus:
        lines.append(
            f"{menu.menu}: {menu.turns} turns, no-match {menu.no_match} ({menu.no_match_rate:.1%}),"
            f" no-input {menu.no_input} ({menu.no_input_rate:.1%})"
        )
        lines += [f"  {u.count:>5}  {u.text}" for u in menu.unrecognized]
    return lines
