"""Server-side HTML for the agent desk (Jinja2, autoescaped).

Cards are rendered here both for the page and for each live update, so the browser only
swaps in finished HTML: one renderer, one escaping policy, no client-side templates.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ivr.store.agents import AgentSessionView
from ivr.web.agent.cards import TransferCard


@cache
def environment() -> Environment:
    """The template environment (built once; templates ship inside the package)."""
    return Environment(
        loader=PackageLoader("ivr.web.agent", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_login(*, csrf: str, error: str | None = None, username: str = "") -> str:
    """The sign-in page; ``csrf`` is the token of the login form's double-submit cookie."""
    template = environment().get_template("login.html")
    return template.render(csrf=csrf, error=error, username=username)


def render_desk(agent: AgentSessionView, cards: list[TransferCard]) -> str:
    """The whole desk page for ``agent`` with ``cards`` already in display order."""
    return environment().get_template("desk.html").render(agent=agent, cards=cards)


def render_card(agent: AgentSessionView, card: TransferCard) -> str:
    """One card as ``agent`` sees it (their own calls get the note form)."""
    return environment().get_template("_card.html").render(agent=agent, card=card)
