"""The in-memory document store behind ``/v2/documents``."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .model import StoredDocument
from .problem import Problem
from .state import EngineState

__all__ = ["DocumentStore"]


class DocumentStore(EngineState):
    def store_document(
        self, content: bytes, metadata: dict[str, Any], document_id: str | None, store_id: str
    ) -> dict[str, Any]:
        """Store an upload; returns its wire ``DocumentReference``."""
        doc_id = document_id or base64.urlsafe_b64encode(self.new_key().encode()).decode()
        content_hash = hashlib.sha256(content).hexdigest()
        response_metadata: dict[str, Any] = {
            "contentType": metadata.get("contentType", "application/octet-stream"),
            "fileName": metadata.get("fileName", doc_id),
            "expiresAt": metadata.get("expiresAt"),
            "size": len(content),
            "processDefinitionId": metadata.get("processDefinitionId"),
            "processInstanceKey": metadata.get("processInstanceKey"),
            "customProperties": metadata.get("customProperties") or {},
        }
        self.documents[doc_id] = StoredDocument(content, response_metadata, content_hash)
        return {
            "camunda.document.type": "camunda",
            "storeId": store_id,
            "documentId": doc_id,
            "contentHash": content_hash,
            "metadata": response_metadata,
        }

    def get_document(self, document_id: str) -> StoredDocument:
        stored = self.documents.get(document_id)
        if stored is None:
            raise Problem(404, "NOT_FOUND", f"Document with id '{document_id}' not found")
        return stored

    def delete_document(self, document_id: str) -> None:
        self.get_document(document_id)
        del self.documents[document_id]
