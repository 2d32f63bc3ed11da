"""CSV import: file-level refusals change nothing; a preview lists bad rows; confirm imports."""

import io
from pathlib import Path

from sqlalchemy import func, select

from tests.vendors.factories import make_product, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.vendors import importer
from vendorrisk.vendors.models import Contact, Product, ProductUse, Vendor

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "vendors.csv"
HEADER = "record_type,vendor,criticality,data_access,contact_name,contact_email,contact_kinds"


def _counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Vendor, Contact, ProductUse)
    )


def _upload(client, raw: bytes, name: str = "vendors.csv"):
    return client.post(
        "/vendors/import",
        data={"file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def _file_error(response) -> str:
    assert response.status_code == 200
    return response.text.split('id="file-error">', 1)[1].split("</div>", 1)[0]


def test_the_documented_example_previews_clean_and_imports(client, auth, db_session):
    auth.login("manager")
    response = _upload(client, EXAMPLE.read_bytes())
    assert response.status_code == 302 and response.location.endswith("/vendors/import/preview")
    preview = client.get(response.location)
    assert "All 9 rows are valid" in preview.text
    assert _counts() == (0, 0, 0)  # a preview imports nothing
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "vendor.created")
        )
        == 0
    )
    response = client.post("/vendors/import/confirm", data={"import_all": "1"})
    assert response.status_code == 302
    assert _counts() == (3, 3, 3)
    payroll = db.session.scalar(select(Vendor).where(Vendor.name == "Brightwell Payroll"))
    assert payroll.parent.name == "Brightwell Group" and payroll.risk_tier == 1
    assert payroll.lei == "5493001KJTIIGC8Y1R12"
    assert payroll.primary_contact.name == "Jordan Vale"
    assert {u.subcontractor for u in payroll.product_uses} == {"", "Harrowgate Managed IT"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vendors.imported"))
    assert entry.details["vendor"] == 3 and entry.details["skipped_rows"] == 0
    assert client.post("/vendors/import/confirm", data={"import_all": "1"}).status_code == 302
    assert _counts() == (3, 3, 3)  # the upload is gone: confirming twice adds nothing


def test_a_bom_is_accepted(client, auth, db_session):
    auth.login("manager")
    raw = ("\ufeff" + HEADER + "\nvendor,Bom Ltd,low,none,,,\n").encode()
    assert _upload(client, raw).status_code == 302
    assert "All 1 rows are valid" in client.get("/vendors/import/preview").text


def test_a_latin1_file_is_refused_with_a_clear_message_and_nothing_imported(
    client, auth, db_session
):
    auth.login("manager")
    raw = (HEADER + "\nvendor,Société Générale Services,low,none,,,\n").encode("latin-1")
    message = _file_error(_upload(client, raw))
    assert "not UTF-8" in message and "CSV UTF-8" in message
    assert _counts() == (0, 0, 0)
    assert client.get("/vendors/import/preview").status_code == 302  # nothing kept


def test_a_malformed_csv_is_refused(client, auth, db_session):
    auth.login("manager")
    raw = (HEADER + '\nvendor,"Unclosed quote Ltd,low,none,,,\n').encode()
    assert "not well-formed CSV" in _file_error(_upload(client, raw))
    assert _counts() == (0, 0, 0)


def test_an_oversized_file_is_refused(client, auth, db_session):
    auth.login("manager")
    filler = "vendor,Big Ltd,low,none,,,\n" * (2 * 1024 * 1024 // 26 + 10)
    raw = (HEADER + "\n" + filler).encode()
    assert len(raw) > 2 * 1024 * 1024
    response = _upload(client, raw)
    # Werkzeug's test client spools a large body to a temporary file and leaves it open.
    response.request.environ["wsgi.input"].close()
    assert "the limit is 2 MiB" in _file_error(response)
    assert _counts() == (0, 0, 0)


def test_unknown_headers_are_named(client, auth, db_session):
    auth.login("manager")
    raw = b"record_type,vendor,criticality,data_acces,colour\nvendor,X,low,none,red\n"
    message = _file_error(_upload(client, raw))
    assert "Unknown columns" in message and "data_acces" in message and "colour" in message


def test_an_empty_file_and_a_header_alone_are_refused(client, auth, db_session):
    auth.login("manager")
    assert "empty" in _file_error(_upload(client, b""))
    assert "no rows" in _file_error(_upload(client, HEADER.encode() + b"\n"))


def test_a_missing_file_is_asked_for(client, auth, db_session):
    auth.login("manager")
    response = client.post("/vendors/import", data={})
    assert "Choose a CSV file" in response.text


BAD_FILE = (
    "\n".join(
        [
            HEADER + ",lei,contract_start,contract_end",
            "vendor,Good One,high,confidential,,,,,,",  # row 2: fine
            "vendor,good one,low,none,,,,,,",  # row 3: duplicate
            "vendor,Bad LEI,low,none,,,,5493001KJTIIGC8Y1R13,,",  # row 4: checksum
            "vendor,Backwards,low,none,,,,,2024-05-01,2024-01-01",  # row 5: end < start
            "contact,Good One,,,Pat Good,pat@good.example,primary,,,",  # row 6: fine
            "contact,Good One,,,Second Primary,two@good.example,primary,,,",  # row 7: 2nd primary
            "contact,Good One,,,Bad Mail,not-an-email,security,,,",  # row 8: e-mail
            "contact,Bad LEI,,,Orphan,orphan@bad.example,primary,,,",  # row 9: vendor refused
            "thing,Good One,,,,,,,,",  # row 10: record type
            "vendor,Sloppy,extreme,none,,,,,,",  # row 11: criticality
            "vendor,Forever,low,none,,,,,2024-01-01,9999-12-31",  # row 12: no such day to use
        ]
    )
    + "\n"
)


def test_the_preview_lists_every_bad_row_with_its_number_and_reason(client, auth, db_session):
    auth.login("manager")
    _upload(client, BAD_FILE.encode())
    page = client.get("/vendors/import/preview").text
    assert "9 of 11 rows have errors" in page
    bad = page.split("Rows with errors", 1)[1].split("All rows", 1)[0]
    for number, reason in [
        (3, "already in the inventory or in an earlier row"),
        (4, "check digits are wrong"),
        (5, "cannot end before it starts"),
        (7, "already the primary contact"),
        (8, "not a valid e-mail address"),
        (9, "own row (row 4) has errors"),
        (10, "record_type: use one of"),
        (11, "“extreme” is not one of"),
        (12, "Enter a date between 01 January 1900 and 31 December 2199."),
    ]:
        assert f"<td>{number}</td>" in bad, number
        row = bad.split(f"<td>{number}</td>", 1)[1].split("</tr>", 1)[0]
        assert reason in row, (number, row)
    assert "<td>2</td>" not in bad and "<td>6</td>" not in bad
    assert "Import only the valid rows" in page and "Import everything" not in page


def test_nothing_is_imported_from_a_file_with_bad_rows_unless_asked(client, auth, db_session):
    auth.login("manager")
    _upload(client, BAD_FILE.encode())
    response = client.post("/vendors/import/confirm", data={"import_all": "1"})
    assert response.status_code == 200 and "Nothing was imported" in response.text
    assert _counts() == (0, 0, 0)


def test_importing_only_the_valid_rows(client, auth, db_session):
    auth.login("manager")
    _upload(client, BAD_FILE.encode())
    response = client.post("/vendors/import/confirm", data={"import_valid": "1"})
    assert response.status_code == 302
    assert [v.name for v in db.session.scalars(select(Vendor))] == ["Good One"]
    assert _counts() == (1, 1, 0)
    assert "skipped 9 rows with errors" in client.get(response.location).text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vendors.imported"))
    assert entry.details["skipped_rows"] == 9


def test_product_rows_match_aliases_and_add_unknown_products_with_a_supplier(
    client, auth, db_session
):
    make_product("Mimecast Sync and Recover", "Mimecast", aliases=["Mimecast S&R"])
    vendor = make_vendor("Existing Vendor")
    raw = "\n".join(
        [
            "record_type,vendor,product,supplier,versions,subcontractor",
            "product,existing vendor,mimecast  s&r,,,Harrowgate Managed IT",
            "product,Existing Vendor,Brand New Tool,Tools Ltd,1.0;2.0,",
            "product,Existing Vendor,Unknown Thing,,,",
        ]
    ).encode()
    auth.login("manager")
    _upload(client, raw)
    page = client.get("/vendors/import/preview").text
    assert "is not in the catalogue" in page
    client.post("/vendors/import/confirm", data={"import_valid": "1"})
    db.session.expire_all()
    uses = {u.product.name: u for u in vendor.product_uses}
    assert uses["Mimecast Sync and Recover"].subcontractor == "Harrowgate Managed IT"
    assert uses["Brand New Tool"].versions == ["1.0", "2.0"]
    assert db.session.scalar(select(Product).where(Product.name == "Brand New Tool"))


def test_the_confirmation_reads_the_kept_file_not_the_request(client, auth, db_session):
    """The confirm form carries no data: without a kept upload it imports nothing."""
    auth.login("manager")
    response = client.post(
        "/vendors/import/confirm", data={"import_all": "1", "file": "record_type,vendor\nvendor,X"}
    )
    assert response.status_code == 302 and response.location.endswith("/vendors/import")
    assert _counts() == (0, 0, 0)


def test_kept_upload_names_are_random_hex_and_nothing_else_is_read(app):
    with app.app_context():
        name = importer.store_upload(b"record_type,vendor\n")
        assert len(name) == 32 and int(name, 16) >= 0
        assert importer.load_upload(name) == b"record_type,vendor\n"
        assert importer.load_upload("../../secret_key") is None
        importer.discard_upload(name)
        assert importer.load_upload(name) is None


def test_the_import_doc_describes_every_column_and_its_example_uses_them_all():
    doc = (EXAMPLE.parents[1] / "vendor-import.md").read_text()
    header = EXAMPLE.read_text().splitlines()[0].split(",")
    for column in importer.COLUMNS:
        assert f"`{column}`" in doc, column
    assert header == list(importer.COLUMNS)


def test_a_header_with_thousands_of_columns_is_refused_before_it_is_examined(
    client, auth, db_session
):
    """Issue 20 item 2: "vendor," * 40000 took 22 s (a count per column); now a cap refuses it."""
    auth.login("manager")
    raw = (",".join(["vendor"] * 40_000) + "\nvendor,X\n").encode()
    message = _file_error(_upload(client, raw))
    assert "40,000 columns" in message and f"at most {importer.MAX_COLUMNS}" in message
    assert _counts() == (0, 0, 0)


def test_a_header_at_the_cap_with_repeats_names_each_repeat_once(client, auth, db_session):
    """Issue 20 item 2: the duplicate message stays short and names each repeated column."""
    auth.login("manager")
    names = ["record_type", "vendor"] * (importer.MAX_COLUMNS // 2)
    message = _file_error(_upload(client, (",".join(names) + "\nvendor,X\n").encode()))
    assert "more than once: record_type, vendor." in message
