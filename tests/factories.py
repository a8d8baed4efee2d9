"""Factories per app. Tickets are created through the services, never by saving rows directly."""

import itertools

import factory

from gongdan.accounts.constants import Role
from gongdan.accounts.models import Team, User
from gongdan.core.context import Actor, Channel
from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import Customer, CustomerIdentity, Organization
from gongdan.tickets import services
from gongdan.tickets.models import Category

_seq = itertools.count(1)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team-{n}")
    name_zh = factory.Sequence(lambda n: f"客服{n}组")
    name_en = factory.Sequence(lambda n: f"Service team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@staff.example.com")
    role = Role.AGENT
    # The personas chose Chinese; an account that has not chosen yet (language "") follows the browser.
    language = "zh-hans"
    password = factory.PostGenerationMethodCall("set_password", "pw-Gongdan-2026")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"华东智造{n}有限公司")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    language = "zh-hans"


def customer_with_login(username: str, *, email: str | None = None, **fields) -> Customer:
    user = UserFactory(username=username, role=Role.CUSTOMER, email=email or f"{username}@example.com")
    customer = CustomerFactory(user=user, **fields)
    CustomerIdentity.objects.create(customer=customer, kind=IdentityKind.EMAIL, value=user.email)
    return customer


def category(code: str = "login", name_zh: str = "登录问题", parent: Category | None = None) -> Category:
    return Category.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": code, "parent": parent})[
        0
    ]


def ticket_for(customer: Customer, *, subject: str | None = None, actor: Actor | None = None, **fields):
    return services.create_ticket(
        actor=actor or Actor(user=customer.user, customer=customer, channel=Channel.PORTAL),
        customer=customer,
        subject=subject or f"无法登录 #{next(_seq)}",
        description=fields.pop("description", "登录时一直提示验证码错误"),
        **fields,
    )
