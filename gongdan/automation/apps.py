from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "gongdan.automation"
    label = "automation"
