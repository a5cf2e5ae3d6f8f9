"""Is this upload a page version we can compare? Text, UTF-8, and of a page's size.

Shared by `python -m bot kb diff FILE` and the admin's upload so both refuse the same things with
the same words: a PDF or a photo saved by mistake must get a clear message, never a diff of junk.
"""

from __future__ import annotations

# The page is ~10 kB; 20 times that is a wrong file, not a new version. The staff database's
# own limit (bot/staff_db/knowledge.py, MAX_SOURCE_CHARS) is the same number of characters.
MAX_PAGE_BYTES = 200_000


class PageTextError(ValueError):
    """Why the bytes are not a page version (a sentence for the person who sent them)."""


def decode_page(data: bytes, max_bytes: int = MAX_PAGE_BYTES) -> str:
    """The text of an uploaded or read page version, or PageTextError saying what is wrong."""
    if len(data) > max_bytes:
        raise PageTextError(
            f"The file is {len(data) / 1000:,.0f} kB; a page version may be at most "
            f"{max_bytes / 1000:,.0f} kB of text. Save the page as plain text (.txt) and try "
            "again."
        )
    if b"\x00" in data:
        raise PageTextError(
            "The file is binary (a PDF, an image or a Word document?), not text. "
            "Save the page as plain text (.txt) and try again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PageTextError(
            f"The file is not UTF-8 text (byte {error.start} cannot be read). "
            "Save the page as plain text in UTF-8 and try again."
        ) from error
    if not text.strip():
        raise PageTextError("The file is empty: there is no text to compare.")
    return text
