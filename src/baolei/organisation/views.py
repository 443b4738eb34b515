from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baolei.accounts.decorators import require_perm
from baolei.accounts.permissions import Perm


@require_perm(Perm.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "organisation/index.html", {})
