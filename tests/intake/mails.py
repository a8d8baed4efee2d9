"""Raw test mails as real clients write them (charsets, multipart, forwards, auto-replies)."""

import base64
from email.header import Header
from email.utils import formataddr, parseaddr


def mail(
    *,
    sender: str,
    subject: str,
    body: str,
    charset: str = "utf-8",
    declared: str | None = None,
    message_id: str,
    headers: dict | None = None,
) -> bytes:
    """A single-part text mail; `declared` lets the header lie about the charset (GB2312 vs GBK)."""
    encoded_subject = Header(subject, charset if charset != "gbk" else "gb18030").encode()
    name, address = parseaddr(sender)
    lines = [
        f"From: {formataddr((name, address), charset='utf-8') if name else address}",
        "To: support@gongdan.local",
        f"Subject: {encoded_subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 23 Nov 2026 10:00:00 +0800",
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset={declared or charset}",
        "Content-Transfer-Encoding: base64",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    payload = base64.encodebytes(body.encode(charset)).decode()
    return ("\r\n".join(lines) + "\r\n\r\n" + payload).encode("ascii")


def multipart_with_attachment(*, sender: str, message_id: str) -> bytes:
    boundary = "==gd-boundary=="
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
    pdf = base64.b64encode(b"%PDF-1.4 test report").decode()
    html = '<p>打印机<b>卡纸</b></p><script>alert(1)</script><img src="cid:shot1">'
    html_b64 = base64.b64encode(html.encode()).decode()
    return (
        f"From: {sender}\r\nTo: support@gongdan.local\r\nSubject: =?UTF-8?B?"
        + base64.b64encode("打印机卡纸（附截图）".encode()).decode()
        + f"?=\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f'--{boundary}\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n'
        f"--rel\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{html_b64}\r\n"
        f"--rel\r\nContent-Type: image/png\r\nContent-ID: <shot1>\r\nContent-Disposition: inline\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{png}\r\n--rel--\r\n"
        f'--{boundary}\r\nContent-Type: application/pdf; name="report.pdf"\r\n'
        f'Content-Disposition: attachment; filename="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n'
        f"--{boundary}--\r\n"
    ).encode()


BROKEN = b"Subject: no sender here\r\nX-Garbage: \x80\x81\r\n\r\n--unterminated-multipart\r\n\x00\x01"
