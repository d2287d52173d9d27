"""What a patient file may be: the allowed types (decided by content, not name) and the size rule."""

from __future__ import annotations

from frontdesk.domain.errors import Invalid

ALLOWED_TYPES: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/pdf": "pdf",
    "text/plain": "txt",
}
KINDS = ("photo", "document", "identity", "other")


def check_size(size: int, limit: int, *, field: str = "content_base64") -> None:
    if size == 0:
        raise Invalid(f"{field} is empty", field=field)
    if size > limit:
        raise Invalid(
            f"{field}: the file is {size} bytes; the limit is {limit} bytes ({limit // (1024 * 1024)} MB)",
            field=field,
        )


def check_type(sniffed: str | None, *, field: str = "content_base64") -> str:
    """The MIME type read from the file's first bytes must be one we accept."""
    if sniffed not in ALLOWED_TYPES:
        raise Invalid(
            f"{field}: only PNG, JPEG, PDF and plain text files are accepted (checked by their content, "
            "not their name)",
            field=field,
        )
    return sniffed


def looks_like_text(data: bytes) -> bool:
    """UTF-8 without NUL or other control characters apart from tab, newlines and form feed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def safe_name(name: str | None, *, field: str = "filename") -> str:
    """A display name only (never a path on disk): no separators, at most 200 characters."""
    text = (name or "").strip().replace("\\", "/").split("/")[-1]
    if not text or text in (".", ".."):
        raise Invalid(f"{field} must be a file name such as scan.pdf", field=field)
    if len(text) > 200 or any(ord(c) < 32 for c in text):
        raise Invalid(f"{field} must be at most 200 printable characters", field=field)
    return text
