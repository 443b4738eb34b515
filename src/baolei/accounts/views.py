from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baolei.accounts import services
from baolei.accounts.decorators import require_perm
from baolei.accounts.forms import (
    BulmaPasswordChangeForm,
    LoginForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from baolei.accounts.models import ApiToken, User
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import get_in_scope, scoped
from baolei.regions.services import picker_roots


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = BulmaPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


def _get_user_for_manager(request: HttpRequest, user_id: int) -> User:
    """A user account the manager may see: in scope, else 404."""
    return get_in_scope(User.objects.select_related("scope_region"), request.scope, pk=user_id)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_perm(Perm.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    users = scoped(User.objects.select_related("scope_region"), request.scope)
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(phone__icontains=query)
        )
    page = Paginator(users.order_by("username"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


@require_perm(Perm.MANAGE_USERS)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.do_create_user(
                request.user,
                username=data["username"],
                password=data["password1"],
                role=data["role"],
                scope_region=data["scope_region"],
                full_name=data["full_name"],
                phone=data["phone"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "creating": True, "picker_roots": picker_roots(request.scope)},
    )


@require_perm(Perm.MANAGE_USERS)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _get_user_for_manager(request, user_id)
    form = UserEditForm(request.POST or None, instance=user, manager=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.do_update_user(request.user, user, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": user.username})
            return redirect("accounts:user_list")
    context = {
        "form": form,
        "creating": False,
        "account": user,
        "picker_roots": picker_roots(request.scope),
    }
    return render(request, "accounts/user_form.html", context)


@require_perm(Perm.MANAGE_USERS)
@require_POST
def user_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _get_user_for_manager(request, user_id)
    password = services.generate_password()
    try:
        services.do_set_password(request.user, user, password)
    except (ValidationError, PermissionDenied):
        raise PermissionDenied from None
    return render(
        request, "accounts/password_reset_done.html", {"account": user, "password": password}
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if not request.scope.can(Perm.USE_API):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.do_create_token(request.user, form.cleaned_data["name"])
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Only one's own tokens: another user's token id is simply not found.
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    services.do_revoke_token(token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("accounts:token_list")
