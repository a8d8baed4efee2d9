"""Signature checks and payload crypto of each platform, as their documentation specifies. Pure.

- WeCom (企业微信) callback: msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt)); the
  body is AES-256-CBC with key = base64(EncodingAESKey + "="), iv = key[:16], PKCS#7 to 32 bytes;
  plaintext = 16 random bytes ‖ 4-byte length ‖ message ‖ CorpID.
- Feishu (飞书) event: X-Lark-Signature = sha256(timestamp + nonce + encrypt_key + body); an
  encrypted body {"encrypt": …} is AES-256-CBC with key = sha256(encrypt_key), iv = first 16 bytes.
- DingTalk (钉钉) robot callback: sign = base64(HMAC-SHA256(appSecret, timestamp + "\\n" + appSecret)).
- Generic webhook and CTI: X-Gongdan-Signature = "sha256=" + HMAC-SHA256(secret, timestamp.delivery.body).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class SignatureError(Exception):
    pass


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def wecom_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def wecom_verify(token: str, timestamp: str, nonce: str, encrypted: str, signature: str) -> None:
    if not _equal(wecom_signature(token, timestamp, nonce, encrypted), signature or ""):
        raise SignatureError("WeCom msg_signature does not match")


def _wecom_key(aes_key: str) -> bytes:
    key = base64.b64decode(aes_key + "=")
    if len(key) != 32:
        raise SignatureError("EncodingAESKey must be 43 characters")
    return key


def wecom_decrypt(aes_key: str, encrypted: str, receive_id: str) -> bytes:
    key = _wecom_key(aes_key)
    try:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= 32:
            raise ValueError("bad padding")
        plain = padded[:-pad]
        (length,) = struct.unpack(">I", plain[16:20])
        message, owner = plain[20 : 20 + length], plain[20 + length :]
    except (ValueError, struct.error) as exc:
        raise SignatureError(f"WeCom payload does not decrypt: {exc}") from exc
    if receive_id and owner.decode(errors="replace") != receive_id:
        raise SignatureError("WeCom payload is for another CorpID")
    return message


def wecom_encrypt(aes_key: str, message: bytes, receive_id: str, random16: bytes) -> str:
    """For passive replies and URL verification answers (and the tests' peer)."""
    key = _wecom_key(aes_key)
    plain = random16 + struct.pack(">I", len(message)) + message + receive_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def feishu_verify(timestamp: str, nonce: str, encrypt_key: str, body: bytes, signature: str) -> None:
    if not _equal(feishu_signature(timestamp, nonce, encrypt_key, body), signature or ""):
        raise SignatureError("Feishu X-Lark-Signature does not match")


def feishu_decrypt(encrypt_key: str, encrypted: str) -> bytes:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    try:
        data = base64.b64decode(encrypted)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
        padded = decryptor.update(data[16:]) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise SignatureError(f"Feishu payload does not decrypt: {exc}") from exc


def dingtalk_signature(app_secret: str, timestamp: str) -> str:
    digest = hmac.new(app_secret.encode(), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_verify(app_secret: str, timestamp: str, signature: str) -> None:
    if not _equal(dingtalk_signature(app_secret, timestamp), signature or ""):
        raise SignatureError("DingTalk sign does not match")


def hmac_signature(secret: str, timestamp: str, delivery: str, body: bytes) -> str:
    message = f"{timestamp}.{delivery}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def hmac_verify(secret: str, timestamp: str, delivery: str, body: bytes, signature: str) -> None:
    if not _equal(hmac_signature(secret, timestamp, delivery, body), signature or ""):
        raise SignatureError("X-Gongdan-Signature does not match")
