"""A message drawn as a card (PNG) with Pillow and the bundled DejaVu Sans (frontdesk/data/fonts, its
licence beside it): a coloured band with the practice's name, a title, a greeting, an optional
highlighted figure (an amount due), labelled rows and a closing line. Long texts wrap at word bounds
(a word wider than the card breaks between letters). The same card gives the same bytes: no
timestamp or other metadata is written, and the fonts are the package's own, not the system's."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from PIL import Image, ImageDraw, ImageFont

WIDTH = 800
MIN_HEIGHT = 420
PAD = 48
INK = (17, 24, 39)
MUTED = (107, 114, 128)
RULE = (229, 231, 235)
PAPER = (255, 255, 255)
Box = tuple[int, int, int, int]  # left, top, right, bottom
Font = ImageFont.FreeTypeFont


@dataclass(frozen=True, slots=True)
class Card:
    accent: tuple[int, int, int]
    header: str  # the practice
    title: str
    greeting: str
    rows: tuple[tuple[str, str], ...] = ()  # (label, value)
    highlight: tuple[str, str] | None = None  # (label, value) shown large: an amount due
    closing: str = ""

    def text(self) -> str:
        """The card in words: the plain-text part of a message that carries it."""
        lines = [self.title, "", self.greeting, ""]
        if self.highlight is not None:
            lines.append(f"{self.highlight[0]}: {self.highlight[1]}")
        lines += [f"{label}: {value}" for label, value in self.rows]
        return "\n".join([*lines, "", self.closing, self.header]).strip()


@dataclass(frozen=True, slots=True)
class Png:
    data: bytes
    width: int
    height: int
    # Where each part was drawn ("title", "greeting", "row:<label>", ...): what tests look at.
    regions: dict[str, Box] = field(default_factory=dict)


@lru_cache(maxsize=2)
def _font_bytes(bold: bool) -> bytes:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return files("frontdesk.data").joinpath("fonts", name).read_bytes()


def font(size: int, *, bold: bool = False) -> Font:
    """A new face (0.3 ms): a FreeType face must not be shared between threads, and cards are drawn
    off the event loop, so each drawing opens its own (`_Faces`)."""
    return ImageFont.truetype(io.BytesIO(_font_bytes(bold)), size)


class _Faces:
    def __init__(self) -> None:
        self._open: dict[tuple[int, bool], Font] = {}

    def __call__(self, size: int, *, bold: bool = False) -> Font:
        key = (size, bold)
        if key not in self._open:
            self._open[key] = font(size, bold=bold)
        return self._open[key]


def wrap(text: str, face: Font, width: int) -> list[str]:
    """`text` in lines no wider than `width` pixels (words kept whole when they fit on a line)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if face.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while face.getlength(word) > width:  # a word wider than the card: break between letters
                cut = max(1, next(i for i in range(len(word), 0, -1) if face.getlength(word[:i]) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class _Layout:
    """Draws top to bottom, remembering where each part went; the height is known at the end."""

    def __init__(self, draw: ImageDraw.ImageDraw | None) -> None:
        self.draw = draw
        self.y = 0
        self.regions: dict[str, Box] = {}

    def text(self, name: str, text: str, face: Font, fill: tuple[int, int, int], gap: int = 8) -> None:
        top = self.y
        line_height = int(face.size * 1.3)
        for line in wrap(text, face, WIDTH - 2 * PAD):
            if self.draw is not None:
                self.draw.text((PAD, self.y), line, font=face, fill=fill)
            self.y += line_height
        self.regions[name] = (PAD, top, WIDTH - PAD, self.y)
        self.y += gap


def _lay_out(card: Card, draw: ImageDraw.ImageDraw | None, font: _Faces) -> _Layout:
    lay = _Layout(draw)
    header = font(26, bold=True)
    band = 28 + len(wrap(card.header, header, WIDTH - 2 * PAD)) * int(header.size * 1.3) + 20
    if draw is not None:
        draw.rectangle((0, 0, WIDTH, band), fill=card.accent)
    lay.y = 28
    lay.text("header", card.header, header, PAPER, gap=0)
    lay.y = band + 36
    lay.text("title", card.title, font(40, bold=True), INK, gap=12)
    lay.text("greeting", card.greeting, font(26), INK, gap=20)
    if card.highlight is not None:
        label, value = card.highlight
        lay.text("highlight-label", label, font(20), MUTED, gap=0)
        lay.text("highlight", value, font(48, bold=True), card.accent, gap=20)
    if draw is not None:
        draw.line((PAD, lay.y, WIDTH - PAD, lay.y), fill=RULE, width=2)
    lay.y += 22
    for label, value in card.rows:
        lay.text(f"label:{label}", label, font(20), MUTED, gap=2)
        lay.text(f"row:{label}", value, font(28, bold=True), INK, gap=18)
    if card.closing:
        lay.y += 6
        lay.text("closing", card.closing, font(20), MUTED)
    lay.y += PAD - 8
    return lay


def render(card: Card) -> Png:
    """The card as PNG bytes: 800 pixels wide, as tall as its text needs (at least 420)."""
    faces = _Faces()
    height = max(MIN_HEIGHT, _lay_out(card, None, faces).y)  # measured, then drawn on a canvas that fits
    image = Image.new("RGB", (WIDTH, height), PAPER)
    lay = _lay_out(card, ImageDraw.Draw(image), faces)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)  # optimize=True: 5% smaller, four times slower
    return Png(out.getvalue(), WIDTH, height, lay.regions)
