from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongdan.core import clock
from gongdan.sla import access, selectors


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The lead's board of P0 escalations, breaches, warnings and stagnation."""
    if not access.can_see_board(request.user):
        raise Http404
    data = selectors.board(request.user)
    lanes = [
        ("p0", "danger", data.p0_breaker),
        ("breached", "danger", data.breached),
        ("at_risk", "warning", data.at_risk),
        ("red", "danger", data.stagnant_red),
        ("yellow", "warning", data.stagnant_yellow),
    ]
    return render(request, "sla/board.html", {"lanes": lanes, "board": data, "now": clock.now()})
