"""Staff API of tax rates and vouchers (docs/orders.md "Tax and vouchers")."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.pagination import PageNumberPagination
from apps.common.permissions import IsStaff
from apps.orders import selectors
from apps.orders.api.pricing_serializers import (
    TaxRateChangeSerializer,
    TaxRateInSerializer,
    TaxRateSerializer,
    VoucherInSerializer,
    VoucherListFilterSerializer,
    VoucherSerializer,
)
from apps.orders.services import pricing_staff


def _valid(serializer_class, request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TaxRateListCreateApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="orders_tax_rates_list", responses=TaxRateSerializer(many=True)
    )
    def get(self, request):
        """List tax rates.

        Staff only. Every country's standard and reduced VAT rate in percent, by
        country; a country without a rate is not taxed.
        """
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.tax_rate_list(), request, self)
        return paginator.get_paginated_response(TaxRateSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_tax_rates_create",
        request=TaxRateInSerializer,
        responses={201: TaxRateSerializer},
    )
    def post(self, request):
        """Create a country's tax rates.

        Staff only. One row per country (ISO 3166-1 alpha-2); rates from 0 to 100
        percent. A product's tax class picks the standard or the reduced rate.
        """
        rate = pricing_staff.tax_rate_create(**_valid(TaxRateInSerializer, request))
        return Response(TaxRateSerializer(rate).data, status=status.HTTP_201_CREATED)


class TaxRateDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="orders_tax_rates_retrieve", responses=TaxRateSerializer
    )
    def get(self, request, country: str):
        """Get a country's tax rates.

        Staff only; 404 for a country without rates.
        """
        rate = selectors.tax_rate_get(country=country)
        return Response(TaxRateSerializer(rate).data)

    @extend_schema(
        operation_id="orders_tax_rates_update",
        request=TaxRateChangeSerializer,
        responses=TaxRateSerializer,
    )
    def patch(self, request, country: str):
        """Change a country's tax rates.

        Staff only. Carts priced afterwards use the new rates; placed orders keep
        the tax they were charged.
        """
        data = _valid(TaxRateChangeSerializer, request, partial=True)
        rate = pricing_staff.tax_rate_update(country=country.upper(), data=data)
        return Response(TaxRateSerializer(rate).data)

    @extend_schema(operation_id="orders_tax_rates_destroy", responses={204: None})
    def delete(self, request, country: str):
        """Delete a country's tax rates.

        Staff only. The country is no longer taxed.
        """
        pricing_staff.tax_rate_delete(country=country.upper())
        return Response(status=status.HTTP_204_NO_CONTENT)


class VoucherListCreateApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="orders_vouchers_list",
        parameters=[VoucherListFilterSerializer],
        responses=VoucherSerializer(many=True),
    )
    def get(self, request):
        """List vouchers.

        Staff only, by code; `code` filters on a part of it. `uses` counts the
        redemptions of orders that did not fail and were not cancelled.
        """
        filters = VoucherListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        vouchers = selectors.voucher_list(code=filters.validated_data.get("code"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(vouchers, request, self)
        return paginator.get_paginated_response(VoucherSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_vouchers_create",
        request=VoucherInSerializer,
        responses={201: VoucherSerializer},
    )
    def post(self, request):
        """Create a voucher.

        Staff only. A percentage (at most 100) or a fixed amount off the goods or
        the shipping, with an optional minimum spend, validity window and usage
        limits in total and per customer.
        """
        voucher = pricing_staff.voucher_create(**_valid(VoucherInSerializer, request))
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


class VoucherDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(operation_id="orders_vouchers_retrieve", responses=VoucherSerializer)
    def get(self, request, voucher_id: int):
        """Get a voucher.

        Staff only.
        """
        voucher = selectors.voucher_get(voucher_id=voucher_id)
        return Response(VoucherSerializer(voucher).data)

    @extend_schema(
        operation_id="orders_vouchers_update",
        request=VoucherInSerializer,
        responses=VoucherSerializer,
    )
    def patch(self, request, voucher_id: int):
        """Change a voucher.

        Staff only; any field of the creation, checked together with the others.
        `uses` is not writable; a usage limit below it is refused.
        """
        data = _valid(VoucherInSerializer, request, partial=True)
        voucher = pricing_staff.voucher_update(voucher_id=voucher_id, data=data)
        return Response(VoucherSerializer(voucher).data)

    @extend_schema(operation_id="orders_vouchers_destroy", responses={204: None})
    def delete(self, request, voucher_id: int):
        """Delete a voucher.

        Staff only, and only a voucher never redeemed (409 `voucher_in_use`
        otherwise: deactivate it with `is_active` false).
        """
        pricing_staff.voucher_delete(voucher_id=voucher_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
