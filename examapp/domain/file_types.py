"""What an uploaded file really is, from its first bytes (the name and the browser's claim prove nothing)."""

PDF, PNG, JPEG, MP4 = "application/pdf", "image/png", "image/jpeg", "video/mp4"
EXTENSIONS = {PDF: (".pdf",), PNG: (".png",), JPEG: (".jpg", ".jpeg"), MP4: (".mp4", ".m4v")}
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", MP4: "MP4"}
HEAD_BYTES = 16


def sniff(head: bytes) -> str | None:
    """The MIME type the leading bytes announce, or None when they are none of the accepted kinds."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[4:8] == b"ftyp":   # ISO base media: [size]ftyp<brand>
        return MP4
    return None


def extension_matches(filename: str, mime: str) -> bool:
    return filename.lower().endswith(EXTENSIONS.get(mime, ()))
