"""MLLP framing: <VT> message <FS><CR>. Pure: bytes in, frames out; no sockets here.

The reader is lenient where senders differ (a missing CR after FS, bytes between
frames) and strict where a sender could do harm: a frame larger than the limit
is cut off and reported, never held in memory whole.
"""

from __future__ import annotations

from dataclasses import dataclass

START = b"\x0b"
END = b"\x1c"
CR = b"\r"
DEFAULT_LIMIT = 1024 * 1024  # 1 MiB: an ADT message is a few kilobytes


def frame(message: bytes) -> bytes:
    return START + message + END + CR


@dataclass(frozen=True)
class Oversized:
    """A frame that passed the limit: its first bytes, to answer with a reject."""

    head: bytes


class FrameReader:
    """Feed bytes as they come; take whole frames (or Oversized markers) out, in order."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._buffer = bytearray()
        self._skipping = False  # inside an oversized frame, dropping bytes until its end
        self.discarded = 0  # bytes outside any frame, dropped

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame held now."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes | Oversized]:
        self._buffer += data
        out: list[bytes | Oversized] = []
        while True:
            if self._skipping:
                end = self._buffer.find(END)
                if end < 0:
                    self._buffer.clear()
                    return out
                del self._buffer[: end + 1]
                self._skipping = False
            start = self._buffer.find(START)
            if start < 0:
                self.discarded += len(self._buffer)
                self._buffer.clear()
                return out
            if start:
                self.discarded += start
                del self._buffer[:start]
            end = self._buffer.find(END, 1)
            if end < 0:
                if len(self._buffer) > self.limit:
                    out.append(Oversized(bytes(self._buffer[1:4097])))
                    self._buffer.clear()
                    self._skipping = True
                return out
            if end - 1 > self.limit:
                out.append(Oversized(bytes(self._buffer[1:4097])))
            else:
                out.append(bytes(self._buffer[1:end]))
            del self._buffer[: end + 1]
            if self._buffer[:1] == CR:
                del self._buffer[:1]
