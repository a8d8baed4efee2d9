"""Mail headers as real clients write them: charsets, encoded words, raw 8-bit, addresses. Pure.

Headers are read raw (`Message.raw_items()`): the compat32 parser hands a header holding 8-bit
bytes back as a `Header` object, which breaks string code downstream. Addresses are parsed from the
raw value *before* any display name is decoded, so an encoded name holding a comma or someone
else's address can never become the sender.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

from charset_normalizer import from_bytes

# Labels real mail uses for charsets that Python names otherwise or decodes too narrowly. GB2312
# mail often carries GBK characters: GB18030 is a superset of both. Big5 → HKSCS (a superset).
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "iso-gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cn-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    # Windows' Shift_JIS (NEC and IBM extension characters such as ① and ㈱).
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
    "x-user-defined": "windows-1252",
}
# Strict decoders tried in order before falling back: ISO-2022-JP with the NEC row-13 characters
# (①, ㍉…) decodes as JIS X 0213 (ISO-2022-JP-2004), where they have the same codes.
CODEC_CHAINS = {
    "iso2022_jp": ["iso2022_jp", "iso2022_jp_2004", "iso2022_jp_ext", "iso2022_jp_2"],
    "euc_jp": ["euc_jp", "euc_jis_2004"],
}
# Undeclared 8-bit text: what Chinese, Taiwanese, Japanese and Korean mail most likely carries,
# each with the narrower everyday charset its common characters live in. Bytes of one CJK charset
# often decode without error in another, but then mostly into rare characters: the decoding whose
# characters are most often everyday ones wins (ties go to the earlier, GB18030 first).
FALLBACK_CODECS = [("gb18030", "gb2312"), ("big5hkscs", "big5"), ("cp932", "euc_jp"), ("cp949", "euc_kr")]
# Long runs are judged by charset-normalizer (frequency models need some text to work on).
NORMALIZER_MIN_BYTES = 200
WHITESPACE = re.compile(r"\s+")
ADDRESS = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>|([^\s<>\"',;:@]+@[^\s<>\"',;:@]+)")


def codec_for(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):  # unknown, or not even text (8-bit bytes in the label)
        return "utf-8"


def _strict(data: bytes, codec: str) -> str | None:
    for candidate in CODEC_CHAINS.get(codec, [codec]):
        try:
            return data.decode(candidate)
        except (LookupError, ValueError):  # UnicodeDecodeError is a ValueError
            continue
    return None


def _everyday_share(text: str, narrow: str) -> float:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    common = 0
    for ch in wide:
        try:
            ch.encode(narrow)
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide)


def _best_cjk(data: bytes) -> str | None:
    decoded = [(text, narrow) for codec, narrow in FALLBACK_CODECS if (text := _strict(data, codec)) is not None]
    if not decoded:
        return None
    if len(decoded) > 1 and len(data) >= NORMALIZER_MIN_BYTES:
        best = from_bytes(data, cp_isolation=[c for c, _ in FALLBACK_CODECS]).best()
        if best is not None and best.encoding:
            return str(best)
    scored = [(_everyday_share(text, narrow), -index, text) for index, (text, narrow) in enumerate(decoded)]
    return max(scored)[2]


def guess_decode(data: bytes, declared: list[str] | tuple[str, ...] = ()) -> str:
    """Bytes of unknown charset: the declared charsets, then UTF-8, then the likeliest CJK charset,
    then Windows-1252 — never U+FFFD when some decoding exists."""
    tried = []
    for charset in [*declared, "utf-8"]:
        codec = codec_for(charset)
        if codec in tried:
            continue
        tried.append(codec)
        text = _strict(data, codec)
        if text is not None:
            return text
    text = _best_cjk(data)
    if text is not None:
        return text
    return _strict(data, "cp1252") or data.decode("latin-1")


def decode_bytes(data: bytes, charset: str | None, fallbacks: tuple[str, ...] = ()) -> str:
    """A declared body or word: its charset strictly, else the guess above (for mislabelled mail)."""
    text = _strict(data, codec_for(charset))
    return text if text is not None else guess_decode(data, fallbacks)


def raw_header(msg: Message, name: str) -> str:
    """The first header `name` as it came (8-bit bytes as surrogate escapes), or ""."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return ""


def raw_headers(msg: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [str(value) for key, value in msg.raw_items() if key.lower() == wanted]


def _as_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def header_text(value: str | None, declared: tuple[str, ...] = ()) -> str:
    """Decode an RFC 2047 or raw 8-bit header value; whitespace folded; never raises."""
    if not value:
        return ""
    value = str(value)
    data = _as_bytes(value)
    if not data.isascii():
        return WHITESPACE.sub(" ", guess_decode(data, declared)).strip()
    if "=?" not in value:
        return WHITESPACE.sub(" ", value).strip()
    try:
        chunks = decode_header(value)
    except Exception:  # a broken encoded word: keep the header as it came
        return WHITESPACE.sub(" ", value).strip()
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset, declared) if charset else guess_decode(chunk, declared))
        else:
            parts.append(chunk)
    return WHITESPACE.sub(" ", "".join(parts)).strip()


def clean_address(address: str) -> str:
    address = address.strip().strip("<>").strip().lower()
    local, _, domain = address.rpartition("@")
    if not local or not domain or " " in address or len(address) > 254 or "." not in domain:
        return ""
    if not address.isascii() and not _as_bytes(address).isascii():
        return ""  # raw 8-bit in an address is no address (IDN mail arrives encoded)
    return address


def first_address(raw: str, declared: tuple[str, ...] = ()) -> tuple[str, str]:
    """(display name, address) of the first mailbox in a raw header value: parsed first, decoded after."""
    if not raw:
        return "", ""
    unfolded = WHITESPACE.sub(" ", raw)
    for name, address in getaddresses([unfolded]):
        address = clean_address(address)
        if address:
            return header_text(name, declared).strip().strip('"').strip(), address
    match = ADDRESS.search(unfolded)
    if match:
        address = clean_address(match.group(1) or match.group(2))
        if address:
            name = unfolded[: match.start()].strip().strip('"').strip()
            return header_text(name, declared), address
    return "", ""


def all_addresses(msg: Message, *names: str) -> list[str]:
    values = [WHITESPACE.sub(" ", v) for name in names for v in raw_headers(msg, name)]
    found = []
    for _, address in getaddresses(values):
        address = clean_address(address)
        if address and address not in found:
            found.append(address)
    return found


AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def authentication_results(msg: Message, authserv_id: str = "") -> dict[str, str]:
    """SPF/DKIM/DMARC verdicts our own MTA added (RFC 8601).

    With `authserv_id` only the header naming it counts (a sender can add any header of its own);
    without, the topmost header, which the last MTA (ours) put on. DKIM passes if any signature did.
    """
    headers = raw_headers(msg, "Authentication-Results")
    if authserv_id:
        headers = [h for h in headers if h.strip().split(";")[0].strip().lower() == authserv_id.lower()]
    if not headers:
        return {}
    results: dict[str, str] = {}
    for method, verdict in AUTH_RESULT.findall(WHITESPACE.sub(" ", headers[0])):
        method, verdict = method.lower(), verdict.lower()
        if results.get(method) != "pass":
            results[method] = verdict
    return results
