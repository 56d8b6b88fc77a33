"""The one picture check: every path that decodes a picture (uploads, the portfolio's PDF, a
recording's poster) asks here first, so a small file that unpacks to gigabytes is never decoded.

Sizes are read from the file's header without decoding a pixel. The budget is the memory the
decoded pixels would take; a JPEG can be decoded at 1/2, 1/4 or 1/8 of its size (DCT scaling), so
a 200-megapixel phone photo is still usable; a PNG, GIF or WebP over the budget is refused.

Pillow's own guard (`Image.MAX_IMAGE_PIXELS`, checked in `Image.open`) allows 89 megapixels,
about 360 MB decoded, and only warns below twice that: too much for a worker. We open the
format's own plugin class after our stricter check instead, so Pillow's global stays as it is.

Slides are rendered by PDFium at a scale that fits their box, so they never come near the budget;
they are written here too, so Pillow is reached from this module only.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import (
    GifImagePlugin,
    Image,
    ImageFile,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

# Decoded pixels a process may hold for one picture: 100 MB, 26 megapixels at 4 bytes each.
MAX_DECODED_BYTES = 100 * 1024 * 1024
BYTES_PER_PIXEL = 4  # Pillow keeps RGB, RGBA and most other modes in 32 bits a pixel
PLUGINS: dict[str, type[ImageFile.ImageFile]] = {
    "image/png": PngImagePlugin.PngImageFile,
    "image/jpeg": JpegImagePlugin.JpegImageFile,
    "image/gif": GifImagePlugin.GifImageFile,
    "image/webp": WebPImagePlugin.WebPImageFile,
}
KINDS = frozenset(PLUGINS)
JPEG_REDUCTIONS = (1, 2, 4, 8)


class Unreadable(Exception):
    """The header of the picture cannot be read, or its pixels cannot be decoded."""


class TooLarge(Exception):
    """Decoding the picture, even scaled down as far as its format allows, is over the budget."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width} x {height} pixels")
        self.width, self.height = width, height


def decodable(width: int, height: int, bytes_per_pixel: float = BYTES_PER_PIXEL) -> bool:
    """Whether a picture of this size may be decoded whole."""
    return width * height * bytes_per_pixel <= MAX_DECODED_BYTES


def _reductions(kind: str) -> tuple[int, ...]:
    return JPEG_REDUCTIONS if kind == "image/jpeg" else (1,)


def max_megapixels(kind: str) -> int:
    """The largest picture of this kind we take, for messages."""
    most = _reductions(kind)[-1]
    return MAX_DECODED_BYTES // BYTES_PER_PIXEL * most * most // 1_000_000


def _reduction(kind: str, width: int, height: int) -> int:
    """The least reduction that brings the decoded picture within the budget."""
    for reduction in _reductions(kind):
        if decodable(math.ceil(width / reduction), math.ceil(height / reduction)):
            return reduction
    raise TooLarge(width, height)


def _header(handle: object, kind: str) -> ImageFile.ImageFile:
    try:
        # The plugin reads up to the first pixel data and stops; a hostile file may break it in
        # any way Pillow's parsers can fail, and every such way means "not a usable picture".
        return PLUGINS[kind](handle)  # type: ignore[arg-type]
    except Exception as error:
        raise Unreadable(str(error)) from None


def measure(path: Path, kind: str) -> tuple[int, int]:
    """Width and height from the header alone."""
    with path.open("rb") as handle:
        image = _header(handle, kind)
        return image.size


def check(path: Path, kind: str) -> None:
    """Raise TooLarge (or Unreadable) unless the picture can be decoded within the budget."""
    _reduction(kind, *measure(path, kind))


def open_scaled(path: Path, kind: str, longest_side: int) -> Image.Image:
    """The picture decoded within the budget and scaled to at most `longest_side` pixels, upright
    (by its EXIF orientation), in a mode a PDF takes. Raises TooLarge or Unreadable."""
    with path.open("rb") as handle:
        image = _header(handle, kind)
        width, height = image.size
        reduction = _reduction(kind, width, height)
        if kind == "image/jpeg":
            # As small as the decoder can make it while still at least `longest_side`.
            fitting = [r for r in JPEG_REDUCTIONS if max(width, height) // r >= longest_side]
            wanted = max([reduction, *fitting])
            image.draft(None, (max(1, width // wanted), max(1, height // wanted)))
        if not decodable(*image.size):  # what the decoder will really allocate
            raise TooLarge(width, height)
        try:
            image.load()
        except Exception as error:
            raise Unreadable(str(error)) from None
        image.thumbnail((longest_side, longest_side))
        picture = ImageOps.exif_transpose(image)  # a copy, no longer tied to the file
    if picture.mode not in ("RGB", "RGBA", "L"):
        clear = picture.mode in ("LA", "PA", "RGBa") or "transparency" in picture.info
        picture = picture.convert("RGBA" if clear else "RGB")
    return picture


def on_white(picture: Image.Image) -> Image.Image:
    """The picture in RGB, what shows through its transparent parts white (for a JPEG)."""
    if picture.mode == "RGB":
        return picture
    flat = Image.new("RGB", picture.size, "white")
    flat.paste(picture, mask=picture.getchannel("A") if "A" in picture.mode else None)
    return flat


def save_webp(picture: Image.Image, path: Path, quality: int) -> None:
    """A picture made here (a rendered slide, already within its box) written as WebP."""
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    if picture.width < 1 or picture.height < 1:  # a page of a hair's height: one pixel at least
        picture = picture.resize((max(1, picture.width), max(1, picture.height)))
    picture.save(path, "WEBP", quality=quality, method=4)
