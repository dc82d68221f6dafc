"""Where requests go: the service's defaults, and the rule for sending a key over plain http."""

from __future__ import annotations

import ipaddress

DEFAULT_MODEL = "bytedance/seed-1-8"
DEFAULT_BASE_URL = "https://api.aimlapi.com/v1"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
