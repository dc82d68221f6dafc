"""What the send path needs of a session: the members it reads and writes, as Protocols.

`send.send_turn` and `budget` are typed against these, not against `Session`, so the
session (plain state) depends on the send path and not the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..api.client import AimlClient
    from ..api.errors import AimlError
    from ..api.result import ChatResult
    from .conversation import ChatStore
    from .request import TurnRequest
    from .settings import AimlSettings


class Spender(Protocol):
    """What a budget checks: the settings (`budget_credits`), what was spent, and how long
    answers of a model were."""

    settings: AimlSettings

    def spent_credits(self) -> float: ...

    def output_tokens(self, model: str) -> list[int]: ...


class Sender(Spender, Protocol):
    """What `send_turn` uses: chats, the namespace, the client, replay and the totals."""

    namespace: dict[str, Any]
    chats: ChatStore
    listeners: list[Callable[[ChatResult], None]]
    last_error: AimlError | None

    def client(self) -> AimlClient: ...

    def replay(self, request: TurnRequest | None = None) -> Any: ...

    def model_notes(self, request: TurnRequest) -> list[str]: ...

    def record_usage(self, model: str, result: ChatResult) -> None: ...

    def record_saved(self, model: str, result: ChatResult) -> None: ...
