"""The 0002_vendors migration creates exactly what the vendor models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from vendorrisk.extensions import db
from vendorrisk.vendors import models  # noqa: F401  (registers the tables)

VENDOR_TABLES = {"vendors", "vendor_contacts", "products", "product_aliases", "vendor_products"}


def test_the_vendor_tables_match_their_models(app, db_session):
    def only_vendor_tables(obj, name, type_, reflected, compare_to):
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", name) in VENDOR_TABLES

    context = MigrationContext.configure(
        db_session.connection(),
        opts={"compare_type": True, "include_object": only_vendor_tables},
    )
    assert compare_metadata(context, db.metadata) == []


def test_the_one_primary_index_is_partial_on_both_databases(db_session):
    from sqlalchemy import inspect

    indexes = {
        i["name"]: i for i in inspect(db_session.connection()).get_indexes("vendor_contacts")
    }
    index = indexes["uq_vendor_contacts_one_primary"]
    assert index["unique"] and index["column_names"] == ["vendor_id"]
