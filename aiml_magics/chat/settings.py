"""Settings: traits tagged `config=True`, resolved as cell option > %config > environment > default.

The API key is deliberately *not* a trait: `%config AimlMagics` prints every trait, and the key
must never be printed. It lives in one `Secret` object instead.
"""

from __future__ import annotations

import math
import os
from typing import Any

from traitlets import Bool, CFloat, CInt, Enum, Float, Int, TraitError, Unicode, observe, validate
from traitlets.config import Configurable

from ..api.endpoint import DEFAULT_BASE_URL, DEFAULT_MODEL
from ..api.secret import BASE_URL_ENV_VARS
from .params import PARAMS, check_range

__all__ = ["AimlSettings", "check_range"]

MODEL_ENV_VARS = ("AIML_MODEL",)
REPLAY_ENV_VAR = "AIML_REPLAY"
REPLAY_MODES = ("off", "auto", "record", "only")

# Trait name -> environment variables that may supply it (first set one wins).
ENV_FALLBACKS: dict[str, tuple[str, ...]] = {
    "model": MODEL_ENV_VARS,
    "base_url": BASE_URL_ENV_VARS,
    "replay": (REPLAY_ENV_VAR,),
}

# Environment values that win even over %config: `AIML_REPLAY=only` is how a CI run promises
# to send nothing, whatever cells of the notebook say (`%aiml replay record`, ...).
PINNED_ENV: dict[str, tuple[str, str]] = {"replay": (REPLAY_ENV_VAR, "only")}

REASONING_MODES = ("show", "collapse", "hide")

# Every setting a user can change, in the order `%aiml config` lists them.
SETTINGS = (
    "model",
    "base_url",
    "system_prompt",
    *(param.name for param in PARAMS),
    "stream",
    "reasoning",
    "max_retries",
    "connect_timeout",
    "read_timeout",
    "context_tokens",
    "context",
    "notebook_context_tokens",
    "update_interval",
    "allow_remote_images",
    "panel",
    "max_tool_rounds",
    "mcp_config",
    "mcp_timeout",
    "schema_retries",
    "replay",
    "replay_path",
    "budget_credits",
)


def parameter_traits() -> dict[str, Any]:
    """One trait per generation parameter (`chat.params.PARAMS`), unset by default."""
    return {
        param.name: (CInt if param.integer else CFloat)(
            None, allow_none=True, help=f"{param.bounds}; unset = not sent."
        ).tag(config=True)
        for param in PARAMS
    }


class AimlSettings(Configurable):
    """Session defaults. Subclassed by the magics so `c.AimlMagics.<trait>` configures them."""

    model = Unicode(DEFAULT_MODEL, help="Default model id (env AIML_MODEL).").tag(config=True)
    base_url = Unicode(
        DEFAULT_BASE_URL, help="Base URL of an OpenAI-compatible API (env AIML_API_BASE)."
    ).tag(config=True)
    system_prompt = Unicode(
        None, allow_none=True, help="System prompt for new chats (unset = none)."
    ).tag(config=True)

    # The class body's namespace is a dict: the declared parameters become traits here.
    locals().update(parameter_traits())

    stream = Bool(True, help="Stream answers as they are generated.").tag(config=True)
    reasoning = Enum(
        REASONING_MODES, "collapse", help="Show reasoning: show, collapse or hide."
    ).tag(config=True)
    max_retries = Int(2, help="Retries on connection errors, timeouts, 408/409/429/5xx.").tag(
        config=True
    )
    connect_timeout = Float(10.0, help="Seconds to wait for a connection.").tag(config=True)
    read_timeout = Float(
        120.0, help="Longest silence (seconds) between bytes before the request fails."
    ).tag(config=True)
    context_tokens = Int(
        32000, help="Budget (estimated tokens) of past turns sent as context."
    ).tag(config=True)
    context = Unicode(
        "none",
        help="Notebook context every %%aiml cell attaches (a --context SPEC such as "
        "cells=3,errors; none = only @mentions).",
    ).tag(config=True)
    notebook_context_tokens = Int(
        3000, help="Budget (estimated tokens) of the notebook context a cell attaches."
    ).tag(config=True)
    update_interval = Float(0.1, help="Seconds between display refreshes while streaming.").tag(
        config=True
    )
    max_tool_rounds = Int(
        5, help="Most rounds of tool calls one cell may run before it stops."
    ).tag(config=True)
    mcp_config = Unicode(
        "",
        help="The mcpServers JSON file of --mcp (unset: .jupyter/mcp.json here, else in the "
        "Jupyter config folder).",
    ).tag(config=True)
    mcp_timeout = Float(
        30.0, help="Seconds an MCP server may take to start or to answer one call."
    ).tag(config=True)
    schema_retries = Int(
        1, help="Repair requests after a --schema answer that does not fit, before the error."
    ).tag(config=True)
    allow_remote_images = Bool(
        False, help="Let answers load remote images (off: shown as links)."
    ).tag(config=True)
    panel = Bool(
        True, help="Show the parameter panel above answers in widget-capable frontends."
    ).tag(config=True)

    replay = Enum(
        REPLAY_MODES,
        "off",
        help="Record and replay answers: off, auto, record or only (env AIML_REPLAY).",
    ).tag(config=True)
    replay_path = Unicode(
        "aiml-replay.jsonl",
        help="Recording file if the kernel does not know its notebook (else NOTEBOOK.aiml.jsonl).",
    ).tag(config=True)
    budget_credits = CFloat(
        None,
        allow_none=True,
        help="Most credits this session may spend (2,000,000 credits = $1); unset = no limit.",
    ).tag(config=True)

    @validate("context")
    def _valid_context_spec(self, proposal: Any) -> Any:
        from .context.errors import ContextError
        from .context.spec import parse_spec

        try:
            return str(parse_spec(proposal["value"]))
        except ContextError as exc:
            raise TraitError(exc.message.replace("--context", "AimlMagics.context")) from None

    @validate("budget_credits")
    def _non_negative_budget(self, proposal: Any) -> Any:
        value = proposal["value"]
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise TraitError(f"budget_credits must be a number >= 0, got {value}")
        return value

    def __init__(self, **kwargs: Any) -> None:
        self._set_in_code: set[str] = set()
        super().__init__(**kwargs)

    @observe(*SETTINGS)
    def _remember_explicit(self, change: Any) -> None:
        if not hasattr(self, "_set_in_code"):
            self._set_in_code = set()
        self._set_in_code.add(change["name"])

    def _explicitly_set(self, name: str) -> bool:
        section = self.config.get(type(self).__name__, {})
        return name in self._set_in_code or name in section

    def resolve(self, name: str, environ: dict[str, str] | None = None) -> tuple[Any, str]:
        """Effective value of a setting and a label saying where it came from."""
        environ = os.environ if environ is None else environ
        if name in PINNED_ENV:
            var, pinned = PINNED_ENV[name]
            if environ.get(var, "").strip().lower() == pinned:
                return pinned, f"environment {var} (wins over %config)"
        if self._explicitly_set(name):
            return getattr(self, name), "%config"
        for var in ENV_FALLBACKS.get(name, ()):
            value = environ.get(var, "").strip()
            if value:
                return value, f"environment {var}"
        return getattr(self, name), "default"

    def effective(self, name: str) -> Any:
        return self.resolve(name)[0]

    def resolve_model(self, requested: str | None) -> str:
        """The model a request goes to: the one it names, else the effective setting."""
        return requested or self.effective("model")

    def default_params(self) -> dict[str, Any]:
        """Generation parameters set at session level (unset ones are not sent)."""
        params = {}
        for param in PARAMS:
            value = getattr(self, param.name)
            if value is not None:
                params[param.name] = value
        return params
