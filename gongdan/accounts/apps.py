from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongdan.accounts"
    label = "accounts"
