"""Small, valid media files made from a seed with the standard library only: a PNG (zlib and
struct), a WAV (the wave module) and an MP4-shaped byte string, so the client's sniffing,
saving and display see real formats without Pillow or codecs here."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import wave
import zlib


def _digest(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8")).digest()


def png(seed: str, width: int = 16, height: int = 16) -> bytes:
    """A `width` x `height` RGB gradient whose colours come from `seed` (same seed, same bytes)."""
    d = _digest(seed)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0 for each scanline
        for x in range(width):
            row += bytes(((d[0] + 8 * x) % 256, (d[1] + 8 * y) % 256, (d[2] + 4 * (x + y)) % 256))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def wav(seed: str, seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A mono 16-bit tone whose pitch comes from `seed`."""
    pitch = 220 + _digest(seed)[0] * 2
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def mp4(seed: str) -> bytes:
    """An `ftyp` box then an `mdat` box of seed bytes: recognisably MP4, not playable."""
    ftyp = b"isom" + struct.pack(">I", 512) + b"isomiso2mp41"
    payload = _digest(seed) * 8
    return (
        struct.pack(">I", 8 + len(ftyp))
        + b"ftyp"
        + ftyp
        + struct.pack(">I", 8 + len(payload))
        + b"mdat"
        + payload
    )


def wav_seconds(data: bytes) -> float:
    """The duration of a WAV file (0.0 when it is not one)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return 0.0
