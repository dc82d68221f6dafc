"""An answer that keeps moving while it streams: finished blocks settle, the tail stays live.

Resending the whole answer on every update costs bytes and frontend work that grow with its
length, so the classic view (`views.DisplayView`) updates less and less often. Here finished
top-level blocks (`blocks.settled_cut`) are published once, each in an output of its own that
is never resent, and only the block still being written is replaced in place, every
`interval` seconds. A long open block is shown as consecutive pieces, cut at line boundaries
that keep it reading as one block (`blocks.Split`): a code fence is closed and reopened, a
table repeats its header, an ordered list's piece starts with its own number, a paragraph or
a quotation is cut between lines (it reads as two until the end), an indented code block
between lines. A tail that cannot be cut (one very long line, raw HTML, a `$$` block) falls
back to geometric growth. When the answer ends, the pieces are
replaced by one output holding the whole answer (the outputs above it, such as the panel, are
shown again), so the saved notebook and every renderer see one piece, exactly as a one-piece
answer renders. The Markdown each whole top-level block was neutralised into is kept
(`settled.SettledBlocks`), so the end neutralises only the text after the last one.

Every piece goes through the Markdown neutraliser on its own: a cut can never make hostile
text live, because each output is safe by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..api.result import ChatResult
from ..chat.view import Status
from .blocks import Progress, next_pieces
from .compose import (
    compose_markdown,
    compose_plain,
    escape_markdown_inline,
    neutralize_markdown,
    reasoning_section,
)
from .screen import Bundle, NotebookScreen, Screen, bundle_bytes
from .settled import SettledBlocks
from .style import PLAIN, AnswerStyle
from .views import PublishStats

TAIL_LIMIT = 8_000  # characters of an open block beyond which its updates grow geometrically
TAIL_GROWTH = 1.5
FENCE_PIECE = 2_000  # characters of an open block shown before it is cut into a piece
EMPTY: Bundle = {"text/markdown": "", "text/plain": ""}


@dataclass
class Track:
    """One stream of text (the reasoning or the answer) shown as settled pieces + a tail."""

    pieces: list[str] = field(default_factory=list)  # display ids, never updated again
    tail_id: str | None = None
    settled: int = 0  # characters of the stream already in pieces
    carry: str = ""  # what the tail starts with after a cut inside a block (a fence opener,
    # a table's header, an ordered item's number)
    tail_shown: int = 0  # size of the tail when it was last shown
    closed: bool = False  # collapsed away: no more updates

    def displays(self) -> list[str]:
        return [*self.pieces, *([self.tail_id] if self.tail_id else [])]


class LiveView:
    """An `AnswerView` for cells run by a live frontend (JupyterLab, Notebook 7, VS Code)."""

    def __init__(
        self,
        *,
        style: AnswerStyle = PLAIN,
        notes: list[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        screen: Screen | None = None,
        display_id: str | None = None,
        tail_limit: int = TAIL_LIMIT,
        fence_piece: int = FENCE_PIECE,
    ) -> None:
        self.style = style
        self.interval = max(0.0, style.update_interval)
        self.notes = list(notes or [])
        self.keep_above: list[Bundle] = []  # outputs shown again after the consolidation
        self.stats = PublishStats()
        self.ended = False
        self._clock = clock
        self._screen = screen or NotebookScreen()
        self._head: str | None = display_id  # notes, status, collapsed reasoning
        self._displays = 0  # outputs this view created besides a head it was given
        self._tail_limit = tail_limit
        self._fence_piece = fence_piece
        self._reasoning = Track()
        self._answer = Track()
        self._text = ""
        self._thinking = ""
        self._blocks = SettledBlocks()  # the answer's finished blocks, neutralised once
        self._advanced = ""  # the answer text the blocks were cut from
        self._last = float("-inf")
        self._head_taken = False  # the answer's first piece is shown in the head
        self._head_bundle: Bundle | None = None  # what this view last put in the head
        self._deferred: list[tuple[str, Bundle]] = []  # pieces made final after the new tail

    @property
    def display_id(self) -> str | None:
        """The output holding the answer (after the end: the consolidated one)."""
        return self._head

    @display_id.setter
    def display_id(self, value: str | None) -> None:
        if self._displays == 0:
            self._head = value

    # -- AnswerView ----------------------------------------------------------------------

    def notice(self, message: str) -> None:
        self.notes.append(message)
        self._show_head()

    def update(self, text: str, reasoning: str) -> None:
        first_text = bool(text) and not self._text
        self._text, self._thinking = text, reasoning
        now = self._clock()
        if not first_text and now - self._last < self.interval:
            return
        self._last = now
        shows_reasoning = bool(reasoning) and self.style.reasoning_mode != "hide"
        if text:
            if shows_reasoning and first_text and not self._reasoning.closed:
                self._advance(self._reasoning, reasoning, quoted=True, force=True)
            self._advance(self._answer, text, quoted=False, force=first_text)
            if shows_reasoning and not self._reasoning.closed:
                if self.style.reasoning_mode == "collapse":
                    self._collapse_reasoning()  # after the answer appeared below it
                elif first_text:
                    self._show_head()
        elif shows_reasoning:
            self._show_head()
            self._advance(self._reasoning, reasoning, quoted=True, force=False)
        else:
            self._show_head()

    def finish(
        self, result: ChatResult | None, status: Status = Status.DONE, metadata: dict | None = None
    ) -> None:
        if status is Status.FAILED and not self.stats.publishes:
            return  # nothing was shown, so there is nothing to mark as failed
        if result is not None:
            self._text, self._thinking = result.text, result.reasoning
        self.ended = True
        bundle = {
            "text/markdown": compose_markdown(
                self._text,
                self._thinking,
                result,
                reasoning_mode=self.style.reasoning_mode,
                status=status,
                notes=self.notes,
                allow_remote_images=self.style.allow_remote_images,
                neutralise=self._neutralised_end,
            ),
            "text/plain": compose_plain(
                self._text, result, status=status, notes=self.notes, reasoning=self._thinking
            ),
        }
        if self._displays == 0:
            self._put_head(bundle, metadata)
        else:  # one output for the whole answer, where the pieces were
            self._screen.clear()
            for above in self.keep_above:
                self._screen.show(above)
            self._head = self._screen.show(bundle, metadata)
            self._count(bundle)
        self.stats.final_bytes = bundle_bytes(bundle)

    def _neutralised_end(self, text: str) -> str:
        """The whole answer as safe Markdown, reusing the blocks neutralised while streaming."""
        return self._blocks.neutralised(
            text, self._advanced, allow_remote_images=self.style.allow_remote_images
        )

    # -- pieces --------------------------------------------------------------------------

    def _advance(self, track: Track, text: str, *, quoted: bool, force: bool) -> None:
        """Settle what is finished, then show the tail (unless it grew too little).

        Only the unsettled part is scanned (a settled boundary is a fresh start, or the top
        of a fence whose opener is carried), so the work per update does not grow with the
        length of the answer.
        """
        progress = next_pieces(text, track.settled, track.carry, self._fence_piece)
        shown = [self._settle(track, piece, quoted) for piece in progress.finished]
        if track is self._answer:
            self._keep_blocks(text, progress, shown)
        track.settled, track.carry = progress.settled, progress.carry
        tail = progress.tail
        grown = track.tail_shown == 0 or len(tail) >= track.tail_shown * TAIL_GROWTH
        if tail.strip() and (len(tail) <= self._tail_limit or grown or force):
            track.tail_shown = len(tail)
            self._show_piece(track, tail, quoted)
        self._flush()

    def _keep_blocks(self, text: str, progress: Progress, shown: list[str]) -> None:
        """Remember the Markdown of whole top-level blocks for the end (`settled`)."""
        self._advanced = text
        if progress.block_end is not None:
            self._blocks.add(progress.block_end, shown[0])
            shown = shown[1:]
        if shown:  # the open block was cut into pieces: its Markdown is not the block's
            self._blocks.split_open = True

    def _settle(self, track: Track, piece: str, quoted: bool) -> str:
        """The piece becomes final in the output that showed it as the tail. That update is
        sent after the new tail is shown, so a reader never sees the text shrink. Returns
        the piece's Markdown."""
        bundle = self._piece_bundle(piece, quoted)
        if track.tail_id is None:
            track.tail_id = self._new_output(track, bundle)
            self._count(bundle)
        else:
            self._deferred.append((track.tail_id, bundle))
        track.pieces.append(track.tail_id)
        track.tail_id, track.tail_shown = None, 0
        return bundle["text/markdown"]

    def _show_piece(self, track: Track, text: str, quoted: bool) -> None:
        bundle = self._piece_bundle(text, quoted)
        if track.tail_id is None:
            track.tail_id = self._new_output(track, bundle)
        else:
            self._screen.update(track.tail_id, bundle)
        self._count(bundle)

    def _flush(self) -> None:
        for display_id, bundle in self._deferred:
            self._screen.update(display_id, bundle)
            self._count(bundle)
        self._deferred.clear()

    def _piece_bundle(self, text: str, quoted: bool) -> Bundle:
        markdown = _quoted(text) if quoted else text
        return {
            "text/markdown": neutralize_markdown(
                markdown, allow_remote_images=self.style.allow_remote_images
            ),
            "text/plain": text,
        }

    def _new_output(self, track: Track, bundle: Bundle) -> str:
        """The first piece of a plain answer (no notes, no reasoning shown) takes the head's
        place, so a short answer never needs more than one output."""
        plain_answer = (
            track is self._answer
            and not track.pieces
            and not self.notes
            and not self._reasoning.displays()
            and not self._reasoning.closed
        )
        if plain_answer and not self._head_taken:
            self._head_taken = True
            self._put_head(bundle, None, count=False)
            return self._head  # type: ignore[return-value]
        self._displays += 1
        return self._screen.show(bundle)

    def _collapse_reasoning(self) -> None:
        """The answer began: the reasoning folds into the head; its pieces empty out."""
        track = self._reasoning
        track.closed = True
        for display_id in track.displays():
            self._screen.update(display_id, EMPTY)
            self._count(EMPTY)
        self._show_head()

    # -- the head: notes, what is happening, the folded reasoning ------------------------

    def _show_head(self) -> None:
        if self._head_taken:
            return  # the answer's first piece is there
        pieces = [f"> {escape_markdown_inline(note)}\n\n" for note in self.notes]
        plain = [*self.notes]
        if self._reasoning.closed:
            pieces.append(reasoning_section(self._thinking, open_=False, tokens=None, live=False))
        elif self._thinking and self.style.reasoning_mode != "hide":
            pieces.append("*Reasoning*" if self._text else "*Reasoning (thinking…)*")
            plain.append("(thinking…)")
        elif not self._text:
            waiting = "thinking…" if self._thinking else "waiting for the first token…"
            pieces.append(f"*{waiting}*")
            plain.append(f"({waiting})")
        bundle = {"text/markdown": "".join(pieces).strip() + "\n", "text/plain": "\n\n".join(plain)}
        if bundle != self._head_bundle:  # the head changes rarely: send it only then
            self._put_head(bundle, None)

    def _put_head(self, bundle: Bundle, metadata: dict | None, count: bool = True) -> None:
        self._head_bundle = bundle
        if self._head is None:
            self._head = self._screen.show(bundle, metadata)
        else:
            self._screen.update(self._head, bundle, metadata)
        if count:
            self._count(bundle)

    def _count(self, bundle: Bundle) -> None:
        size = bundle_bytes(bundle)
        self.stats.publishes += 1
        self.stats.bytes_sent += size
        self.stats.sizes.append(size)


def _quoted(text: str) -> str:
    """Reasoning pieces read as a quotation while they stream (a `<details>` element cannot
    span several outputs)."""
    return "".join(f"> {line}" if line.strip() else ">\n" for line in text.splitlines(True))
