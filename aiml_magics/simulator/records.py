"""What the simulator remembers about each request, for tests to assert on.

Only header names are kept, never values: the Authorization value is reduced to the
`authorized` flag, so a test can print the record without leaking a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: frozenset[str]
    authorized: bool
    client_port: int
    inference_id: str = ""
    received: float = 0.0  # time.monotonic() when it arrived, to check waits between requests
    query_pairs: tuple[tuple[str, str], ...] = ()  # the query with repeats (`aliases=A&aliases=B`)
