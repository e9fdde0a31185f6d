"""A BagIt (RFC 8493) bag written straight into a ZIP, one chunk at a time.

Payload files are copied from their source in 64 KiB chunks while their SHA-256 is taken, so
memory holds one chunk and the manifest lines, never a file or the package. The tag files
(bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt) are written last;
unpacked, the folder validates with the ``bagit`` library or any BagIt tool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

SIGNATURE_MARK = b"/ByteRange"
CHUNK = 64 * 1024


class BagZipWriter:
    """Write ``data/…`` payload entries, then ``close(bag_info)`` the tag files, under ``root/``."""

    def __init__(self, out: BinaryIO, *, root: str) -> None:
        self.root = root.strip("/")
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self.manifest: list[tuple[str, str]] = []
        self.octets = 0

    def __enter__(self) -> BagZipWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:  # a failed build: end the ZIP so nothing writes to a closed file later
            self.zip.close()

    def _entry(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.root}/{path}", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if path.endswith((".json", ".txt", ".csv")) else zipfile.ZIP_STORED
        return info

    def add_stream(self, path: str, chunks: Iterable[bytes]) -> tuple[str, int, bool]:
        """Copy a payload file; returns its SHA-256, size, and whether it carries a PDF signature."""
        digest, size, signed, tail = hashlib.sha256(), 0, False, b""
        with self.zip.open(self._entry(f"data/{path}"), "w", force_zip64=True) as entry:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                # The mark may straddle two chunks: look at the end of the last one too.
                signed = signed or SIGNATURE_MARK in tail + chunk[: len(SIGNATURE_MARK)] or SIGNATURE_MARK in chunk
                tail = chunk[-len(SIGNATURE_MARK):]
                entry.write(chunk)
        sha256 = digest.hexdigest()
        self.manifest.append((sha256, f"data/{path}"))
        self.octets += size
        return sha256, size, signed

    def add_bytes(self, path: str, data: bytes) -> str:
        return self.add_stream(path, [data])[0]

    def _tag(self, name: str, text: str) -> tuple[str, str]:
        data = text.encode("utf-8")
        self.zip.writestr(self._entry(name), data)
        return hashlib.sha256(data).hexdigest(), name

    def close(self, *, bag_info: dict[str, str], today: dt.date) -> None:
        info = {**bag_info, "Bagging-Date": today.isoformat(),
                "Payload-Oxum": f"{self.octets}.{len(self.manifest)}"}
        tags = [
            self._tag("bagit.txt", "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"),
            self._tag("bag-info.txt", "".join(f"{k}: {v}\n" for k, v in info.items())),
            self._tag("manifest-sha256.txt", "".join(f"{h}  {p}\n" for h, p in self.manifest)),
        ]
        self._tag("tagmanifest-sha256.txt", "".join(f"{h}  {p}\n" for h, p in tags))
        self.zip.close()


def file_chunks(fh: BinaryIO, size: int = CHUNK) -> Iterable[bytes]:
    while chunk := fh.read(size):
        yield chunk
