"""A local stand-in for the AI/ML API, for tests, CI notebooks and offline use.

    from aiml_magics.simulator import Simulator, Reply

    with Simulator() as sim:
        sim.script(Reply(content="Hello"), Reply.error(429, headers={"Retry-After": "1"}))
        ...  # point the client at sim.base_url with key sim.api_key

Standard library only, so importing it never pulls in the client's dependencies.
"""

from .media import VideoPlan
from .records import RecordedRequest
from .replies import Fault, Reply
from .server import DEFAULT_KEY, Simulator

__all__ = ["DEFAULT_KEY", "Fault", "RecordedRequest", "Reply", "Simulator", "VideoPlan"]
