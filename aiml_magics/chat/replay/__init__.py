"""Record and replay answers, one request at a time (`AimlMagics.replay`).

A recording is keyed by what decides the answer, never by the key, headers or timing. The file
is JSON Lines beside the notebook, shared safely between kernels. `send._exchange` is the only
caller, so every sender (a cell, Regenerate, the tool loop, `%aiml fix`) replays request by
request.

The parts, each importing only those listed before it:

* ``key``: the canonical request, its digest, and how two requests differ;
* ``records``: one recording and its line in the file;
* ``store``: the file, appended and replaced under an exclusive lock;
* ``paths``: where the file of a notebook lives, and how it is shown;
* ``messages``: the one-line error of a request that was not recorded;
* ``policy``: the mode of a turn, what it answers and what it records.
"""

from .key import canonical_request, image_summary, request_key
from .messages import cell_label
from .paths import recording_path, shown_path
from .policy import Replay, mode_of
from .records import Recording
from .store import ReplayStore

__all__ = [
    "Recording",
    "Replay",
    "ReplayStore",
    "canonical_request",
    "cell_label",
    "image_summary",
    "mode_of",
    "recording_path",
    "request_key",
    "shown_path",
]
