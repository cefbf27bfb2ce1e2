"""Decoding uploaded text files: UTF-8 first, then GB18030 (what Chinese Windows and Excel save)."""


class NotText(ValueError):
    """Not decodable text, or binary data; `reason` is the message for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise NotText("无法识别文件编码，请另存为 UTF-8 文本")
    if "\x00" in text:
        raise NotText("不是文本文件")
    return text
