"""Product use cases: create (with a default price), update, delete, look up, search."""

from __future__ import annotations

from typing import Any, TypedDict

from seikyu.catalog import price_repository, product_repository
from seikyu.catalog.price_rules import Path, PriceInput, param
from seikyu.core import metadata
from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.products import Product
from seikyu.db.pagination import Page, Window
from seikyu.db.search import SearchQueryLike
from seikyu.db.uow import UnitOfWork


class ProductFields(TypedDict, total=False):
    """Fields a request may set; a None value clears the field."""

    id: str
    name: str
    active: bool
    description: str | None
    type: str
    images: list[str] | None
    marketing_features: list[dict[str, Any]] | None
    package_dimensions: dict[str, str] | None  # decimal strings
    shippable: bool
    statement_descriptor: str | None
    tax_code: str | None
    unit_label: str | None
    url: str | None
    metadata: dict[str, str] | None
    default_price: str


class DefaultPriceData(TypedDict, total=False):
    """`default_price_data`: a price created with the product and made its default."""

    terms: PriceInput
    metadata: dict[str, str] | None


# Fields a product of type `good` may not have (Stripe: "may only be set if type=service").
_SERVICE_ONLY = ("statement_descriptor", "unit_label")
_PLAIN = (
    "name",
    "active",
    "description",
    "shippable",
    "statement_descriptor",
    "tax_code",
    "unit_label",
    "url",
)


def create(
    uow: UnitOfWork,
    fields: ProductFields,
    default_price: DefaultPriceData | None = None,
    *,
    at: Path = (),
) -> Product:
    """A new product; `at` is where its fields sit in the request (`product_data`)."""
    product_id = fields.get("id") or uow.new_id("prod")
    if product_repository.get(uow.session, uow.account_id, uow.livemode, product_id):
        raise SeikyuError(
            "Product already exists.", param=param(at, "id"), code="resource_already_exists"
        )
    product = Product(
        id=product_id,
        account_id=uow.account_id,
        livemode=uow.livemode,
        sort_key=product_id if "id" not in fields else uow.new_id("prod"),
        created=uow.now,
        updated=uow.now,
        active=fields.get("active", True),
        name=fields["name"],
        description=fields.get("description"),
        type=fields.get("type") or "service",
        default_price_id=None,
        images=fields.get("images") or [],
        marketing_features=fields.get("marketing_features") or [],
        package_dimensions=fields.get("package_dimensions"),
        shippable=fields.get("shippable"),
        statement_descriptor=fields.get("statement_descriptor"),
        tax_code=fields.get("tax_code"),
        unit_label=fields.get("unit_label"),
        url=fields.get("url"),
        metadata_=metadata.initial(fields.get("metadata")),
    )
    _check_service_only(product, at)
    product_repository.add(uow.session, product)
    uow.emit("product.created", product)
    if default_price is not None:
        # prices imports this module (a price may create its product), hence the late import.
        from seikyu.catalog import prices

        price = prices.create_default(
            uow, product, default_price["terms"], default_price.get("metadata")
        )
        product.default_price_id = price.id
    return product


def update(uow: UnitOfWork, product_id: str, fields: ProductFields) -> Product:
    product = get(uow, product_id)
    uow.before_update("product.updated", product)
    changed = False
    for name in _PLAIN:
        if name in fields and getattr(product, name) != fields[name]:  # type: ignore[literal-required]
            setattr(product, name, fields[name])  # type: ignore[literal-required]
            changed = True
    for name in ("images", "marketing_features"):
        if name in fields:
            value = fields[name] or []  # type: ignore[literal-required]
            changed |= getattr(product, name) != value
            setattr(product, name, value)
    if (
        "package_dimensions" in fields
        and product.package_dimensions != fields["package_dimensions"]
    ):
        product.package_dimensions = fields["package_dimensions"]
        changed = True
    if "metadata" in fields:
        merged = metadata.merge(product.metadata_, fields["metadata"])
        changed |= merged != product.metadata_
        product.metadata_ = merged
    if "default_price" in fields and fields["default_price"] != product.default_price_id:
        _check_default_price(uow, product, fields["default_price"])
        product.default_price_id = fields["default_price"]
        changed = True
    _check_service_only(product, ())
    if changed:
        product.updated = uow.now
    return product


def delete(uow: UnitOfWork, product_id: str) -> Product:
    """Remove a product that has no prices; Stripe keeps products that have them."""
    product = get(uow, product_id)
    if product_repository.has_prices(uow.session, uow.account_id, uow.livemode, product.id):
        raise SeikyuError(
            "This product cannot be deleted because it has one or more user-created prices.",
            param="id",
        )
    uow.emit_now("product.deleted", product)
    product_repository.remove(uow.session, product)
    return product


def get(uow: UnitOfWork, product_id: str, *, name: str | None = "id") -> Product:
    """The product, or Stripe's "No such product" naming the parameter `name`."""
    product = find(uow, product_id)
    if product is None:
        raise no_such("product", product_id, param=name)
    return product


def find(uow: UnitOfWork, product_id: str) -> Product | None:
    """This account's product with that id, or None."""
    return product_repository.get(uow.session, uow.account_id, uow.livemode, product_id)


def page(
    uow: UnitOfWork,
    window: Window,
    *,
    active: bool | None = None,
    ids: list[str] | None = None,
    shippable: bool | None = None,
    product_type: str | None = None,
    url: str | None = None,
) -> Page[Product]:
    """Newest first. Callers may choose product ids, so the cursors are translated to the
    products' creation-ordered sort keys."""
    cursors: dict[str, str | None] = {}
    for name in ("starting_after", "ending_before"):
        cursor = getattr(window, name)
        if cursor is not None:
            key = product_repository.sort_key_of(uow.session, uow.account_id, uow.livemode, cursor)
            if key is None:
                raise no_such("product", cursor, param=name)
            cursors[name] = key
    if cursors:
        window = Window(**{**window.__dict__, **cursors})
    return product_repository.page(
        uow.session,
        uow.account_id,
        uow.livemode,
        window,
        active=active,
        ids=ids,
        shippable=shippable,
        product_type=product_type,
        url=url,
    )


def search_fields() -> dict[str, str]:
    """The searchable fields and their kinds, to validate a parsed query against."""
    return product_repository.SEARCH.fields()


def search(
    uow: UnitOfWork, query: SearchQueryLike, *, offset: int, limit: int
) -> tuple[list[Product], bool]:
    return product_repository.SEARCH.page(
        uow.session, uow.account_id, uow.livemode, query, offset=offset, limit=limit
    )


def count(uow: UnitOfWork, query: SearchQueryLike) -> int:
    return product_repository.SEARCH.count(uow.session, uow.account_id, uow.livemode, query)


def _check_default_price(uow: UnitOfWork, product: Product, price_id: str) -> None:
    price = price_repository.get(uow.session, uow.account_id, uow.livemode, price_id)
    if price is None:
        raise no_such("price", price_id, param="default_price")
    if price.product_id != product.id:
        raise SeikyuError(
            f"The price {price_id} belongs to another product; a product's default price must "
            "be one of its own prices.",
            param="default_price",
        )
    if not price.active:
        raise SeikyuError(
            f"The price {price_id} is archived (active=false); a product's default price must "
            "be active.",
            param="default_price",
        )


def _check_service_only(product: Product, at: Path) -> None:
    if product.type == "service":
        return
    for name in _SERVICE_ONLY:
        if getattr(product, name) is not None:
            raise SeikyuError(
                f"{name} can only be set on products of type service.", param=param(at, name)
            )
