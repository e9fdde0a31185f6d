"""Every write on outgoing documents, by subject:

- ``drafting``: ``document_create``, ``document_update``, ``document_delete``
- ``approval``: ``document_submit``, ``document_approve``, ``document_return``,
  ``approval_chain_set``
- ``attachments``: ``attachment_add``; ``held_uploads``: ``upload_hold``, ``attachment_add_held``
- ``pdf``: ``document_pdf_render``
- numbering (``numbering``) is called by issuing, which lives in ``routing.issuing`` because it
  also delivers to the recipients.

Import from here or from the subject module; both are the same functions.
"""

from __future__ import annotations

from docflow.documents.approval import (
    approval_chain_set,
    document_approve,
    document_return,
    document_submit,
)
from docflow.documents.attachments import attachment_add
from docflow.documents.drafting import document_create, document_delete, document_update
from docflow.documents.held_uploads import attachment_add_held, upload_hold

__all__ = [
    "approval_chain_set",
    "attachment_add",
    "attachment_add_held",
    "document_approve",
    "document_create",
    "document_delete",
    "document_return",
    "document_submit",
    "document_update",
    "upload_hold",
]
