"""Server profiles: the simulator behaving like the AI/ML API or like another OpenAI-compatible
server (OpenAI itself, a LiteLLM proxy, vLLM, Ollama).

The chat protocol is the same everywhere; what differs, and what a client has to cope with, is
collected here: the model list's shape and whether it needs the key, the error bodies, the
unknown-model answer, and the stream details (no `meta` cost, usage only when
`stream_options.include_usage` asks for it, the reasoning field's name). A `Reply` field left
at `None` takes the profile's value, so one script runs against every profile.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .replies import Reply


@dataclass(frozen=True)
class Profile:
    name: str
    catalogue: str  # shape of GET /v1/models: "aiml", "openai", "litellm" or "vllm"
    owned_by: str  # `owned_by` of OpenAI-shaped list entries
    models_need_key: bool  # gateways and vLLM --api-key protect the list; the AI/ML API does not
    error_body: str  # shape of every error body (see error_bodies.py)
    auth_error_body: str  # shape of the 401 (vLLM's middleware answers `{"error": "Unauthorized"}`)
    auth_message: str
    cost: bool  # `meta.usage` and the x-aimlapi-* headers: the AI/ML API's own
    usage_always: bool  # usage even without stream_options.include_usage
    reasoning_key: str  # "reasoning_content", "reasoning", or "none" (never sent)
    inference_header: bool  # x-inference-id on every response
    unknown_model_status: int | None  # None: the AI/ML API's 400 validation error
    unknown_model_message: str = ""

    def resolve(self, reply: Reply, body: Any) -> Reply:
        """`reply` with every field it left to the profile filled in for this request."""
        stream_options = body.get("stream_options") if isinstance(body, dict) else None
        asked = isinstance(stream_options, dict) and stream_options.get("include_usage") is True
        changes: dict[str, Any] = {}
        if reply.error_body is None:
            changes["error_body"] = self.error_body
        if reply.reasoning_key is None:
            changes["reasoning_key"] = self.reasoning_key
        if reply.meta_on is None:
            changes["meta_on"] = "last" if self.cost else "none"
        if reply.send_usage is None:
            changes["send_usage"] = self.usage_always or asked
        if not changes:
            return reply
        resolved = dataclasses.replace(reply, **changes)
        resolved.prebuilt_cache = reply.prebuilt_cache  # benchmarks build a body once per reply
        return resolved


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "aiml",
            catalogue="aiml",
            owned_by="",
            models_need_key=False,
            error_body="flat",
            auth_error_body="flat",
            auth_message="",  # error_bodies.MESSAGES[401]
            cost=True,
            usage_always=True,
            reasoning_key="reasoning_content",
            inference_header=True,
            unknown_model_status=None,
        ),
        Profile(
            "openai",
            catalogue="openai",
            owned_by="system",
            models_need_key=True,
            error_body="openai",
            auth_error_body="openai",
            auth_message=(
                "Incorrect API key provided. You can find your API key in your account settings."
            ),
            cost=False,
            usage_always=False,
            reasoning_key="none",
            inference_header=False,
            unknown_model_status=404,
            unknown_model_message=(
                "The model `{model}` does not exist or you do not have access to it."
            ),
        ),
        Profile(
            "litellm",
            catalogue="litellm",
            owned_by="openai",
            models_need_key=True,
            error_body="litellm",
            auth_error_body="litellm",
            auth_message=(
                "Authentication Error, Invalid proxy server token passed. Unable to find token "
                "in cache or `LiteLLM_VerificationTokenTable`"
            ),
            cost=False,
            usage_always=False,
            reasoning_key="reasoning_content",
            inference_header=False,
            unknown_model_status=400,
            unknown_model_message=(
                "Invalid model name passed in model={model}. Call `/v1/models` to view "
                "available models for your key."
            ),
        ),
        Profile(
            "vllm",
            catalogue="vllm",
            owned_by="vllm",
            models_need_key=True,
            error_body="vllm",
            auth_error_body="string",
            auth_message="Unauthorized",
            cost=False,
            usage_always=False,
            reasoning_key="reasoning_content",
            inference_header=False,
            unknown_model_status=404,
            unknown_model_message="The model `{model}` does not exist.",
        ),
        Profile(
            "ollama",
            catalogue="openai",
            owned_by="library",
            models_need_key=False,
            error_body="ollama",
            auth_error_body="ollama",
            auth_message="unauthorized",
            cost=False,
            usage_always=False,
            reasoning_key="reasoning",
            inference_header=False,
            unknown_model_status=404,
            unknown_model_message='model "{model}" not found, try pulling it first',
        ),
    )
}
NAMES = tuple(PROFILES)
KEYLESS_BY_DEFAULT = ("ollama",)  # Ollama has no keys; the command line starts it without one


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"profile must be one of {', '.join(NAMES)}; got {name!r}") from None
