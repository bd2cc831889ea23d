"""Avatars: initials by default; an upload is decoded, cropped, scaled and re-encoded here, so whatever
the file carried (metadata, scripts in an SVG, a decompression bomb) never reaches another browser."""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from ..problems import Invalid
from ..models import Avatar, User, utcnow

SIZE = 256  # pixels a side: sharp at twice the largest size a page shows
MAX_UPLOAD_BYTES = 1_000_000  # the request as a whole is capped at 2 MB too (MAX_CONTENT_LENGTH)
MAX_PIXELS = 40_000_000  # refuse anything bigger before decoding it
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def initials(name: str) -> str:
    """Up to two letters from the person's name: "Ada Lovelace" -> "AL"."""
    words = [word for word in name.replace(".", " ").replace("@", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def reencode(data: bytes) -> bytes:
    """A square JPEG of SIZE pixels from an uploaded image. Raises Invalid for anything that is not a
    JPEG, PNG, GIF or WebP picture of a sensible size."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid.one("avatar", "the picture must be at most 1 MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise Invalid.one("avatar", "upload a JPEG, PNG, GIF or WebP picture")
                if image.width * image.height > MAX_PIXELS:
                    raise Invalid.one("avatar", "the picture has too many pixels")
                image.seek(0)  # first frame of an animation
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError) as error:
        if isinstance(error, Invalid):
            raise
        raise Invalid.one("avatar", "this file is not a picture Learnloop can read") from None
    picture = ImageOps.fit(picture, (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)  # no EXIF or other metadata is written
    return out.getvalue()


def store_avatar(session: Session, user: User, data: bytes) -> Avatar:
    """Re-encode and keep the picture as `user`'s avatar (the caller commits). Raises Invalid as reencode."""
    image = reencode(data)
    avatar = session.get(Avatar, user.id) or Avatar(user_id=user.id, image=b"", content_type="image/jpeg")
    avatar.image, avatar.content_type, avatar.updated_at = image, "image/jpeg", utcnow()
    user.avatar_version += 1
    session.add_all([avatar, user])
    return avatar


def remove_avatar(session: Session, user: User) -> None:
    avatar = session.get(Avatar, user.id)
    if avatar is not None:
        session.delete(avatar)
    user.avatar_version = 0
    session.add(user)
