"""Re-encrypt every stored secret under the newest key of GONGDAN_SECRETS_KEYS (after a rotation),
and encrypt plaintext left from before encryption. Safe to run again; rows are written with
UPDATE, so nothing else (audit, caches) sees a change of value."""

from django.core.management.base import BaseCommand
from django.db import transaction

from gongdan.core import secrets


class Command(BaseCommand):
    help = "Re-encrypt stored secrets (IMAP passwords, webhook tokens, push URLs) under the newest key."

    def handle(self, *args, **options) -> None:
        total = 0
        for model, name in secrets.encrypted_fields():
            count = 0
            with transaction.atomic():
                raw = model._base_manager.select_for_update().values_list("pk", _raw(name))
                for pk, stored in raw.iterator(chunk_size=200):
                    if stored:
                        model._base_manager.filter(pk=pk).update(**{name: secrets.reencrypt(stored)})
                        count += 1
            self.stdout.write(f"{model._meta.label}.{name}: {count}")
            total += count
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {total} secrets"))


def _raw(name: str):
    """The column as stored (not decrypted by the field)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return Cast(name, output_field=TextField())
