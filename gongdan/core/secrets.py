"""Secrets at rest (R14.1): IMAP passwords, webhook tokens and push URLs are stored encrypted with a
key from the environment, and read back transparently by the code that needs them.

Keys: `GONGDAN_SECRETS_KEYS`, comma-separated Fernet keys, newest first (`MultiFernet`: the first
encrypts, all decrypt). Rotation: put a new key first, restart, run `manage.py reencrypt_secrets`,
then drop the old key. Without the setting a key is derived from SECRET_KEY (a trial install keeps
working; production sets its own keys, see docs/security.md).

Stored form: ``enc1:<fernet token>``. A value without the prefix is a plaintext left from before
encryption; it is read as is and encrypted by the next save or by `reencrypt_secrets`.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


class SecretUnreadable(ImproperlyConfigured):
    """A stored secret none of the configured keys opens (a key was dropped before re-encrypting)."""


def _derived_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongdan-secrets-at-rest", info=b"fernet")
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys] if keys else [Fernet(_derived_key())])
    except ValueError as error:
        raise ImproperlyConfigured(
            "GONGDAN_SECRETS_KEYS holds a value that is not a Fernet key (generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
        ) from error


def fernet() -> MultiFernet:
    return _fernet_for(tuple(getattr(settings, "GONGDAN_SECRETS_KEYS", ()) or ()))


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str | None) -> str:
    if not stored:
        return ""
    if not is_encrypted(stored):
        return stored
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with GONGDAN_SECRETS_KEYS: keep the old key in the list "
            "until `manage.py reencrypt_secrets` has run."
        ) from None


def reencrypt(stored: str | None) -> str:
    """The same secret under the newest key (plaintext leftovers get encrypted)."""
    if not stored:
        return ""
    if not is_encrypted(stored):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column holding a secret: Python code sees plaintext, the database only ciphertext.
    Fernet is randomised, so the column cannot be filtered on (no secret is ever looked up by value)."""

    is_secret = True

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(value)


def encrypted_fields():
    """(model, field name) for every encrypted column in the project."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field.name
