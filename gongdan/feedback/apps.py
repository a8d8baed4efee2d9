from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "gongdan.feedback"
    label = "feedback"
