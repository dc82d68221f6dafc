"""How `iter_sse` turns a `text/event-stream` body, delivered in any pieces, into events."""

from __future__ import annotations

from aiml_magics.api.sse import ServerSentEvent, iter_sse


def decode(*pieces: bytes) -> list[ServerSentEvent]:
    return list(iter_sse(pieces))


# A stream exercising most rules at once: a BOM, every line ending, a comment, a multi-line
# data field, named events, ids, a retry, and multibyte UTF-8 (2, 3 and 4 bytes).
SAMPLE = (
    "\ufeff: keep-alive\r\n"
    "data: caf\u00e9\r\n"
    "data: au lait\r\n"
    "\r\n"
    "event: update\rid: 7\rdata: line one\rdata: \u20ac two\r\r"
    "retry: 1500\n"
    "data:\U0001f600\n"
    "\n"
    "data: [DONE]\n\n"
).encode()

SAMPLE_EVENTS = [
    ServerSentEvent(data="caf\u00e9\nau lait"),
    ServerSentEvent(data="line one\n\u20ac two", event="update", id="7"),
    ServerSentEvent(data="\U0001f600", id="7", retry=1500),
    ServerSentEvent(data="[DONE]", id="7", retry=1500),
]


def test_the_sample_stream_decodes_as_documented():
    assert decode(SAMPLE) == SAMPLE_EVENTS


def test_pieces_split_at_every_byte_offset_give_the_same_events():
    for cut in range(len(SAMPLE) + 1):
        assert decode(SAMPLE[:cut], SAMPLE[cut:]) == SAMPLE_EVENTS, f"cut at byte {cut}"


def test_pieces_split_at_every_pair_of_offsets_give_the_same_events():
    size = len(SAMPLE)
    for first in range(size + 1):
        for second in range(first, size + 1):
            pieces = (SAMPLE[:first], SAMPLE[first:second], SAMPLE[second:])
            assert decode(*pieces) == SAMPLE_EVENTS, f"cuts at {first} and {second}"


def test_one_byte_pieces_give_the_same_events():
    assert decode(*(SAMPLE[i : i + 1] for i in range(len(SAMPLE)))) == SAMPLE_EVENTS


def test_a_cr_ending_one_piece_and_a_lf_opening_the_next_are_one_line_ending():
    # Were they two endings, the blank line between would split the event in two.
    assert decode(b"data: a\r", b"\ndata: b\r\n\r\n") == [ServerSentEvent(data="a\nb")]


def test_a_lone_cr_at_a_piece_boundary_still_ends_the_line():
    assert decode(b"data: a\r", b"\r", b"data: b\r", b"\r") == [
        ServerSentEvent(data="a"),
        ServerSentEvent(data="b"),
    ]


def test_empty_pieces_are_harmless():
    assert decode(b"", b"data: a\r", b"", b"\n\n", b"") == [ServerSentEvent(data="a")]


def test_data_lines_of_one_event_are_joined_with_newlines():
    assert decode(b'data: {\ndata:  "a": 1\ndata: }\n\n') == [ServerSentEvent(data='{\n "a": 1\n}')]


def test_only_one_space_after_the_colon_is_removed():
    assert decode(b"data:no space\n\ndata:  two spaces\n\n") == [
        ServerSentEvent(data="no space"),
        ServerSentEvent(data=" two spaces"),
    ]


def test_a_line_without_colon_is_a_field_with_an_empty_value():
    assert decode(b"data\ndata\n\n") == [ServerSentEvent(data="\n")]


def test_an_empty_data_line_still_makes_an_event():
    assert decode(b"data:\n\n") == [ServerSentEvent(data="")]


def test_comments_are_ignored():
    assert decode(b": ping\n\n:\ndata: x\n: inside an event\n\n") == [ServerSentEvent(data="x")]


def test_unknown_fields_are_ignored():
    assert decode(b"foo: bar\ndata: x\nDATA: upper case is another field\n\n") == [
        ServerSentEvent(data="x")
    ]


def test_events_without_data_are_not_dispatched():
    assert decode(b"event: ping\n\nid: 1\n\nretry: 10\n\n") == []


def test_the_event_name_applies_to_one_event_only():
    assert decode(b"event: error\ndata: a\n\ndata: b\n\n") == [
        ServerSentEvent(data="a", event="error"),
        ServerSentEvent(data="b"),
    ]


def test_an_event_name_without_data_does_not_leak_into_the_next_event():
    assert decode(b"event: ping\n\ndata: b\n\n") == [ServerSentEvent(data="b")]


def test_an_empty_event_name_means_message():
    assert decode(b"event:\ndata: a\n\n") == [ServerSentEvent(data="a")]


def test_the_last_event_id_persists_until_changed():
    assert decode(b"id: 1\ndata: a\n\ndata: b\n\nid:\ndata: c\n\n") == [
        ServerSentEvent(data="a", id="1"),
        ServerSentEvent(data="b", id="1"),
        ServerSentEvent(data="c", id=""),
    ]


def test_an_id_containing_nul_is_ignored():
    assert decode(b"id: 1\ndata: a\n\nid: 2\x00\ndata: b\n\n")[1] == ServerSentEvent("b", id="1")


def test_retry_takes_ascii_digits_only():
    events = decode(b"retry: 20\ndata: a\n\nretry: 3s\ndata: b\n\nretry: \xc2\xb2\ndata: c\n\n")
    assert [event.retry for event in events] == [20, 20, 20]


def test_a_leading_bom_is_ignored_even_when_split():
    assert decode(b"\xef\xbb", b"\xbfdata: a\n\n") == [ServerSentEvent(data="a")]


def test_a_bom_later_in_the_stream_is_data():
    assert decode(b"data: \xef\xbb\xbfa\n\n") == [ServerSentEvent(data="\ufeffa")]


def test_an_event_open_at_the_end_of_input_is_dispatched():
    assert decode(b'data: a\n\ndata: {"cut') == [
        ServerSentEvent(data="a"),
        ServerSentEvent(data='{"cut'),
    ]


def test_an_open_event_ending_with_a_line_break_is_dispatched():
    assert decode(b"data: [DONE]\n") == [ServerSentEvent(data="[DONE]")]


def test_fields_without_data_at_the_end_of_input_dispatch_nothing():
    assert decode(b"data: a\n\nevent: x\nid: 3") == [ServerSentEvent(data="a")]


def test_invalid_utf8_is_replaced_not_fatal():
    assert decode(b"data: a\xffb\n\ndata: \xe2\x82") == [
        ServerSentEvent(data="a\ufffdb"),
        ServerSentEvent(data="\ufffd"),
    ]


def test_unicode_line_separators_inside_data_do_not_end_lines():
    # JSON allows raw U+2028, U+0085 and form feeds inside strings; only CR and LF end a line.
    text = 'data: {"t": "a\u2028b\u0085c\x0cd"}\n\n'
    assert decode(text.encode()) == [ServerSentEvent(data=text[6:-2])]


def test_a_long_line_split_into_many_pieces_is_reassembled():
    line = b"data: " + b"x" * 100_000 + b"\n\n"
    pieces = [line[i : i + 7] for i in range(0, len(line), 7)]
    assert decode(*pieces) == [ServerSentEvent(data="x" * 100_000)]


def test_events_are_yielded_as_their_pieces_arrive():
    # A renderer shows text as it streams: nothing may wait for the end of input.
    def pieces():
        yield b"data: first\n\n"
        raise AssertionError("read past the first event")

    assert next(iter_sse(pieces())) == ServerSentEvent(data="first")
