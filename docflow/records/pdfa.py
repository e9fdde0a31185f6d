"""PDF/A-2b renditions of unsigned PDFs for the transfer package, made by Ghostscript.

The original always stays in the package byte for byte; the rendition sits beside it. A failed
or slow conversion is reported to the caller as a reason, never raised: it must not fail a package.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from django.conf import settings

from docflow.documents.files import stored_file_open

TIMEOUT_SECONDS = 120
PDFA_MARK = b"pdfaid:part"
# The output intent (sRGB) PDF/A requires; Ghostscript ships the profile with its resources.
ICC_GLOBS = ("/usr/share/ghostscript/*/iccprofiles/default_rgb.icc", "/usr/share/color/icc/ghostscript/srgb.icc")
DEF_PS = """[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ({icc}) (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB) >> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


@dataclass(frozen=True)
class Rendition:
    """A converted file on disk (the caller removes ``folder``), or the reason there is none."""

    path: str = ""
    folder: str = ""
    failure: str = ""

    def discard(self) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _icc_profile() -> str:
    found = [p for pattern in ICC_GLOBS for p in sorted(glob.glob(pattern))]
    return found[-1] if found else ""


def _command(source: str, target: str, definition: str, icc: str) -> list[str]:
    command = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dPDFA=2", "-dPDFACompatibilityPolicy=1",
               "-sColorConversionStrategy=RGB", "-sDEVICE=pdfwrite", f"-sOutputFile={target}"]
    if icc:
        command += [f"--permit-file-read={icc}", definition]
    return command + [source]


def pdfa_rendition(*, sha256: str) -> Rendition:
    """Convert a stored PDF to PDF/A-2b in a temporary folder; ``failure`` says why when it fails."""
    if shutil.which("gs") is None:
        return Rendition(failure="ghostscript_missing")
    folder = tempfile.mkdtemp(prefix="docflow-pdfa-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    source, target = os.path.join(folder, "in.pdf"), os.path.join(folder, "out.pdf")
    definition, icc = os.path.join(folder, "pdfa_def.ps"), _icc_profile()
    try:
        with stored_file_open(sha256=sha256) as fh, open(source, "wb") as out:
            shutil.copyfileobj(fh, out, 1024 * 1024)
        if icc:
            with open(definition, "w", encoding="ascii") as out:
                out.write(DEF_PS.format(icc=icc))
        done = subprocess.run(_command(source, target, definition, icc), capture_output=True,
                              timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return _failed(folder, "timeout")
    except OSError as exc:
        return _failed(folder, f"error: {exc.__class__.__name__}")
    if done.returncode != 0 or not os.path.exists(target) or not _declares_pdfa(target):
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return _failed(folder, f"ghostscript exit {done.returncode}: {detail[0][:200]}".strip())
    os.unlink(source)
    return Rendition(path=target, folder=folder)


def _failed(folder: str, reason: str) -> Rendition:
    shutil.rmtree(folder, ignore_errors=True)
    return Rendition(failure=reason)


def _declares_pdfa(path: str) -> bool:
    """The XMP packet Ghostscript writes names the PDF/A part; without it the file is not PDF/A."""
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            if PDFA_MARK in tail + chunk:
                return True
            tail = chunk[-len(PDFA_MARK):]
    return False
