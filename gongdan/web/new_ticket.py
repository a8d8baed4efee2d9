"""A new ticket from the desk: a phone call, a walk-in or a forwarded mail logged by an agent.

The customer is found by phone, email, name or device SN (or created on the spot); while the agent
types, the customer's open tickets, related tickets and triage's suggested category and priority
are shown. Writes go through `customers.services.create_customer` and `tickets.services.create_ticket`.
"""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongdan.core.context import Actor, Channel
from gongdan.core.errors import DomainError
from gongdan.customers import selectors as customer_selectors
from gongdan.customers import services as customers
from gongdan.customers.models import Customer
from gongdan.tickets import access, services
from gongdan.tickets.constants import ACTIVE_KINDS, PriorityCode
from gongdan.tickets.models import Category
from gongdan.web.decorators import desk_required
from gongdan.web.forms import ModelChoiceField, MultipleFileField, StyledForm, apply_domain_error

CHANNELS = [
    (Channel.PHONE, _lazy("Phone")),
    (Channel.WALK_IN, _lazy("Walk-in")),
    (Channel.EMAIL, _lazy("Email")),
    (Channel.IM, _lazy("Instant messaging")),
    (Channel.WEB, _lazy("Web")),
]
MATCHES = 8  # customers listed for a lookup


class NewTicketForm(StyledForm):
    customer = forms.ModelChoiceField(
        label=_lazy("Customer"), queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    new_name = forms.CharField(label=_lazy("New customer: name"), required=False, max_length=200)
    new_phone = forms.CharField(label=_lazy("Phone"), required=False, max_length=32)
    new_email = forms.EmailField(label=_lazy("Email"), required=False, max_length=200)
    channel = forms.ChoiceField(label=_lazy("Channel"), choices=CHANNELS, initial=Channel.PHONE)
    category = ModelChoiceField(label=_lazy("Category"), queryset=Category.objects.none(), required=False)
    priority = forms.ChoiceField(
        label=_lazy("Priority"),
        required=False,
        choices=[("", _lazy("As triage decides")), *PriorityCode.choices],
    )
    subject = forms.CharField(label=_lazy("Subject"), max_length=200)
    description = forms.CharField(
        label=_lazy("Description"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    device_sn = forms.CharField(label=_lazy("Device serial number (SN)"), required=False, max_length=100)
    attachments = MultipleFileField(label=_lazy("Attachments"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_selectors.search_customers(user)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent__parent")

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not (data.get("new_name") or "").strip():
            self.add_error("new_name", _("Choose a customer found above, or give the new customer's name."))
        if not data.get("customer") and data.get("new_name") and not (data.get("new_phone") or data.get("new_email")):
            self.add_error("new_phone", _("A new customer needs a phone number or an email address."))
        return data


def _new_customer(actor: Actor, data: dict) -> Customer:
    identities = [
        customers.NewIdentity(kind, value.strip())
        for kind, value in (("phone", data.get("new_phone") or ""), ("email", data.get("new_email") or ""))
        if value.strip()
    ]
    found = customers.find_customer(identities)
    if found is not None:
        return found
    return customers.create_customer(
        actor=actor, name=data["new_name"].strip(), identities=identities, language=get_language() or "zh-hans"
    )


def _create(request: HttpRequest, data: dict):
    actor = Actor.from_request(request, data["channel"])
    with transaction.atomic():
        customer = data.get("customer") or _new_customer(actor, data)
        ticket = services.create_ticket(
            actor=actor,
            customer=customer,
            subject=data["subject"],
            description=data["description"],
            category=data.get("category"),
            priority_code=data.get("priority") or None,
            device_sn=data.get("device_sn") or "",
        )
        uploads = [services.Upload(f.name, f.read(), f.content_type or "") for f in data["attachments"]]
        if uploads:
            services.attach(actor=actor, ticket=ticket, files=uploads)
    return ticket


@require_http_methods(["GET", "POST"])
@desk_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else None
    form = NewTicketForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = _create(request, form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error, get_language())
        else:
            messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
            return redirect("web:ticket", number=ticket.number)
    chosen = form.data.get("customer") if form.is_bound else request.GET.get("customer")
    context = {"form": form, "chosen": _visible_customer(request, chosen)}
    return render(request, "web/new_ticket.html", context, status=422 if form.is_bound else 200)


def _visible_customer(request: HttpRequest, customer_id) -> Customer | None:
    try:
        return customer_selectors.search_customers(request.user).filter(pk=int(customer_id)).first()
    except (TypeError, ValueError):
        return None


@require_GET
@desk_required
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Customers by phone, email, name or device SN, as the agent types."""
    query = request.GET.get("q", "").strip()
    found = list(customer_selectors.search_customers(request.user, query)[:MATCHES]) if len(query) >= 2 else []
    return render(request, "web/partials/customer_matches.html", {"found": found, "query": query})


@require_GET
@desk_required
def suggestions(request: HttpRequest) -> HttpResponse:
    """While the agent types: the customer's open tickets, related tickets, triage's suggestion."""
    from gongdan.triage import services as triage
    from gongdan.triage.duplicates import selectors as related

    subject, description = request.GET.get("subject", ""), request.GET.get("description", "")
    customer = _visible_customer(request, request.GET.get("customer"))
    text = f"{subject} {description}".strip()
    context = {
        "open_tickets": list(
            access.visible_tickets(request.user)
            .filter(customer=customer, status__kind__in=ACTIVE_KINDS)
            .select_related("status", "priority")[:5]
        )
        if customer
        else [],
        "related": related.related_search(text, user=request.user, limit=5) if len(text) >= 2 else [],
        "suggestion": triage.suggest(subject=subject, description=description, customer=customer)
        if len(text) >= 4
        else None,
    }
    return render(request, "web/partials/new_ticket_hints.html", context)
