"""Where stored files live: a local folder (the default) or S3-compatible object storage.

Three areas hold files: "uploads" (evidence), "reports" (generated PDFs) and "imports" (a vendor
import file kept between its preview and its confirmation, which may reach another host). Within an area a
file has a name the app chose (random hex, never a name a user gave). `STORAGE_URL` picks the
backend: unset or `file:` keeps files under the instance folder (or UPLOAD_FOLDER /
REPORT_FOLDER) as before; `s3://bucket/prefix` keeps them in a bucket as `prefix/area/name`,
reached through boto3 (S3_ENDPOINT_URL for a non-AWS service; keys and region come from boto3's
usual settings: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION or S3_REGION).

Files are written from a finished local file (validated first) and read back as a stream of
chunks, so no download holds a whole file in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app

CHUNK = 256 * 1024
UPLOADS = "uploads"
REPORTS = "reports"
IMPORTS = "imports"  # a vendor import file between its preview and its confirmation
AREAS = (UPLOADS, REPORTS, IMPORTS)
_FOLDER_SETTING = {UPLOADS: "UPLOAD_FOLDER", REPORTS: "REPORT_FOLDER"}


class StorageError(OSError):
    """The store could not be reached or refused the operation (callers treat it like a full
    disk: the person is told to try again, nothing they saved is lost)."""


class Blob:
    """An open stored file: its size and a stream of its bytes (closed once read)."""

    def __init__(self, stream: BinaryIO | Any, size: int):
        self.stream = stream
        self.size = size

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        try:
            while chunk := self.stream.read(size):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self.stream.close()


class Store(Protocol):
    def staging_dir(self, area: str) -> Path: ...
    def put_file(self, area: str, name: str, path: Path) -> None: ...
    def open(self, area: str, name: str) -> Blob: ...
    def delete(self, area: str, name: str) -> None: ...
    def names(self, area: str) -> Iterator[str]: ...


def _check_area(area: str) -> None:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")


class LocalStore:
    """Files in folders on this host (read from the configuration on every call)."""

    def folder(self, area: str) -> Path:
        _check_area(area)
        config = current_app.config
        setting = _FOLDER_SETTING.get(area)
        configured = config.get(setting) if setting else None
        folder = Path(configured) if configured else Path(current_app.instance_path) / area
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def staging_dir(self, area: str) -> Path:
        """Temporary files go next to their final place, so the last step is a rename."""
        return self.folder(area)

    def put_file(self, area: str, name: str, path: Path) -> None:
        folder = self.folder(area)
        os.replace(path, folder / name)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def open(self, area: str, name: str) -> Blob:
        handle = (self.folder(area) / name).open("rb")
        return Blob(handle, os.fstat(handle.fileno()).st_size)

    def delete(self, area: str, name: str) -> None:
        (self.folder(area) / name).unlink(missing_ok=True)

    def names(self, area: str) -> Iterator[str]:
        for path in sorted(self.folder(area).iterdir()):
            if path.is_file() and not path.name.startswith("."):  # dot files are in progress
                yield path.name

    def path(self, area: str, name: str) -> Path:
        return self.folder(area) / name


class S3Store:
    """Files as objects `prefix/area/name` in one bucket of an S3-compatible service."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None, region: str | None):
        import boto3  # only hosts that use object storage pay for importing it
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=BotoConfig(retries={"max_attempts": 5, "mode": "standard"}),
        )

    def key(self, area: str, name: str) -> str:
        _check_area(area)
        return f"{self.prefix}/{area}/{name}" if self.prefix else f"{area}/{name}"

    def staging_dir(self, area: str) -> Path:
        _check_area(area)
        folder = Path(current_app.instance_path) / "staging"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def _errors(self) -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError)

    def put_file(self, area: str, name: str, path: Path) -> None:
        try:
            self.client.upload_file(str(path), self.bucket, self.key(area, name))
        except self._errors() as exc:
            raise StorageError(f"object storage refused {name}: {exc}") from exc
        path.unlink(missing_ok=True)

    def open(self, area: str, name: str) -> Blob:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(area, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(name) from exc
            raise StorageError(f"object storage refused {name}: {exc}") from exc
        except self._errors() as exc:
            raise StorageError(f"object storage unreachable: {exc}") from exc
        return Blob(answer["Body"], int(answer["ContentLength"]))

    def delete(self, area: str, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(area, name))
        except self._errors() as exc:
            raise StorageError(f"object storage refused to delete {name}: {exc}") from exc

    def names(self, area: str) -> Iterator[str]:
        start = self.key(area, "")
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(start) :]
                if name and "/" not in name:
                    yield name


def parse_url(url: str | None) -> tuple[str, str, str]:
    """Return (scheme, bucket, prefix) of a STORAGE_URL; raises ValueError for a bad one."""
    if not url or url.startswith("file:"):
        return "file", "", ""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(
            f"STORAGE_URL must be s3://bucket/prefix or unset (local folder), not {url!r}"
        )
    return "s3", parts.netloc, parts.path.strip("/")


def store() -> Store:
    """Return this app's store (one S3 client per app and URL, made on first use)."""
    config = current_app.config
    scheme, bucket, prefix = parse_url(config.get("STORAGE_URL"))
    if scheme == "file":
        return LocalStore()
    cache = current_app.extensions.setdefault("blob_store", {})
    key = (bucket, prefix, config.get("S3_ENDPOINT_URL"), config.get("S3_REGION"))
    if key not in cache:
        cache[key] = S3Store(bucket, prefix, config.get("S3_ENDPOINT_URL"), config.get("S3_REGION"))
    return cache[key]


def is_local() -> bool:
    return isinstance(store(), LocalStore)
