from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
def board(request):
    """The SLA lanes live on the lead's board of the workspace (one board for leads)."""
    return redirect("web:board")
