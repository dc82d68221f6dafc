"""A small client for the AI/ML API and any OpenAI-compatible server.

It knows nothing of notebooks: settings arrive as arguments, events and results are plain
data. Submodules load on first use so that importing the package stays cheap.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "AimlClient": "client",
    "ChatStream": "chatstream",
    "ChatResult": "result",
    "Usage": "result",
    "ToolCall": "result",
    "ModelInfo": "catalogue",
    "Pricing": "pricing",
    "Balance": "service",
    "Deprecation": "service",
    "ModelMetrics": "service",
    "Secret": "secret",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aiml_magics.api' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
