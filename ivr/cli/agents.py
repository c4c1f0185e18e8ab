"""``ivr agents add NAME`` and ``ivr agents passwd NAME``: agent desk accounts.

The password comes from a prompt (typed twice, never echoed) or, for scripts, from the
first line of standard input with ``--password-stdin`` — never from the command line,
where it would sit in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any, TextIO

from ivr.settings import StoreSettings, load_section

if TYPE_CHECKING:
    from ivr.store.agents import AgentStore


def add_agents_parser(sub: Any) -> None:
    """Register ``agents`` on the main parser's subcommands (``sub``)."""
    agents = sub.add_parser("agents", help="agent desk accounts")
    asub = agents.add_subparsers(dest="agents_command", required=True)
    for name, help_text in (
        ("add", "create an agent who can sign in to /agent"),
        ("passwd", "set a new password for an agent (signs them out everywhere)"),
    ):
        cmd = asub.add_parser(name, help=help_text)
        cmd.add_argument("username", help="2-64 characters: a-z, 0-9, '.', '_', '-'")
        cmd.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """The new password: one line of ``stdin`` (default: the process's), or typed twice
    at a hidden prompt."""
    if from_stdin:
        return (stdin or sys.stdin).readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _change(agents: AgentStore, args: argparse.Namespace, password: str) -> int:
    if args.agents_command == "add":
        name = agents.add_agent(args.username, password)
        print(f"agent {name!r} created; they can sign in at /agent")
        return 0
    if agents.set_password(args.username, password):
        print(f"password changed for {args.username.strip().lower()!r}")
        return 0
    print(f"ivr agents: no agent {args.username!r}", file=sys.stderr)
    return 1


def run_agents(args: argparse.Namespace) -> int:
    """Carry out ``ivr agents …``; 0 on success, 1 with a message on stderr otherwise."""
    from ivr.store.agents import AgentExists, AgentStore
    from ivr.store.errors import StoreError
    from ivr.store.repo import Store

    url = load_section(StoreSettings).database_url
    try:
        password = read_password(args.password_stdin)
        return _change(AgentStore(Store.from_url(url).engine), args, password)
    except (ValueError, AgentExists, StoreError, EOFError) as exc:
        print(f"ivr agents: {exc}", file=sys.stderr)
        return 1
