"""Signing in and the caller: POST /api/v1/auth/token/ and logout/, the caller's tokens,
GET /api/v1/me/.

Failed sign-ins are counted by django-axes (``docflow.tenancy.logins``): the password check
goes through ``authenticate`` with the underlying Django request, and a wrong second-factor
code is reported as a failed sign-in too; once locked, the middleware answers 429 with
Retry-After instead of this view.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from docflow.api.base import ScopedAPIView
from docflow.api.models import ApiToken
from docflow.api.tokens import token_issue, token_revoke, tokens_of_user, tokens_revoke_all
from docflow.tenancy.models import Agency
from docflow.tenancy.second_factor import confirmed_device, second_factor_required, second_factor_verify
from docflow.tenancy.selectors import memberships_of_user


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                help_text="A TOTP code (or a recovery code) for users with a confirmed device")
    device = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                   help_text="What the token is for, shown in the token list")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenInfoSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["prefix", "device", "created_at", "last_used_at", "expires_at", "current"]

    def get_current(self, token) -> bool:
        return token.pk == getattr(self.context.get("current"), "pk", None)


class LogoutSerializer(serializers.Serializer):
    revoked = serializers.IntegerField()


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    agency = AgencyBriefSerializer()
    unit = serializers.CharField(allow_null=True)
    position = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    agencies = AgencyBriefSerializer(many=True)


class TokenView(APIView):
    """Exchange a username and password (and a second-factor code when the person has a
    confirmed device) for a new API token; each call makes another token (one per device)."""

    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        http = request._request  # axes reads and marks the Django request
        user = authenticate(http, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        if confirmed_device(user=user) is not None:
            if not second_factor_verify(user=user, code=data.get("otp", "")):
                user_login_failed.send(sender=__name__, credentials={"username": data["username"]},
                                       request=http)
                raise ValidationError({"otp": [_("Mã xác thực không đúng hoặc đã được dùng.")]})
        elif any(second_factor_required(membership=m) for m in memberships_of_user(user=user)):
            raise ValidationError({"otp": [_("Cơ quan yêu cầu xác thực hai lớp: đăng nhập trên trang web "
                                             "để đăng ký ứng dụng xác thực trước.")]})
        device = data.get("device") or request.META.get("HTTP_USER_AGENT", "")
        _token, key = token_issue(user=user, device=device)
        user_logged_in.send(sender=user.__class__, request=http, user=user)
        return Response({"token": key}, status=status.HTTP_200_OK)


class LogoutView(APIView):
    """Revoke the token this request carries; with ``?all=1`` every token of the caller."""

    @extend_schema(request=None, responses=LogoutSerializer, parameters=[
        OpenApiParameter("all", bool, description="revoke every token of the caller")])
    def post(self, request):
        if request.query_params.get("all") in ("1", "true"):
            revoked = tokens_revoke_all(user_id=request.user.pk)
        elif isinstance(request.auth, ApiToken):
            revoked = int(token_revoke(user=request.user, prefix=request.auth.prefix))
        else:
            revoked = 0
        return Response({"revoked": revoked})


class TokenListView(APIView):
    """The caller's tokens that still work (never the keys)."""

    @extend_schema(responses=TokenInfoSerializer(many=True))
    def get(self, request):
        tokens = tokens_of_user(user=request.user)
        return Response(TokenInfoSerializer(tokens, many=True, context={"current": request.auth}).data)


class TokenDetailView(APIView):
    """Revoke one of the caller's tokens by its prefix; another person's prefix is 404."""

    @extend_schema(responses={204: None})
    def delete(self, request, prefix: str):
        if not token_revoke(user=request.user, prefix=prefix):
            raise NotFound(_("Không có token này."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ScopedAPIView):
    """The caller, the agency this request acts in, and its roles there."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        membership = request.membership
        user = request.user
        data = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "agency": membership.agency,
            "unit": membership.unit.symbol if membership.unit else None,
            "position": membership.position,
            "roles": membership.roles,
            "agencies": [m.agency for m in memberships_of_user(user=user)],
        }
        return Response(MeSerializer(data).data)
