"""The confirmation page a customer opens from the resolution email: no login, signed, expiring."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from gongdan.core.context import Channel, client_ip
from gongdan.core.errors import DomainError
from gongdan.feedback import services
from gongdan.feedback.forms import ConfirmationForm


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        confirmation = services.read_token(token)
    except DomainError as error:
        return render(request, "feedback/link_problem.html", {"error": error}, status=error.status)
    language = request.GET.get("lang") or confirmation.ticket.customer.language
    with translation.override(language):
        form = ConfirmationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_confirmation(
                    token=token,
                    solved=form.cleaned_data["solved"] == "yes",
                    clear=form.cleaned_data["clear"] == "yes",
                    rating=int(form.cleaned_data["rating"]),
                    comment=form.cleaned_data["comment"],
                    ip=client_ip(request),
                    channel=Channel.EMAIL,
                )
            except DomainError as error:
                return render(request, "feedback/link_problem.html", {"error": error}, status=error.status)
            solved = form.cleaned_data["solved"] == "yes"
            return render(request, "feedback/thanks.html", {"ticket": confirmation.ticket, "solved": solved})
        status = 422 if request.method == "POST" else 200
        context = {"form": form, "ticket": confirmation.ticket, "language": language}
        return render(request, "feedback/confirm.html", context, status=status)
