"""Signing in and the caller: POST /api/v1/auth/token/, GET /api/v1/me/."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from docflow.api.base import ScopedAPIView
from docflow.tenancy.models import Agency
from docflow.tenancy.selectors import memberships_of_user


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


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



class LoginThrottle(AnonRateThrottle):
    rate = "20/min"


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise AuthenticationFailed("Tên đăng nhập hoặc mật khẩu không đúng.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


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
