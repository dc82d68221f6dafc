"""`%aiml models`: the chat models with the service's own words about them.

Beside the catalogue's columns: a `status` for models on their way out (the deprecation
feed: a listed model that is deprecated, a model whose old id is superseded by it; deprecated
models with a retirement date leave the list, and a cell on one says so itself) and the service's
live `speed` (first token and tokens per second, p50 over its 300 s window; blank when it
has no data, never zero). One metrics request covers the listed models (100 per request).
Columns nobody filled are left out: OpenAI-shaped lists (gateways, vLLM, Ollama) carry
little more than ids, LiteLLM adds token limits, the AI/ML API has it all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..api import errors

if TYPE_CHECKING:
    from ..api.catalogue import ModelInfo
    from ..api.client import AimlClient
    from ..api.service import Deprecation, ModelMetrics

HEADERS = ["id", "name", "owned by", "context", "max output", "capabilities", "status", "speed"]


def speed_text(metrics: ModelMetrics | None) -> str:
    """`420 ms first token · 85 tok/s` (p50s); '' without data, a part left out when the
    service has no figure for it."""
    if metrics is None:
        return ""
    parts = []
    if metrics.ttft_ms.p50 is not None:
        parts.append(f"{metrics.ttft_ms.p50:,.0f} ms first token")
    if metrics.tps.p50 is not None:
        parts.append(f"{metrics.tps.p50:,.0f} tok/s")
    return " · ".join(parts)


def status_text(model: ModelInfo, feed: list[Deprecation]) -> str:
    """What the feed says of the model itself, then of its superseded aliases."""
    own = next((d for d in feed if d.is_named(model.id)), None)
    if own is not None and own.status == "deprecated":
        return _deprecated(own)
    old = [d.id for d in feed if d.status == "superseded" and d.replaced_by == model.id]
    old += [
        a for a in model.aliases if any(d.status == "superseded" and d.is_named(a) for d in feed)
    ]
    old = list(dict.fromkeys(old))
    return f"replaces {', '.join(old)} (superseded)" if old else ""


def _deprecated(entry: Deprecation) -> str:
    retires = f", retires {entry.shutdown_at}" if entry.shutdown_at else ""
    use = f"; use {entry.replaced_by}" if entry.replaced_by else ""
    return f"deprecated{retires}{use}"


def models_table(
    client: AimlClient, models: list[ModelInfo], needle: str
) -> tuple[str, list, list]:
    """Title, headers and rows of `%aiml models [FILTER]`."""
    shown = [m for m in models if not needle or m.matches(needle)]
    feed = _quietly(client.deprecations, [])
    rows = [
        [
            m.id,
            m.name,
            m.owned_by,
            f"{m.context_length:,}" if m.context_length else "",
            f"{m.max_output:,}" if m.max_output else "",
            ", ".join(m.capabilities),
            status_text(m, feed),
        ]
        for m in shown
    ]
    speeds = _quietly(lambda: client.metrics([row[0] for row in rows]), {}) if rows else {}
    for row in rows:
        row.append(speed_text(speeds.get(row[0])))
    keep = [i for i in range(len(HEADERS)) if i == 0 or any(row[i] for row in rows)]
    title = f"{len(rows)} chat models" + (f" matching {needle!r}" if needle else "")
    return title, [HEADERS[i] for i in keep], [[row[i] for i in keep] for row in rows]


def _quietly(ask: Any, fallback: Any) -> Any:
    """The service's extras only add columns: a failure leaves them blank."""
    try:
        return ask()
    except errors.AimlError:
        return fallback
