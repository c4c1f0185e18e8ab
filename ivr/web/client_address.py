"""The address a client's failed sign-ins are counted under.

IPv6 hosts usually hold a whole /64 (often far more): counting single addresses would
give an attacker 2⁶⁴ fresh counters, so IPv6 clients are grouped by their /64. An
IPv4-mapped IPv6 address (``::ffff:192.0.2.7``, seen on dual-stack sockets) is the IPv4
address it maps.
"""

from __future__ import annotations

import ipaddress

MAX_KEY_CHARS = 64


def client_key(host: str | None) -> str:
    """``192.0.2.7`` → ``192.0.2.7``; ``2001:db8:1:2:3:4:5:6`` → ``2001:db8:1:2::/64``.

    Anything that is not an IP address (a test client's name, a Unix socket) is kept as
    given, shortened; no host at all is ``unknown``.
    """
    text = (host or "").strip()
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return text[:MAX_KEY_CHARS] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
