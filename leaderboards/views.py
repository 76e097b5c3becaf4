from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def board_list(request):
    """The public list of boards (the boards themselves arrive with issue 4)."""
    return render(request, "leaderboards/index.html")
