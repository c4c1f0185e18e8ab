"""Finding a secret (a PIN, an account number) in text the app wrote."""

from __future__ import annotations

import re


def shows(secret: str, text: str) -> bool:
    """Whether ``text`` shows the digits of ``secret``, also spaced out ("1 3 5 7").

    Not inside a longer run of digits: a timestamp such as 14:14:50.813575 holds "1357"
    by chance (a CI run tripped on exactly that).
    """
    spaced = "[ ,-]?".join(re.escape(d) for d in secret)
    return re.search(rf"(?<!\d){spaced}(?!\d)", text) is not None
