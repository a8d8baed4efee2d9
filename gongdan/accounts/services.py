"""Writes for accounts: personal API tokens (only their SHA-256 is stored)."""

from django.db import transaction

from gongdan.accounts.models import ApiToken, User
from gongdan.core.errors import InvalidInput
from gongdan.core.text import is_blank


@transaction.atomic
def issue_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`. The raw token is returned once and never stored."""
    if is_blank(name) or len(name.strip()) > 100:
        raise InvalidInput(
            "A token name is 1 to 100 characters.", "令牌名称为 1 到 100 个字符。", fields={"name": "length"}
        )
    if not user.is_active:
        raise InvalidInput(
            "Tokens are issued to active accounts only.", "只能为启用的账号签发令牌。", fields={"user": "inactive"}
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[:10], digest=ApiToken.hash(raw))
    return token, raw
