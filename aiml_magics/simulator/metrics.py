"""`GET /models/metrics`: the service's live speed per model over the last 300 seconds.

`aliases` is the only parameter (repeated; a comma-separated value is read as one name), at
most 100 values; anything else is a 400. A model without a successful request in the window
is absent from the answer: no data, not zero.
"""

from __future__ import annotations

from typing import Any

WINDOW = 300
GENERATED_AT = "2026-08-19T12:00:05.000Z"
MAX_ALIASES = 100
ENDPOINT = "/v1/chat/completions"


def _metrics(*figures: tuple[float, float, float, float]) -> dict[str, Any]:
    """ttft_ms, tps and duration_ms, each as p50, p75, p90, p99."""
    names = ("p50", "p75", "p90", "p99")
    kinds = ("ttft_ms", "tps", "duration_ms")
    return {
        kind: dict(zip(names, row, strict=True)) for kind, row in zip(kinds, figures, strict=True)
    }


# Measured models (the schema's own example figures for the first); the others have no data.
MEASURED: dict[str, dict[str, Any]] = {
    "openai/gpt-4o": _metrics(
        (412, 588, 910, 2140), (51.7, 64.1, 78.4, 96.2), (1830, 2450, 3900, 9100)
    ),
    "bytedance/seed-1-8": _metrics(
        (690, 820, 1250, 3010), (38.2, 45.0, 57.9, 70.3), (9200, 12800, 17400, 31000)
    ),
    "anthropic/claude-sonnet-4.5": _metrics(
        (1020, 1310, 1780, 3900), (44.8, 52.6, 61.0, 73.5), (6100, 8300, 11900, 24000)
    ),
}


def metrics_payload(query: list[tuple[str, str]]) -> tuple[int, dict[str, Any] | str]:
    """(200, body) or (400, the error message)."""
    other = sorted({key for key, _ in query if key != "aliases"})
    if other:
        return 400, f"Unknown query parameter(s): {', '.join(other)}. Only 'aliases' is accepted."
    aliases = [value for key, value in query if key == "aliases"]
    if len(aliases) > MAX_ALIASES:
        return 400, f"At most {MAX_ALIASES} aliases per request; got {len(aliases)}."
    wanted = aliases or list(MEASURED)
    models = [
        {"alias": alias, "endpoint": ENDPOINT, "metrics": MEASURED[alias]}
        for alias in dict.fromkeys(wanted)
        if alias in MEASURED
    ]
    return 200, {"window_seconds": WINDOW, "generated_at": GENERATED_AT, "models": models}
