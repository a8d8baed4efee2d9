from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongdan.core"
    label = "core"
