"""HTTP client for the AI/ML API: one session, retries before the first byte, typed errors.

`requests` is imported on first use so that `%load_ext aiml_magics` stays fast.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import errors
from .catalogue import ModelInfo, is_chat_model
from .endpoint import DEFAULT_BASE_URL, DEFAULT_MODEL, is_loopback
from .events import StreamEvent
from .result import ChatResult
from .retry import (
    RETRYABLE_STATUSES,
    Pause,
    RetryNotice,
    backoff_seconds,
    retry_after_seconds,
    short_reason,
)
from .secret import Secret, base_url_from_environment, key_from_environment

if TYPE_CHECKING:
    import requests

SIMULATOR_HEADER = "x-aiml-simulator"
MISSING_KEY = (
    "Run `%aiml key` to type it in (kept in memory only), or set AIML_API_KEY in the "
    "environment before starting Jupyter. Never paste the key into a cell: it would be saved "
    "with the notebook."
)
CLOSE_MATCH_TIMEOUT = (2.0, 3.0)  # connect, read: the close-match lookup must not hold up
# Connections kept per host: a comparison's six columns, a batch's workers and the model list
# stream at once through the one session (requests keeps 10 by default).
POOL_SIZE = 16


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"aiml-magics/{version('aiml-magics')}"
    except PackageNotFoundError:
        return "aiml-magics"


class ChatStream:
    """Iterator of typed events for one streamed answer; owns the HTTP response."""

    def __init__(
        self,
        response: requests.Response,
        *,
        requested_model: str,
        params: dict[str, Any],
        started: float,
        read_timeout: float,
        secret: str | None,
    ) -> None:
        from .stream import StreamAccumulator

        self._response = response
        self.accumulator = StreamAccumulator()
        self.inference_id = response.headers.get("x-inference-id")
        self.simulated = SIMULATOR_HEADER in response.headers
        self.requested_model = requested_model
        self.params = params
        self.started = started
        self._read_timeout = read_timeout
        self._secret = secret

    def __iter__(self) -> Iterator[StreamEvent]:
        import requests

        from .sse import iter_sse
        from .stream import decode_events

        pieces = self._response.iter_content(chunk_size=None)
        try:
            for event in decode_events(iter_sse(pieces)):
                self.accumulator.feed(event)
                yield event
        except errors.AimlError as exc:
            exc.inference_id = exc.inference_id or self.inference_id
            exc.redact(self._secret)
            raise
        except requests.exceptions.RequestException as exc:
            raise self._broken(exc) from None
        finally:
            self.close()

    def _broken(self, exc: BaseException) -> errors.StreamError:
        if "timed out" in str(exc).lower():
            message = f"No data arrived for {self._read_timeout:g} s: the stream stalled."
        else:
            message = "The connection broke before the answer was complete."
        return errors.StreamError(
            message + " What was shown is incomplete and was not added to the conversation.",
            inference_id=self.inference_id,
        )

    def close(self) -> None:
        self._response.close()

    def result(self, **extra: Any) -> ChatResult:
        return self.accumulator.result(
            requested_model=self.requested_model,
            inference_id=self.inference_id,
            simulated=self.simulated,
            duration=time.monotonic() - self.started,
            params=self.params,
            **extra,
        )


class AimlClient:
    """Talks to one OpenAI-compatible endpoint with one API key.

    Retries happen only before any byte of an answer arrived; once a stream started, a
    failure is reported, never silently retried.
    """

    def __init__(
        self,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        *,
        max_retries: int = 2,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        on_retry: Callable[[RetryNotice], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(api_key, str):
            api_key = Secret(api_key, "argument") if api_key.strip() else None
        self._key = api_key if api_key is not None else key_from_environment()
        if base_url is None:
            base_url = base_url_from_environment()
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.max_retries = max(0, int(max_retries))
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.on_retry = on_retry
        self._sleep = sleep
        self.pause = Pause()  # shared by every request of this client (and its threads)
        self._session: requests.Session | None = None
        self._pool_size = POOL_SIZE  # connections kept open per host
        self._models: list[ModelInfo] | None = None
        self._models_etag: str | None = None
        self.no_structured_output: set[str] = set()  # models that refused json_schema

    def __repr__(self) -> str:
        key = "set" if self._key else "missing"
        return f"AimlClient(base_url={self.base_url!r}, key={key})"

    @property
    def has_key(self) -> bool:
        return self._key is not None

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            import requests

            session = requests.Session()
            session.verify = True
            session.headers["User-Agent"] = user_agent()
            self._session = session
            self._mount(self._pool_size)
        return self._session

    def pool(self, size: int) -> None:
        """Keep up to `size` connections open per host, so `size` threads (a batch's
        workers, a comparison's columns) each reuse one instead of opening one per request."""
        if size <= self._pool_size:
            return
        self._pool_size = size
        if self._session is not None:
            self._mount(size)

    def _mount(self, size: int) -> None:
        from requests.adapters import HTTPAdapter

        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=size)
        for prefix in ("https://", "http://"):
            self.session.mount(prefix, adapter)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # -- public API ---------------------------------------------------------------------

    def chat(
        self,
        messages: list[dict[str, Any]],
        model: str = DEFAULT_MODEL,
        *,
        on_retry: Callable[[RetryNotice], None] | None = None,
        schema: Any = None,
        schema_retries: int = 1,
        **params: Any,
    ) -> ChatResult:
        """One non-streamed completion. `on_retry` hears this request's retry waits (else the
        client's own `on_retry`); the other keywords are request fields.

        `schema` (a dataclass, TypedDict, Enum, `list[...]`, `Literal[...]`, pydantic model or
        JSON Schema dict) asks for structured output: `result.parsed` holds the typed value,
        after at most `schema_retries` repair requests (SchemaAnswerError when none fits).
        """
        if schema is not None:
            from .schema import OutputSchema, answer_with_schema

            return answer_with_schema(
                lambda messages, fields: self.chat(messages, model, on_retry=on_retry, **fields),
                messages,
                params,
                OutputSchema.of(schema),
                retries=schema_retries,
                native=self.structured_output(model),
                on_refused=lambda: self.no_structured_output.add(model),
            )
        from .stream import result_from_response

        body = chat_body(messages, model, params, stream=False)
        started = time.monotonic()
        response = self._post_chat(body, stream=False, on_retry=on_retry)
        try:
            payload = response.json()
        except ValueError as exc:
            raise errors.StreamError(
                "The service sent a response that is not valid JSON.",
                status=response.status_code,
                inference_id=response.headers.get("x-inference-id"),
            ) from exc
        result = result_from_response(payload, response.headers)
        result.requested_model = model
        result.duration = time.monotonic() - started
        result.params = _visible_params(params)
        return result

    def stream(
        self,
        messages: list[dict[str, Any]],
        model: str = DEFAULT_MODEL,
        *,
        on_retry: Callable[[RetryNotice], None] | None = None,
        **params: Any,
    ) -> ChatStream:
        """Start a streamed completion; iterate the returned object for events."""
        body = chat_body(messages, model, params, stream=True)
        started = time.monotonic()
        response = self._post_chat(body, stream=True, on_retry=on_retry)
        return ChatStream(
            response,
            requested_model=model,
            params=_visible_params(params),
            started=started,
            read_timeout=self.read_timeout,
            secret=self._key.reveal() if self._key else None,
        )

    def models(
        self,
        refresh: bool = False,
        *,
        retries: int | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> list[ModelInfo]:
        """Chat models from `GET {base_url}/models`, cached (revalidated with ETag on refresh).

        The key is sent when there is one (gateways and vLLM protect the list; the AI/ML
        API's is public), under the same https-or-loopback rule as chat.
        """
        if self._models is not None and not refresh:
            return self._models
        headers = {"If-None-Match": self._models_etag} if self._models_etag else {}
        if self._key is not None:
            headers.update(self._authorization())
        response = self._request(
            "GET",
            f"{self.base_url}/models",
            params={"include": "capabilities,modalities,pricing"},
            headers=headers,
            authorize=False,
            retries=retries,
            timeout=timeout,
        )
        if response.status_code == 304 and self._models is not None:
            return self._models
        try:
            entries = response.json().get("data") or []
        except (ValueError, AttributeError):
            raise errors.ServerError(
                "The model list is not the JSON the service sends.",
                status=response.status_code,
                inference_id=response.headers.get("x-inference-id"),
            ) from None
        self._models = [
            ModelInfo.from_api(entry)
            for entry in entries
            if isinstance(entry, dict) and is_chat_model(entry)
        ]
        self._models_etag = response.headers.get("etag")
        return self._models

    def structured_output(self, model: str) -> bool | None:
        """Whether `model` supports `json_schema` structured output: False once the service
        refused it, else what the catalogue says (None: not known)."""
        if model in self.no_structured_output:
            return False
        info = self.model_info(model)
        return None if info is None else info.structured_output

    def vision(self, model: str) -> bool | None:
        """Whether `model` takes image input, as the catalogue says (None: not known)."""
        info = self.model_info(model)
        return None if info is None else info.vision

    def model_info(self, model: str) -> ModelInfo | None:
        """The catalogue entry of `model` (id or alias): one quick look at the cached list,
        never retried; None when it cannot be had or does not list the model."""
        try:
            known = self.models(retries=0, timeout=CLOSE_MATCH_TIMEOUT)
        except errors.AimlError:
            return None
        return next((i for i in known if model == i.id or model in i.aliases), None)

    # -- internals ----------------------------------------------------------------------

    def _authorization(self) -> dict[str, str]:
        """The Authorization header, or none for a keyless server on this machine.

        Local servers (Ollama, LM Studio, vLLM without --api-key) need no key, so with none
        set a loopback URL is asked without one; any other URL needs a key, sent only over
        https (or plain http to loopback).
        """
        parts = urlsplit(self.base_url)
        if self._key is None:
            if is_loopback(parts.hostname):
                return {}
            raise errors.MissingKeyError(MISSING_KEY)
        if parts.scheme != "https" and not is_loopback(parts.hostname):
            raise errors.InsecureURLError(
                f"{self.base_url} is not https, so the key would travel in clear text. "
                "Use an https URL (plain http is allowed only for localhost)."
            )
        return {"Authorization": f"Bearer {self._key.reveal()}"}

    def _post_chat(
        self,
        body: dict[str, Any],
        *,
        stream: bool,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> requests.Response:
        return self._request(
            "POST", f"{self.base_url}/chat/completions", json=body, stream=stream, on_retry=on_retry
        )

    def _request(
        self,
        method: str,
        url: str,
        *,
        authorize: bool = True,
        headers: dict[str, str] | None = None,
        retries: int | None = None,
        timeout: tuple[float, float] | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """The one retry policy: every request of this client, the model list included.

        Before each attempt it waits out the shared pause (a server's Retry-After holds every
        sender of this client, not only the one that was told).
        """
        import requests

        headers = dict(headers or {})
        if authorize:
            headers.update(self._authorization())
        timeout = timeout or (self.connect_timeout, self.read_timeout)
        retries = self.max_retries if retries is None else max(0, retries)
        attempt = 0
        covered = None  # the shared pause's end that this sender's own wait already covered
        while True:
            if covered is None or self.pause.until() > covered:  # moved by another sender
                held = self.pause.remaining()
                if held > 0:
                    self._sleep(held)
            response = None
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=timeout, **kwargs
                )
            except requests.exceptions.ChunkedEncodingError:
                raise errors.StreamError(
                    "The response was cut short; nothing was added to the conversation."
                ) from None
            except requests.exceptions.Timeout as exc:
                error: errors.AimlError = errors.TimeoutError(
                    f"No answer from {urlsplit(url).netloc} within the timeout "
                    f"({short_reason(exc)}).",
                    hint="Raise AimlMagics.read_timeout or connect_timeout if the model is slow.",
                )
                reason = "timeout"
            except requests.exceptions.ConnectionError as exc:
                error = errors.ConnectionError(
                    f"Could not reach {urlsplit(url).netloc}: {short_reason(exc)}.",
                    hint="Check the network and AimlMagics.base_url.",
                )
                reason = "connection failed"
            else:
                if response.status_code < 400 or response.status_code == 304:
                    return response
                error = self._error_from_response(response, kwargs.get("json"))
                reason = f"{response.status_code} {response.reason or ''}".strip()
                if response.status_code not in RETRYABLE_STATUSES:
                    raise error
            told = retry_after_seconds(response.headers if response is not None else None)
            if told is not None:
                self.pause.hold(told)
            error.retry_after = told if told is not None else backoff_seconds(attempt)
            if attempt >= retries:
                raise error
            wait = max(error.retry_after, self.pause.remaining())  # never before another's
            covered = self.pause.until()
            attempt += 1
            notify = on_retry or self.on_retry
            if notify is not None:
                notify(RetryNotice(attempt, retries, wait, reason))
            self._sleep(wait)

    def _error_from_response(
        self, response: requests.Response, body: dict[str, Any] | None
    ) -> errors.AimlError:
        try:
            content = response.content
        except Exception:  # a body cut short still deserves the status-based error
            content = b""
        finally:
            response.close()
        error = errors.error_for_status(
            response.status_code,
            content,
            inference_id=response.headers.get("x-inference-id"),
        )
        error.redact(self._key.reveal() if self._key else None)
        if response.status_code == 401 and self._key is None:  # a local server that wants one
            return errors.MissingKeyError(
                f"{urlsplit(self.base_url).netloc} asks for an API key and none is set. "
                + MISSING_KEY,
                status=401,
                inference_id=error.inference_id,
                full_message=error.full_message,
            )
        model = (body or {}).get("model")
        if model and response.status_code in (400, 404) and self._model_unknown(model):
            suggestions = self._close_matches(model)
            hint = f"Did you mean {', '.join(suggestions)}?" if suggestions else ""
            return errors.ModelNotFoundError(
                f"{model!r} is not a model this service offers. {hint}".strip(),
                status=response.status_code,
                inference_id=error.inference_id,
                hint="`%aiml models` lists the available ones.",
                full_message=error.full_message,  # the server's own words
            )
        return error

    def _model_unknown(self, model: str) -> bool:
        """Whether the list says the model does not exist: one quick attempt, never retried
        and silent when it fails, so the service's own error is not delayed."""
        try:
            known = self.models(retries=0, timeout=CLOSE_MATCH_TIMEOUT)
        except errors.AimlError:
            return False
        return bool(known) and not any(model == m.id or model in m.aliases for m in known)

    def _close_matches(self, model: str) -> list[str]:
        names = [n for m in self._models or [] for n in [m.id, *m.aliases]]
        matches = difflib.get_close_matches(model, names, n=3, cutoff=0.5)
        tail = model.rsplit("/", 1)[-1].lower()
        matches += [n for n in names if tail and tail in n.lower() and n not in matches]
        return matches[:3]


def chat_body(
    messages: list[dict[str, Any]], model: str, params: dict[str, Any], *, stream: bool
) -> dict[str, Any]:
    """The JSON body of one chat request: what `chat`/`stream` send and `--dry-run` shows."""
    body = {"model": model, "messages": messages, **params, "stream": stream}
    if stream:
        body.setdefault("stream_options", {"include_usage": True})
    return body


def _visible_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters worth recording with an answer (transport details left out)."""
    return {k: v for k, v in params.items() if k not in {"stream", "stream_options"}}
