"""Parsing real-world mail: quoted replies (Western and Chinese clients), forwards, broken MIME."""

import base64

import pytest

from gongdan.intake.adapters.mailheaders import codec_for, header_text
from gongdan.intake.adapters.mime import MalformedMail, parse_mail
from gongdan.intake.adapters.quotes import strip_quoted
from gongdan.intake.constants import Reason


@pytest.mark.parametrize(
    "text",
    [
        "换了硒鼓也不行。\n\nOn Mon, Nov 23, 2026 at 10:05 AM Support <support@gongdan.local> wrote:\n> old",
        "换了硒鼓也不行。\n\n在 2026年11月23日 星期一 10:05，support@gongdan.local 写道：\n> old",
        "换了硒鼓也不行。\n\n------------------ 原始邮件 ------------------\n发件人: support\n主题: old",
        "换了硒鼓也不行。\n\n-----Original Message-----\nFrom: support\nSent: Monday\n",
        "换了硒鼓也不行。\n\n发件人: Gongdan <support@gongdan.local>\n发送时间: 2026年11月23日 10:05\n收件人: 张三\n",
        "换了硒鼓也不行。\n> quoted line\n> another",
    ],
)
def test_quoted_history_is_stripped(text):
    assert strip_quoted(text) == "换了硒鼓也不行。"


def test_a_from_line_in_the_senders_own_words_is_kept():
    assert strip_quoted("From: the third floor printer\nit jams") == "From: the third floor printer\nit jams"


def test_charset_aliases():
    assert [codec_for(c) for c in ("GB2312", "gbk", "big5", "x-unknown", None)] == [
        "gb18030",
        "gb18030",
        "big5hkscs",
        "utf-8",
        "utf-8",
    ]
    # Declared GB2312, written with GBK-only characters (镕, 喆): decoded as gb18030.
    encoded = base64.b64encode("朱镕基 喆".encode("gbk")).decode()
    assert header_text(f"=?GB2312?B?{encoded}?=") == "朱镕基 喆"


def test_a_forward_keeps_the_forwarded_text_and_an_attached_mail_becomes_an_eml_file():
    inner = b"From: vendor@example.com\r\nSubject: quote\r\n\r\nprice list\r\n"
    raw = (
        b"From: li@example.cn\r\n"
        b"Subject: =?UTF-8?B?"
        + base64.b64encode("转发: 报价".encode())
        + b"?=\r\nMessage-ID: <f1@example.cn>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee below\r\n"
        b"---------- Forwarded message ---------\r\nFrom: vendor@example.com\r\nDate: Mon\r\n\r\nprice list\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n"
    )
    inbound = parse_mail(raw)
    assert "price list" in inbound.body
    assert [(a.name, a.content_type) for a in inbound.attachments] == [("quote.eml", "message/rfc822")]
    assert inbound.body.endswith(
        "---------- 转发的邮件 / Forwarded message ----------\nFrom: vendor@example.com\nSubject: quote"
    )


def test_mail_without_headers_or_sender_is_malformed():
    with pytest.raises(MalformedMail) as empty:
        parse_mail(b"   ")
    with pytest.raises(MalformedMail) as nosender:
        parse_mail(b"Subject: hi\r\nFrom: not an address\r\n\r\nbody")
    assert (empty.value.reason, nosender.value.reason) == (Reason.MALFORMED, Reason.NO_SENDER)


def test_html_only_mail_is_sanitised_and_turned_into_text():
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nMessage-ID: <h@x>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<div onclick="steal()">line one<br>line two</div><script>alert(1)</script><a href="javascript:x">l</a>'
    )
    inbound = parse_mail(raw)
    assert inbound.body == "line one\nline two\nl"
    assert inbound.html == '<div>line one<br>line two</div><a rel="noopener noreferrer">l</a>'
