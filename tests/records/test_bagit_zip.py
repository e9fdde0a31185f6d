"""The BagIt ZIP writer on its own: checksums a BagIt tool verifies, payload kept byte for byte,
and a PDF signature seen even when its mark straddles two chunks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import bagit

from docflow.records.bagit_zip import BagZipWriter

SIGNED = b"%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 10 20 30] /Contents <00> >> endobj\n%%EOF\n"


def test_bag_verifies_and_keeps_bytes_and_sees_split_signatures(tmp_path):
    out = io.BytesIO()
    bag = BagZipWriter(out, root="nop-luu-thu")
    cut = SIGNED.index(b"/ByteRange") + 4
    sha, size, signed = bag.add_stream("a/ky-so.pdf", [SIGNED[:cut], SIGNED[cut:]])
    assert signed and size == len(SIGNED) and sha == hashlib.sha256(SIGNED).hexdigest()
    assert bag.add_stream("a/thuong.pdf", [b"%PDF-1.4\n", b"%%EOF\n"])[2] is False
    meta = '{"tieu_de_ho_so": "Hồ sơ thử"}'.encode()
    bag.add_bytes("a/ho-so.json", meta)
    bag.close(bag_info={"Source-Organization": "UBND xã Thử"}, today=dt.date(2026, 12, 1))

    zipfile.ZipFile(out).extractall(tmp_path)
    checked = bagit.Bag(str(tmp_path / "nop-luu-thu"))
    checked.validate()
    assert checked.info["Payload-Oxum"] == f"{len(SIGNED) + 15 + len(meta)}.3"
    assert (tmp_path / "nop-luu-thu/data/a/ky-so.pdf").read_bytes() == SIGNED
