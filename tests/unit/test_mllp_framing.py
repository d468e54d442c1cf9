"""MLLP framing: whole frames out of bytes however they arrive; garbage and oversized frames contained."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from joinedup.hospital.adt.mllp import FrameReader, Oversized, frame


def test_frames_split_across_reads() -> None:
    reader = FrameReader()
    data = frame(b"MSH|one") + frame(b"MSH|two")
    out = []
    for byte in data:
        out += reader.feed(bytes([byte]))
    assert out == [b"MSH|one", b"MSH|two"]
    assert reader.pending == 0


def test_bytes_between_frames_are_dropped_and_counted() -> None:
    reader = FrameReader()
    assert reader.feed(b"noise" + frame(b"MSH|a") + b"\n\n" + frame(b"MSH|b")) == [b"MSH|a", b"MSH|b"]
    assert reader.discarded == 7


def test_end_without_carriage_return_is_accepted() -> None:
    assert FrameReader().feed(b"\x0bMSH|a\x1c\x0bMSH|b\x1c\r") == [b"MSH|a", b"MSH|b"]


def test_an_oversized_frame_is_reported_not_kept() -> None:
    reader = FrameReader(limit=100)
    out = reader.feed(b"\x0b" + b"M" * 150)
    assert len(out) == 1 and isinstance(out[0], Oversized)
    assert reader.pending == 0
    assert reader.feed(b"M" * 50 + b"\x1c\r" + frame(b"MSH|next")) == [b"MSH|next"]


@given(st.lists(st.binary(max_size=60).filter(lambda b: b"\x0b" not in b and b"\x1c" not in b), max_size=8), st.data())
def test_any_chunking_gives_the_same_frames(messages: list[bytes], data) -> None:
    stream = b"".join(frame(m) for m in messages)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    reader, out, last = FrameReader(), [], 0
    for cut in [*cuts, len(stream)]:
        out += reader.feed(stream[last:cut])
        last = cut
    assert out == messages
