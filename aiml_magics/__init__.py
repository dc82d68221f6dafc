"""aiml-magics: `%%aiml` streams AI/ML API chat completions into Jupyter notebooks.

Importing the package is cheap: the client, requests and the Markdown parser load on use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AimlClient",
    "ChatResult",
    "Evaluation",
    "Usage",
    "batch",
    "describer",
    "evaluate",
    "embed",
    "generate_image",
    "generate_video",
    "jobs",
    "load_ipython_extension",
    "register_describer",
    "similar",
    "speak",
    "transcribe",
    "tool",
    "unload_ipython_extension",
    "__version__",
]

# `df.aiml` (magics/frames/registration.py): registered now if pandas is imported, else
# right after it is; pandas itself is never imported here.
from .magics.frames.registration import register_when_imported as _register_accessor

_register_accessor()

if TYPE_CHECKING:
    from .api.client import AimlClient
    from .api.result import ChatResult, Usage
    from .chat.context import describer, register_describer
    from .chat.evaluation import Evaluation
    from .chat.tools import tool
    from .magics.batch import batch
    from .magics.embedding import embed, similar
    from .magics.evaluate import evaluate
    from .magics.media import generate_image, generate_video, jobs, speak, transcribe


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext aiml_magics`: register `%%aiml` and `%aiml` (idempotent)."""
    from .magics.cell import AimlMagics

    if any(isinstance(m, AimlMagics) for m in ipython.configurables):
        return
    ipython.register_magics(AimlMagics(shell=ipython))
    _register_formatters(ipython)
    _register_accessor()


def _register_formatters(ipython: Any) -> None:
    """`_aiml` shown as its answer: results are plain data, the display layer renders them
    (registered by name, so the client is not imported at load time)."""
    formatter = getattr(ipython, "display_formatter", None)
    if formatter is None:
        return
    from .display.compose import result_markdown

    markdown = formatter.formatters["text/markdown"]
    markdown.for_type_by_name("aiml_magics.api.result", "ChatResult", result_markdown)
    markdown.for_type_by_name("aiml_magics.chat.batching.report", "BatchResult", _batch_markdown)
    markdown.for_type_by_name("aiml_magics.chat.comparison", "Comparison", _comparison_markdown)
    bundles = formatter.mimebundle_formatter
    bundles.for_type_by_name("aiml_magics.chat.evaluation.result", "Evaluation", _evaluation_bundle)


def _batch_markdown(result: Any) -> str:
    from .display.batch import result_markdown

    return result_markdown(result)


def _comparison_markdown(comparison: Any) -> str:
    from .display.compare import comparison_markdown

    return comparison_markdown(comparison)


def _evaluation_bundle(evaluation: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from .display.evaluation import evaluation_bundle

    return evaluation_bundle(evaluation)


def unload_ipython_extension(ipython: Any) -> None:
    """`%unload_ext aiml_magics`: drop the magics, their event hooks and their state."""
    from .magics.cell import AimlMagics

    for magics in [m for m in ipython.configurables if isinstance(m, AimlMagics)]:
        magics.close()
        ipython.configurables.remove(magics)
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("aiml", None)


def __getattr__(name: str) -> Any:
    if name == "AimlClient":
        from .api.client import AimlClient

        return AimlClient
    if name in ("ChatResult", "Usage"):
        from .api import result

        return getattr(result, name)
    if name == "batch":  # the function; its module is aiml_magics.magics.batch
        from .magics.batch import batch

        return batch
    if name == "evaluate":  # the function; its module is aiml_magics.magics.evaluate
        from .magics.evaluate import evaluate

        return evaluate
    if name == "Evaluation":
        from .chat.evaluation import Evaluation

        return Evaluation
    if name in ("embed", "similar"):  # the functions; their module is magics.embedding
        from .magics import embedding

        return getattr(embedding, name)
    if name in ("generate_image", "generate_video", "jobs", "speak", "transcribe"):
        from .magics import media

        return getattr(media, name)
    if name == "tool":
        from .chat.tools import tool

        return tool
    if name in ("describer", "register_describer"):  # how `@name` mentions describe a type
        from .chat.context import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'aiml_magics' has no attribute {name!r}")
