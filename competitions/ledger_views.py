"""The public page of the ledger's seals: every block's digest, for anyone to keep."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .models import LedgerBlock, UnsealedEntry
from .sealing import published_digests

PER_PAGE = 50


@require_safe
def ledger_blocks(request):
    blocks = LedgerBlock.objects.order_by("-number").only(
        "number",
        "sealed_at",
        "entry_count",
        "first_entry_id",
        "last_entry_id",
        "digest",
    )
    page = Paginator(blocks, PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "competitions/ledger_blocks.html",
        {
            "page": page,
            "head": LedgerBlock.objects.order_by("-number").first(),
            "waiting": UnsealedEntry.objects.count(),
        },
    )
    patch_cache_control(response, public=True, max_age=30)
    return response


@require_safe
def ledger_blocks_json(request):
    response = JsonResponse(published_digests(), safe=False)
    patch_cache_control(response, public=True, max_age=30)
    return response
