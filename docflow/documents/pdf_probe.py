"""The PDF check that runs in a child process under resource limits (``content_checks.pdf_check``).

Run as ``python -I pdf_probe.py PATH MEMORY_BYTES CPU_SECONDS DECODED_BUDGET``; prints one JSON
verdict: ``{"ok": true}`` or ``{"refused": "<reason>", "detail": "..."}``. It imports only the
standard library and pikepdf (qpdf), never Django, so a hostile file can at worst exhaust the
child's address space or CPU limit, which the parent reports as "too complex".

What an official PDF may contain is an allow-list:
- actions: ``/GoTo`` anywhere, ``/URI`` (http, https, mailto) only where a reader clicks it
  (link annotations, outline items) — never on open, never in additional actions;
- the catalog's ``/OpenAction`` only a destination or a ``/GoTo`` inside the file;
- annotation subtypes of text mark-up, links, signature and form widgets (ANNOTATIONS below);
- no ``/AA`` (additional actions), ``/JS``/``/JavaScript``, ``/XFA``, embedded files
  (``/EmbeddedFiles``, ``/EF``, ``/Type /EmbeddedFile``), rich media, portfolios (``/Collection``);
- not encrypted; every stream's decoded size counted against one budget (flate decoded in
  chunks and thrown away, so memory stays flat whatever a stream inflates to).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import zlib

ACTIONS = {"/GoTo", "/URI"}
ACTION_TYPES = {
    "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound", "/Movie",
    "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData", "/JavaScript", "/SetOCGState",
    "/Rendition", "/Trans", "/GoTo3DView", "/RichMediaExecute", "/ECMAScript",
}
URI_SCHEMES = ("http://", "https://", "mailto:")
ANNOTATIONS = {
    "/Link", "/Widget", "/Text", "/Popup", "/FreeText", "/Highlight", "/Underline", "/StrikeOut",
    "/Squiggly", "/Stamp", "/Ink", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Caret", "/Redact", "/Watermark", "/PrinterMark",
}
CATALOG_KEYS = {
    "/Type", "/Version", "/Pages", "/PageLabels", "/Names", "/Dests", "/ViewerPreferences",
    "/PageLayout", "/PageMode", "/Outlines", "/Metadata", "/StructTreeRoot", "/MarkInfo", "/Lang",
    "/OutputIntents", "/AcroForm", "/DSS", "/Perms", "/OCProperties", "/Extensions", "/Legal",
    "/OpenAction", "/URI", "/PieceInfo", "/Threads", "/SpiderInfo",
}
NAME_TREES = {"/Dests", "/AP", "/IDS", "/URLS"}
FORBIDDEN_KEYS = {"/AA", "/JS", "/JavaScript", "/XFA", "/EmbeddedFiles", "/EF", "/RichMediaContent",
                  "/RichMediaSettings", "/Collection"}
FORBIDDEN_TYPES = {"/EmbeddedFile", "/RichMediaExecute", "/3D"}
FLATE = "/FlateDecode"
CHUNK = 1 << 20
UNREAD_SIGNS = ("bad_alloc", "error decoding stream data", "unfilterable", "object stream")
IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
STREAM_START = re.compile(rb"stream\r?\n")
MAX_DEPTH = 64


class Refused(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def limits_set(memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def probe(path: str, decoded_budget: int) -> None:
    import pikepdf

    budget = [decoded_budget]
    _raw_streams_count(path, budget)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise Refused("encrypted") from None
    except pikepdf.PdfError as exc:
        raise Refused("broken", str(exc)[:200]) from None
    with pdf:
        if pdf.is_encrypted:
            raise Refused("encrypted")
        _catalog_check(pdf.Root)
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                _dictionary_check(obj.stream_dict, pikepdf, 0)
                _stream_count(obj, pikepdf, budget)
            elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
                _dictionary_check(obj, pikepdf, 0)
        # qpdf goes on past what it could not decode (out of memory included) and leaves those
        # objects out: a reader with more memory would see them, so that is a refusal.
        for warning in pdf.get_warnings():
            if any(sign in warning for sign in UNREAD_SIGNS):
                raise Refused("too_large" if "bad_alloc" in warning else "broken", warning[-200:])


def _catalog_check(root) -> None:
    import pikepdf

    for key in root.keys():
        if key not in CATALOG_KEYS:
            raise Refused("active", f"catalog {key}")
    if "/OpenAction" in root:
        action = root.OpenAction
        if isinstance(action, pikepdf.Dictionary) and _name(action.get("/S")) != "/GoTo":
            raise Refused("active", f"/OpenAction {action.get('/S')}")
    if "/Names" in root:
        for key in root.Names.keys():
            if key not in NAME_TREES:
                raise Refused("active", f"/Names {key}")


def _dictionary_check(obj, pikepdf, depth: int) -> None:
    """Check a dictionary or array and the direct objects it holds; indirect ones are visited
    on their own by the walk over every object."""
    if depth > MAX_DEPTH:
        raise Refused("broken", "nesting")
    if isinstance(obj, pikepdf.Dictionary):
        for key in obj.keys():
            if key in FORBIDDEN_KEYS:
                raise Refused("active", key)
        kind, subtype, action = (_name(obj.get(key)) for key in ("/Type", "/Subtype", "/S"))
        if kind in FORBIDDEN_TYPES or subtype in FORBIDDEN_TYPES:
            raise Refused("active", f"{kind} {subtype}")
        if kind == "/Annot" or (subtype is not None and "/Rect" in obj):
            if subtype not in ANNOTATIONS:
                raise Refused("active", f"annotation {subtype}")
        if action in ACTION_TYPES or kind == "/Action":
            _action_check(obj)
        children = obj.values()
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect:
            _dictionary_check(child, pikepdf, depth + 1)


def _name(value) -> str | None:
    return None if value is None else str(value)


def _action_check(action) -> None:
    kind = _name(action.get("/S"))
    if kind not in ACTIONS:
        raise Refused("active", f"action {kind}")
    if kind == "/URI" and not str(action.get("/URI", "")).lower().startswith(URI_SCHEMES):
        raise Refused("active", "URI scheme")


def _raw_streams_count(path: str, budget: list[int]) -> None:
    """Inflate every flate stream of the file in bounded chunks, output thrown away, before
    qpdf reads a single object: a file of inflating streams is refused for the price of the
    budget, not of what it would inflate to. Found by the bytes after each ``stream`` keyword
    (no /Length needed: a zlib stream ends itself); what is not zlib is skipped here."""
    with open(path, "rb") as fh:
        raw = fh.read()
    for match in STREAM_START.finditer(raw):
        inflater, data = zlib.decompressobj(), memoryview(raw)[match.end():match.end() + CHUNK]
        position = match.end()
        try:
            while data and not inflater.eof:
                out = inflater.decompress(data, CHUNK)
                _spend(budget, len(out))
                if inflater.unconsumed_tail:
                    data = inflater.unconsumed_tail
                else:
                    position += len(data)
                    data = memoryview(raw)[position:position + CHUNK]
        except zlib.error:
            continue


def _stream_count(stream, pikepdf, budget: list[int]) -> None:
    """Count what a stream with filters other than flate alone decodes to against ``budget``
    (flate was counted from the raw bytes; images are not inflated by any reader as a stream)."""
    filters = stream.stream_dict.get("/Filter")
    if filters is None:
        return
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    if names == [FLATE] or any(n in IMAGE_FILTERS for n in names):
        return
    try:
        _spend(budget, len(stream.read_bytes()))  # bounded by the address-space limit
    except pikepdf.PdfError:
        raise Refused("broken", "stream") from None


def _spend(budget: list[int], amount: int) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        raise Refused("too_large")


def main(argv: list[str]) -> int:
    path, memory, cpu, decoded_budget = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    limits_set(memory, cpu)
    try:
        probe(path, decoded_budget)
        verdict = {"ok": True}
    except Refused as exc:
        verdict = {"refused": exc.reason, "detail": exc.detail}
    except MemoryError:
        verdict = {"refused": "too_large", "detail": "memory"}
    except Exception as exc:  # anything qpdf cannot make sense of is a broken file
        verdict = {"refused": "broken", "detail": type(exc).__name__}
    sys.stdout.write(json.dumps(verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
