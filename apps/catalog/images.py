"""Product image content (private): what an upload really is, read by Pillow,
and its thumbnails. Extensions and declared content types are never trusted."""

import io
import struct
import zlib
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.common.errors import ValidationFailed

# Pillow format name -> the extension the stored file gets.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80},
}
NOT_AN_IMAGE = "Upload a JPEG, PNG or WebP image; this file is not one."
CORRUPT = "The image could not be read; it is truncated or corrupt."
# What Pillow's decoders raise on malformed data (UnidentifiedImageError and
# truncated files are OSErrors; the PNG reader raises SyntaxError, others
# struct and zlib errors).
READ_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    zlib.error,
)


@dataclass(frozen=True)
class Picture:
    """A checked upload, decoded (oriented as its EXIF says)."""

    format: str
    extension: str
    image: Image.Image

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


@dataclass(frozen=True)
class Thumbnail:
    content: bytes
    width: int
    height: int


def picture_read(upload) -> Picture:
    """The upload as a picture, or ValidationFailed naming `image`: over
    CATALOG_IMAGE_MAX_BYTES, not JPEG/PNG/WebP by content, wider or taller
    than CATALOG_IMAGE_MAX_SIDE or a decompression bomb (both refused from the
    header, before any pixel is decoded), or corrupt."""
    if upload.size > settings.CATALOG_IMAGE_MAX_BYTES:
        _refuse(f"The file is larger than {settings.CATALOG_IMAGE_MAX_BYTES} bytes.")
    if not upload.size:
        _refuse("The submitted file is empty.")
    # Within the size limit: read once, so that closing an image (which may
    # close its file) leaves the upload to be stored.
    upload.seek(0)
    content = upload.read()
    with _opened(content) as header:
        image_format = header.format
        _check_dimensions(header.size)
        try:
            header.verify()
        except READ_ERRORS:
            _refuse(CORRUPT)
    # verify() leaves the image unusable: decode from a fresh open.
    with _opened(content) as image:
        try:
            image.load()
            oriented = ImageOps.exif_transpose(image)
        except READ_ERRORS:
            _refuse(CORRUPT)
    return Picture(format=image_format, extension=FORMATS[image_format], image=oriented)


def thumbnail_make(picture: Picture, *, size: int) -> Thumbnail:
    """The picture fitted into a `size` square (never enlarged), in its own
    format, without its metadata."""
    image = picture.image.copy()
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if picture.format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format=picture.format, **SAVE_OPTIONS[picture.format])
    return Thumbnail(content=out.getvalue(), width=image.width, height=image.height)


class _opened:
    """Image.open over the content, restricted to the allowed formats, with
    the refusals of a file that is none of them."""

    def __init__(self, content: bytes):
        self.content = content

    def __enter__(self) -> Image.Image:
        try:
            self.image = Image.open(io.BytesIO(self.content), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # The warning is an exception only where warnings are errors.
            _refuse_bomb()
        except UnidentifiedImageError:
            _refuse(NOT_AN_IMAGE)
        except READ_ERRORS:
            _refuse(NOT_AN_IMAGE)
        return self.image

    def __exit__(self, *exc) -> None:
        self.image.close()


def _check_dimensions(size: tuple[int, int]) -> None:
    limit = settings.CATALOG_IMAGE_MAX_SIDE
    width, height = size
    # Pillow only warns between its limit and twice it; this refuses.
    if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
        _refuse_bomb(f" ({width}x{height} pixels)")
    if width > limit or height > limit:
        _refuse(f"The image is {width}x{height} pixels; at most {limit} on each side.")


def _refuse_bomb(detail: str = "") -> None:
    _refuse(
        "The image declares more pixels than it may decode"
        f"{detail}: refused as a possible decompression bomb."
    )


def _refuse(message: str) -> None:
    raise ValidationFailed({"image": [message]})
