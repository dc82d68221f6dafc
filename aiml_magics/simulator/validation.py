"""Request-body checks for `POST /v1/chat/completions`, worded like the service's zod errors.

The real service rejects out-of-range parameters with `400 Body validation error: ...`; the
simulator is at least as strict so a client bug shows up offline, not in production.
Unknown top-level fields are accepted because other models take them.
"""

from __future__ import annotations

from typing import Any

from .catalogue import find_model

ROLES = ("system", "user", "assistant", "tool")
TOOL_CHOICES = ("none", "auto", "required")
FORMAT_TYPES = ("text", "json_object", "json_schema")
IMAGE_DETAILS = ("low", "high", "auto")
FORBIDDEN_ASSISTANT_KEYS = ("reasoning_content", "reasoning")
MAX_TOOLS = 128

Issues = list[tuple[str, str]]


def validation_error(body: Any) -> str | None:
    """The 400 message for an invalid body, or None when the body is acceptable."""
    issues: Issues = []
    if not isinstance(body, dict):
        issues.append(("", f"Expected object, received {_kind(body)}"))
    else:
        _check_body(body, issues)
    if not issues:
        return None
    details = "; ".join(f"{path}: {text}" if path else text for path, text in issues)
    return f"Body validation error: {details}"


def _check_body(body: dict[str, Any], issues: Issues) -> None:
    _check_model(body, issues)
    _check_messages(body.get("messages"), issues)
    _number(body, "max_tokens", issues, low=1, integer=True)
    _number(body, "temperature", issues, low=0, high=2)
    _number(body, "top_p", issues, low=0.01, high=1)
    _number(body, "frequency_penalty", issues, low=-2, high=2)
    _number(body, "presence_penalty", issues, low=-2, high=2)
    _number(body, "seed", issues, low=1, integer=True)
    _boolean(body, "stream", issues)
    _boolean(body, "parallel_tool_calls", issues)
    if "stream_options" in body and _is(body, "stream_options", dict, "stream_options", issues):
        if "include_usage" not in body["stream_options"]:
            issues.append(("stream_options.include_usage", "Required"))
        else:
            _boolean(body["stream_options"], "include_usage", issues, "stream_options.")
    _check_tools(body, issues)
    _check_tool_choice(body, issues)
    _check_response_format(body, issues)


def _check_model(body: dict[str, Any], issues: Issues) -> None:
    if "model" not in body:
        issues.append(("model", "Required"))
    elif _is(body, "model", str, "model", issues):
        model = find_model(body["model"])
        if model is None or not model.is_chat:
            issues.append(("model", f"Invalid model '{body['model']}'"))


def _check_messages(messages: Any, issues: Issues) -> None:
    if messages is None:
        issues.append(("messages", "Required"))
        return
    if not isinstance(messages, list):
        issues.append(("messages", f"Expected array, received {_kind(messages)}"))
        return
    if not messages:
        issues.append(("messages", "Array must contain at least 1 element(s)"))
    for index, message in enumerate(messages):
        path = f"messages.{index}"
        if not isinstance(message, dict):
            issues.append((path, f"Expected object, received {_kind(message)}"))
            continue
        role = message.get("role")
        if role not in ROLES:
            expected = " | ".join(f"'{r}'" for r in ROLES)
            issues.append((f"{path}.role", f"Invalid discriminator value. Expected {expected}"))
            continue
        _check_message(role, message, path, issues)


def _check_message(role: str, message: dict[str, Any], path: str, issues: Issues) -> None:
    content = message.get("content")
    if role == "tool":
        _required(message, "content", str, path, issues)
        _required(message, "tool_call_id", str, path, issues)
    elif role == "assistant":
        extra = [key for key in FORBIDDEN_ASSISTANT_KEYS if key in message]
        if extra:
            names = ", ".join(f"'{key}'" for key in extra)
            issues.append((path, f"Unrecognized key(s) in object: {names}"))
        if content is not None and not isinstance(content, str):
            _check_parts(content, f"{path}.content", issues, images=False)
        if "tool_calls" in message and not isinstance(message["tool_calls"], list):
            kind = _kind(message["tool_calls"])
            issues.append((f"{path}.tool_calls", f"Expected array, received {kind}"))
    elif "content" not in message:
        issues.append((f"{path}.content", "Required"))
    elif not isinstance(content, str):
        _check_parts(content, f"{path}.content", issues, images=role == "user")


def _check_parts(parts: Any, path: str, issues: Issues, *, images: bool) -> None:
    if not isinstance(parts, list):
        issues.append((path, f"Expected string, received {_kind(parts)}"))
        return
    allowed = ("text", "image_url") if images else ("text",)
    for index, part in enumerate(parts):
        where = f"{path}.{index}"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in allowed:
            expected = " | ".join(f"'{t}'" for t in allowed)
            issues.append((f"{where}.type", f"Invalid discriminator value. Expected {expected}"))
        elif kind == "text":
            _required(part, "text", str, where, issues)
        elif _required(part, "image_url", dict, where, issues):
            image = part["image_url"]
            _required(image, "url", str, f"{where}.image_url", issues)
            if "detail" in image and image["detail"] not in IMAGE_DETAILS:
                issues.append((f"{where}.image_url.detail", _enum(IMAGE_DETAILS, image["detail"])))


def _check_tools(body: dict[str, Any], issues: Issues) -> None:
    if "tools" not in body or not _is(body, "tools", list, "tools", issues):
        return
    tools = body["tools"]
    if len(tools) > MAX_TOOLS:
        issues.append(("tools", f"Array must contain at most {MAX_TOOLS} element(s)"))
    for index, tool in enumerate(tools):
        path = f"tools.{index}"
        if not isinstance(tool, dict):
            issues.append((path, f"Expected object, received {_kind(tool)}"))
            continue
        if tool.get("type") != "function":
            issues.append((f"{path}.type", 'Invalid literal value, expected "function"'))
        if not _required(tool, "function", dict, path, issues):
            continue
        function = tool["function"]
        _required(function, "name", str, f"{path}.function", issues)
        if "description" in function:
            _is(function, "description", str, f"{path}.function.description", issues)
        if "parameters" in function:
            _is(function, "parameters", dict, f"{path}.function.parameters", issues)


def _check_tool_choice(body: dict[str, Any], issues: Issues) -> None:
    if "tool_choice" not in body:
        return
    choice = body["tool_choice"]
    if choice in TOOL_CHOICES:
        return
    if (
        isinstance(choice, dict)
        and choice.get("type") == "function"
        and isinstance(choice.get("function"), dict)
        and isinstance(choice["function"].get("name"), str)
    ):
        return
    issues.append(("tool_choice", "Invalid input"))


def _check_response_format(body: dict[str, Any], issues: Issues) -> None:
    if "response_format" not in body:
        return
    if not _is(body, "response_format", dict, "response_format", issues):
        return
    kind = body["response_format"].get("type")
    if kind not in FORMAT_TYPES:
        issues.append(("response_format.type", _enum(FORMAT_TYPES, kind)))
    elif kind == "json_schema":
        spec = body["response_format"]
        if _required(spec, "json_schema", dict, "response_format", issues):
            _required(spec["json_schema"], "name", str, "response_format.json_schema", issues)
            _required(spec["json_schema"], "schema", dict, "response_format.json_schema", issues)
        model = find_model(body["model"]) if isinstance(body.get("model"), str) else None
        capabilities = model.extras.get("capabilities") if model is not None else None
        if isinstance(capabilities, list) and "structured_output" not in capabilities:
            issues.append(
                (
                    "response_format.type",
                    f"json_schema (structured output) is not supported by {model.id}; "
                    "use json_object",
                )
            )


def _number(
    body: dict[str, Any],
    key: str,
    issues: Issues,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
) -> None:
    if key not in body:
        return
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        issues.append((key, f"Expected number, received {_kind(value)}"))
    elif integer and not float(value).is_integer():
        issues.append((key, "Expected integer, received float"))
    elif low is not None and value < low:
        issues.append((key, f"Number must be greater than or equal to {low}"))
    elif high is not None and value > high:
        issues.append((key, f"Number must be less than or equal to {high}"))


def _boolean(body: dict[str, Any], key: str, issues: Issues, prefix: str = "") -> None:
    if key in body and not isinstance(body[key], bool):
        issues.append((prefix + key, f"Expected boolean, received {_kind(body[key])}"))


def _required(obj: dict[str, Any], key: str, kind: type, path: str, issues: Issues) -> bool:
    if key not in obj:
        issues.append((f"{path}.{key}", "Required"))
        return False
    return _is(obj, key, kind, f"{path}.{key}", issues)


def _is(obj: dict[str, Any], key: str, kind: type, path: str, issues: Issues) -> bool:
    if isinstance(obj[key], kind):
        return True
    issues.append((path, f"Expected {_KIND_NAMES[kind]}, received {_kind(obj[key])}"))
    return False


def _enum(allowed: tuple[str, ...], value: Any) -> str:
    expected = " | ".join(f"'{v}'" for v in allowed)
    return f"Invalid enum value. Expected {expected}, received '{value}'"


_KIND_NAMES = {str: "string", dict: "object", list: "array", bool: "boolean"}


def _kind(value: Any) -> str:
    """The JavaScript-ish type name zod prints after `received`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
