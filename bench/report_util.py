"""Small formatting helpers shared by the report sections."""

from __future__ import annotations

import math
from typing import Any


def f(x: Any, digits: int = 0) -> str:
    """A number with ``digits`` decimals; an en dash for missing or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}"


def meta_line(data: dict[str, Any]) -> str:
    """When, at which commit, and how long a result took."""
    m = data.get("meta", {})
    dirty = " (+uncommitted changes in the shared tree)" if m.get("dirty") else ""
    quick = ", **--quick**" if m.get("quick") else ""
    return (
        f"*Run {m.get('date')} at commit `{m.get('commit')}`{dirty}{quick}; "
        f"{f(m.get('seconds'))} s.*"
    )
