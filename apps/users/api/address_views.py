"""The customer's address book under /api/v1/users/me/addresses/."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.users.api.serializers import AddressSerializer
from apps.users.selectors import address_list
from apps.users.services import addresses


class AddressListCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(responses=AddressSerializer(many=True))
    def get(self, request):
        """List my addresses.

        The address book, oldest first, with the default shipping and billing flags.
        """
        book = address_list(user_id=request.user.pk)
        return Response(AddressSerializer(book, many=True).data)

    @extend_schema(request=AddressSerializer, responses={201: AddressSerializer})
    def post(self, request):
        """Add an address.

        The first address becomes the default for shipping and billing; a new default
        takes the flag from the address that had it.
        """
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = addresses.address_create(
            user=request.user, **serializer.validated_data
        )
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AddressSerializer)
    def get(self, request, address_id):
        """Get one of my addresses.

        Another customer's address is a 404.
        """
        address = addresses.address_get(user=request.user, address_id=address_id)
        return Response(AddressSerializer(address).data)

    @extend_schema(request=AddressSerializer, responses=AddressSerializer)
    def patch(self, request, address_id):
        """Change one of my addresses.

        Orders placed earlier keep the copy they were placed with.
        """
        serializer = AddressSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = addresses.address_update(
            user=request.user, address_id=address_id, **serializer.validated_data
        )
        return Response(AddressSerializer(address).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, address_id):
        """Delete one of my addresses.

        Orders placed earlier keep the copy they were placed with.
        """
        addresses.address_delete(user=request.user, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
