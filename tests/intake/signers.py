"""Test peers that sign and encrypt like each platform does, written from the platforms' docs
independently of gongdan's own implementation (so a symmetric bug cannot pass unnoticed)."""

import base64
import hashlib
import hmac
import json
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

WECOM_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars, as WeCom issues it
WECOM_CORP_ID = "ww5823bf96d3bd56c7"


def _aes_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def wecom_encrypt(message: str) -> str:
    key = base64.b64decode(WECOM_AES_KEY + "=")
    body = message.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + WECOM_CORP_ID.encode()
    pad = 32 - len(plain) % 32
    return base64.b64encode(_aes_cbc(key, key[:16], plain + bytes([pad]) * pad)).decode()


def wecom_request(
    token: str,
    *,
    msg_id: str,
    user: str,
    text: str,
    nonce: str,
    timestamp: int | None = None,
    msg_type: str = "text",
    event: str = "",
):
    timestamp = str(timestamp or int(time.time()))
    event_xml = f"<Event><![CDATA[{event}]]></Event>" if event else ""
    inner = (
        f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{event_xml}"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )
    encrypted = wecom_encrypt(inner)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()
    body = f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    return query, {"Content-Type": "text/xml"}, body.encode()


def feishu_request(token: str, encrypt_key: str, *, event_id: str, open_id: str, text: str, nonce: str):
    event = {
        "schema": "2.0",
        "header": {"event_id": event_id, "event_type": "im.message.receive_v1", "token": token},
        "event": {
            "sender": {"sender_id": {"open_id": open_id, "user_id": "u-" + open_id}},
            "message": {
                "message_id": "om_" + event_id,
                "chat_id": "oc_1",
                "message_type": "text",
                "content": json.dumps({"text": text}, ensure_ascii=False),
            },
        },
    }
    key = hashlib.sha256(encrypt_key.encode()).digest()
    iv = os.urandom(16)
    plain = json.dumps(event, ensure_ascii=False).encode()
    pad = 16 - len(plain) % 16
    encrypted = base64.b64encode(iv + _aes_cbc(key, iv, plain + bytes([pad]) * pad)).decode()
    body = json.dumps({"encrypt": encrypted}).encode()
    timestamp = str(int(time.time()))
    signature = hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": timestamp,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature,
    }
    return {}, headers, body


def dingtalk_request(app_secret: str, *, msg_id: str, staff_id: str, text: str, timestamp_ms: int | None = None):
    timestamp = str(timestamp_ms or int(time.time() * 1000))
    sign = base64.b64encode(
        hmac.new(app_secret.encode(), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    ).decode()
    body = {
        "msgtype": "text",
        "text": {"content": text},
        "msgId": msg_id,
        "conversationType": "1",
        "senderStaffId": staff_id,
        "senderNick": "赵工",
    }
    return {}, {"Content-Type": "application/json", "timestamp": timestamp, "sign": sign}, json.dumps(body).encode()


def hmac_request(secret: str, payload: dict, *, delivery: str, timestamp: int | None = None):
    timestamp = str(timestamp or int(time.time()))
    body = json.dumps(payload, ensure_ascii=False).encode()
    digest = hmac.new(secret.encode(), f"{timestamp}.{delivery}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Gongdan-Timestamp": timestamp,
        "X-Gongdan-Delivery": delivery,
        "X-Gongdan-Signature": "sha256=" + digest,
    }
    return {}, headers, body
