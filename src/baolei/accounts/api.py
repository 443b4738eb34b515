from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    scope_region: str | None


@router.get("", response=MeOut, summary="The authenticated user, role and scope")
def me(request: HttpRequest):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "scope_region": user.scope_region_id,
    }
