"""One streamed answer: the HTTP response it reads, the events it yields, the result."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import errors
from .events import StreamEvent
from .result import ChatResult

if TYPE_CHECKING:
    import requests

SIMULATOR_HEADER = "x-aiml-simulator"


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
        self.client_request_id: str | None = None  # sent as X-Client-Request-Id

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
            client_request_id=self.client_request_id,
            **extra,
        )
