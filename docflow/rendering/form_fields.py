"""An empty AcroForm text field laid out as a flowable, filled in later by the signing step.

The approved PDF carries the number and the issue date as fields: the leader signs before the
clerk knows them, and filling a prepared field is a change the first signature permits.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

# Field names the issuing step fills (see docflow.documents.signing.pades).
NUMBER_FIELD = "so_van_ban"
DATE_FIELD = "ngay_ban_hanh"
# Marks where the signatures go (between position and name); never filled, only located.
SIGNATURE_SLOT = "vi_tri_chu_ky"


class TextFieldBox(Flowable):
    """A borderless, read-only text field of the given size at the flowable's position."""

    def __init__(self, name: str, *, width: float, height: float) -> None:
        super().__init__()
        self.name, self.width, self.height = name, width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        # Helvetica only names a placeholder appearance: the filler draws its own with our font.
        self.canv.acroForm.textfield(
            name=self.name, value="", x=0, y=0, width=self.width, height=self.height,
            relative=True, borderWidth=0, borderColor=None, fillColor=None,
            fontName="Helvetica", fontSize=12, fieldFlags="readOnly", maxlen=200,
        )
