"""Domain errors of the catalog (private; mapped to problem details by the kernel)."""

from apps.common.errors import Conflict, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    title = "Product not found"


class CategoryInUse(Conflict):
    code = "category_in_use"
    title = "Category still has products or subcategories"


class VariantNotFound(NotFound):
    code = "variant_not_found"
    title = "Variant not found"
