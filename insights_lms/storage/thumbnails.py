"""Small previews of uploaded images, made with Pillow."""

from __future__ import annotations

import io
import warnings
from typing import IO

from PIL import Image, ImageOps

SIZE = (480, 480)


def make_thumbnail(stream: IO[bytes]) -> io.BytesIO | None:
    """A JPEG preview at most 480 by 480 pixels (orientation applied), or None if it cannot
    be made."""
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as original:
                img: Image.Image = ImageOps.exif_transpose(original)
                img.thumbnail(SIZE)
                if img.mode not in ("RGB", "L"):
                    background = Image.new("RGB", img.size, "white")
                    rgba = img.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    img = background
                out = io.BytesIO()
                img.save(out, "JPEG", quality=82, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    finally:
        stream.seek(0)
    out.seek(0)
    return out
