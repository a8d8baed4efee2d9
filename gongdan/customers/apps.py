from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "gongdan.customers"
    label = "customers"
