"""`manage.py issue_api_token <username> --name NAME`: print a new personal API token once."""

from django.core.management.base import BaseCommand, CommandError

from gongdan.accounts import services
from gongdan.accounts.models import User
from gongdan.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Issue a personal API token for an account and print it once. Only its SHA-256 is stored, so the "
        "token cannot be shown again: copy it now. Use it as `Authorization: Bearer <token>` on /api/v1/. "
        "The token acts as that account, with its role and visibility. Revoke it by setting `revoked at` "
        "on the API token in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account the token acts as.")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'ERP sync' (max 100).")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account with username {username!r}.")
        try:
            token, raw = services.issue_api_token(user=user, name=name)
        except DomainError as exc:
            raise CommandError(exc.bilingual) from exc
        self.stderr.write(f"Token {token.name!r} for {user.username} (prefix {token.prefix}). It is shown only once:")
        self.stdout.write(raw)
