"""The file store: a local folder by default, S3-compatible object storage with STORAGE_URL.
Evidence goes into the store only once accepted and comes back out as a stream with the
download headers it always had."""

from __future__ import annotations

import io

import pytest
from moto import mock_aws

from tests.portal.helpers import PDF
from vendorrisk.core import blobs, storage

BUCKET = "evidence-test"


@pytest.fixture
def s3(app, monkeypatch, tmp_path):
    """The app's store is a bucket of moto's in-process S3."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{BUCKET}/tenant")
        monkeypatch.setitem(app.config, "S3_REGION", "us-east-1")
        monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
        app.extensions.pop("blob_store", None)
        yield client
        app.extensions.pop("blob_store", None)


@pytest.mark.parametrize(
    "url", ["http://bucket/prefix", "s3:///no-bucket", "ftp://x", "bucket/prefix"]
)
def test_a_storage_url_that_is_not_s3_is_refused(url):
    with pytest.raises(ValueError, match="STORAGE_URL"):
        blobs.parse_url(url)


def test_no_storage_url_keeps_files_in_the_local_folder(app, db_session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    with app.test_request_context():
        stored = storage.save(io.BytesIO(PDF), "a.pdf", max_bytes=1024)
        assert blobs.is_local()
        assert storage.path_of(stored.stored_name).read_bytes() == PDF
        blob = storage.open_stored(stored.stored_name)
        assert blob.size == len(PDF) and b"".join(blob.chunks()) == PDF
        assert list(blobs.store().names(blobs.UPLOADS)) == [stored.stored_name]


def test_evidence_goes_to_the_bucket_and_streams_back(app, db_session, s3, tmp_path):
    body = PDF + b"%" + b"x" * (3 * blobs.CHUNK)
    with app.test_request_context():
        stored = storage.save(io.BytesIO(body), "big.pdf", max_bytes=10 * 1024 * 1024)
        key = f"tenant/uploads/{stored.stored_name}"
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body
        # Nothing is left on the host: not the file, not its temporary copy.
        assert not any((tmp_path / "uploads").glob("*"))
        assert not [p for p in (tmp_path / "uploads").parent.rglob("*") if p.is_file()]
        blob = storage.open_stored(stored.stored_name)
        chunks = list(blob.chunks())
        assert len(chunks) > 1 and max(map(len, chunks)) <= blobs.CHUNK  # a stream, in pieces
        assert b"".join(chunks) == body and blob.size == len(body)
        assert list(blobs.store().names(blobs.UPLOADS)) == [stored.stored_name]
        storage.remove(stored.stored_name)
        with pytest.raises(FileNotFoundError):
            storage.open_stored(stored.stored_name)
        with pytest.raises(FileNotFoundError):
            storage.open_stored("../etc/passwd")


def test_a_refused_file_never_reaches_the_bucket(app, db_session, s3):
    with app.test_request_context():
        with pytest.raises(storage.UploadRejected):
            storage.save(io.BytesIO(b"not a pdf"), "fake.pdf", max_bytes=1024)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_an_unreachable_store_refuses_the_upload_with_a_message(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://nowhere/prefix")
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setitem(app.config, "S3_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    app.extensions.pop("blob_store", None)
    try:
        with app.test_request_context():
            with pytest.raises(storage.UploadRejected, match="try again later"):
                storage.save(io.BytesIO(PDF), "a.pdf", max_bytes=1024)
    finally:
        app.extensions.pop("blob_store", None)


def test_a_vendor_import_file_waits_for_its_confirmation_in_the_bucket(app, db_session, s3):
    """Preview on one host, confirm on another: the kept file is in the shared store."""
    from vendorrisk.vendors import importer

    with app.test_request_context():
        name = importer.store_upload(b"record_type,vendor\n")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        assert keys == [f"tenant/imports/{name}.csv"]
        assert importer.load_upload(name) == b"record_type,vendor\n"
        importer.discard_upload(name)
        assert importer.load_upload(name) is None
        assert importer.load_upload("../uploads/x") is None
