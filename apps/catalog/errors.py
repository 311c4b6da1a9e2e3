"""Domain errors of the catalog (private; mapped to problem details by the kernel)."""

from apps.common.errors import ApplicationError, Conflict, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    title = "Product not found"


class CategoryInUse(Conflict):
    code = "category_in_use"
    title = "Category still has products or subcategories"


class ProductImageNotFound(NotFound):
    code = "product_image_not_found"
    title = "Product image not found"


class ImageUploadTooLarge(ApplicationError):
    status_code = 413
    code = "image_upload_too_large"
    title = "Image upload too large"


class VariantNotFound(NotFound):
    code = "variant_not_found"
    title = "Variant not found"
