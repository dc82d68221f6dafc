"""HTTP client for the AI/ML API: one session, retries before the first byte, typed errors.

`requests` is imported on first use so that `%load_ext aiml_magics` stays fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import errors
from .cache import cache_folder as cache_dir
from .chatstream import ChatStream
from .endpoint import DEFAULT_BASE_URL, DEFAULT_MODEL, is_loopback
from .lookups import ServiceLookups
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
from .service import is_client_request_id

if TYPE_CHECKING:
    import requests

MISSING_KEY = (
    "Run `%aiml key` to type it in (kept in memory only), or set AIML_API_KEY in the "
    "environment before starting Jupyter. Never paste the key into a cell: it would be saved "
    "with the notebook."
)
CLIENT_REQUEST_ID = "X-Client-Request-Id"
# Connections kept per host: a comparison's six columns, a batch's workers and the model list
# stream at once through the one session (requests keeps 10 by default).
POOL_SIZE = 16


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"aiml-magics/{version('aiml-magics')}"
    except PackageNotFoundError:
        return "aiml-magics"


class AimlClient(ServiceLookups):
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
        cache_folder: Any = None,
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
        # Where the catalogue is kept: fixed now, so a later change of the environment (or a
        # background fetch outliving a test's temporary folder) cannot move it.
        self.cache_folder = Path(cache_folder) if cache_folder is not None else cache_dir()
        self._init_lookups()

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
        client_request_id: str | None = None,
        **params: Any,
    ) -> ChatResult:
        """One non-streamed completion. `on_retry` hears this request's retry waits (else the
        client's own `on_retry`); `client_request_id` is sent as `X-Client-Request-Id` (see
        `service.client_request_id`); the other keywords are request fields.

        `schema` (a dataclass, TypedDict, Enum, `list[...]`, `Literal[...]`, pydantic model or
        JSON Schema dict) asks for structured output: `result.parsed` holds the typed value,
        after at most `schema_retries` repair requests (SchemaAnswerError when none fits).
        """
        if schema is not None:
            from .schema import OutputSchema, answer_with_schema

            return answer_with_schema(
                lambda messages, fields: self.chat(
                    messages,
                    model,
                    on_retry=on_retry,
                    client_request_id=client_request_id,
                    **fields,
                ),
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
        response = self._post_chat(
            body, stream=False, on_retry=on_retry, client_request_id=client_request_id
        )
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
        result.client_request_id = client_request_id
        return result

    def stream(
        self,
        messages: list[dict[str, Any]],
        model: str = DEFAULT_MODEL,
        *,
        on_retry: Callable[[RetryNotice], None] | None = None,
        client_request_id: str | None = None,
        **params: Any,
    ) -> ChatStream:
        """Start a streamed completion; iterate the returned object for events."""
        body = chat_body(messages, model, params, stream=True)
        started = time.monotonic()
        response = self._post_chat(
            body, stream=True, on_retry=on_retry, client_request_id=client_request_id
        )
        stream = ChatStream(
            response,
            requested_model=model,
            params=_visible_params(params),
            started=started,
            read_timeout=self.read_timeout,
            secret=self._key.reveal() if self._key else None,
        )
        stream.client_request_id = client_request_id
        return stream

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
        client_request_id: str | None = None,
    ) -> requests.Response:
        headers = {}
        if client_request_id is not None:
            if not is_client_request_id(client_request_id):
                raise errors.UsageError(
                    f"{client_request_id!r} is not a client request id: 1 to 128 of "
                    "A-Z a-z 0-9 . _ : - (service.client_request_id makes one)."
                )
            headers[CLIENT_REQUEST_ID] = client_request_id
        return self._request(
            "POST",
            f"{self.base_url}/chat/completions",
            json=body,
            stream=stream,
            on_retry=on_retry,
            headers=headers,
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
            response, error, reason = self._attempt(method, url, headers, timeout, kwargs)
            if error is None:
                return response
            told = retry_after_seconds(response.headers if response is not None else None)
            if told is not None:
                self.pause.hold(told)
            error.retry_after = told if told is not None else backoff_seconds(attempt)
            if attempt >= retries:
                if attempt:
                    tries = f"{attempt} retr{'y' if attempt == 1 else 'ies'}"
                    error.hint = " ".join(filter(None, [f"Gave up after {tries}.", error.hint]))
                raise error
            wait = max(error.retry_after, self.pause.remaining())  # never before another's
            covered = self.pause.until()
            attempt += 1
            notify = on_retry or self.on_retry
            if notify is not None:
                notify(RetryNotice(attempt, retries, wait, reason))
            self._sleep(wait)

    def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        timeout: tuple[float, float],
        kwargs: dict[str, Any],
    ) -> tuple[Any, errors.AimlError | None, str]:
        """One try: the response and no error, or what went wrong and whether to try again
        (an error that must not be retried is raised here)."""
        import requests

        try:
            response = self.session.request(method, url, headers=headers, timeout=timeout, **kwargs)
        except requests.exceptions.ChunkedEncodingError:
            raise errors.StreamError(
                "The response was cut short; nothing was added to the conversation."
            ) from None
        except requests.exceptions.Timeout as exc:
            return (
                None,
                errors.RequestTimeoutError(
                    f"No answer from {urlsplit(url).netloc} within the timeout "
                    f"({short_reason(exc)}).",
                    hint="Raise AimlMagics.read_timeout or connect_timeout if the model is slow.",
                ),
                "timeout",
            )
        except requests.exceptions.ConnectionError as exc:
            return (
                None,
                errors.ConnectionFailedError(
                    f"Could not reach {urlsplit(url).netloc}: {short_reason(exc)}.",
                    hint="Check the network and AimlMagics.base_url.",
                ),
                "connection failed",
            )
        if response.status_code < 400 or response.status_code == 304:
            return response, None, ""
        error = self._error_from_response(response, kwargs.get("json"))
        if response.status_code not in RETRYABLE_STATUSES:
            raise error
        return response, error, f"{response.status_code} {response.reason or ''}".strip()

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
        if model and response.status_code in (400, 404):
            return self._unknown_model_error(str(model), response.status_code, error) or error
        return error


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
