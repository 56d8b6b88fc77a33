"""The one picture check in core: sizes read from the header alone, a budget of decoded memory,
JPEGs decoded already scaled down, the rest refused when over budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from intersession.core import pictures
from tests.pictures import huge_png


def test_the_size_comes_from_the_header(tmp_path: Path) -> None:
    path = huge_png(tmp_path / "big.png")
    assert path.stat().st_size < 1_000_000
    assert pictures.measure(path, "image/png") == (12000, 12000)
    with pytest.raises(pictures.TooLarge) as raised:
        pictures.check(path, "image/png")
    assert (raised.value.width, raised.value.height) == (12000, 12000)
    with pytest.raises(pictures.TooLarge):
        pictures.open_scaled(path, "image/png", 1600)


def test_a_big_jpeg_is_decoded_scaled_down(tmp_path: Path) -> None:
    """6000 x 5000 is over the budget at full size; the JPEG decoder reduces it while decoding."""
    path = tmp_path / "photo.jpg"
    Image.new("L", (6000, 5000), 128).save(path, "JPEG")
    assert not pictures.decodable(6000, 5000)
    pictures.check(path, "image/jpeg")
    picture = pictures.open_scaled(path, "image/jpeg", 1600)
    assert max(picture.size) == 1600 and picture.size[0] > picture.size[1]


def test_a_small_picture_keeps_its_size_and_a_broken_one_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "small.png"
    Image.new("RGBA", (300, 200), (255, 0, 0, 128)).save(path, "PNG")
    picture = pictures.open_scaled(path, "image/png", 1600)
    assert picture.size == (300, 200) and picture.mode == "RGBA"
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(pictures.Unreadable):
        pictures.open_scaled(broken, "image/png", 1600)


def test_the_budget_counts_bytes_per_pixel(app: Flask) -> None:
    assert pictures.decodable(5000, 5000)
    assert not pictures.decodable(12000, 12000)
    assert pictures.decodable(7680, 4320, bytes_per_pixel=1.5)  # an 8K screen's VP8 frame
    assert not pictures.decodable(16383, 16383, bytes_per_pixel=1.5)


def test_no_module_but_the_check_opens_pictures() -> None:
    """Pillow is reached only through core/pictures.py, so a new path that decodes pictures gets
    the budget too (fpdf2 is handed decoded, scaled pictures, never a file)."""
    import ast

    package = Path(__file__).resolve().parent.parent / "intersession"
    offenders = []
    for path in package.rglob("*.py"):
        if path == package / "core" / "pictures.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name == "PIL" or name.startswith("PIL.") for name in names):
                offenders.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert offenders == []
