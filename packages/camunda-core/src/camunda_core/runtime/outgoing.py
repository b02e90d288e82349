"""What the editor hook ``camunda_edit_request`` sees of one attempt's request, and may change.

The client builds each attempt's request, then hands an :class:`OutgoingRequest` to
every plugin implementing ``camunda_edit_request`` (only when one does: otherwise
nothing here is imported or built). A plugin may add headers (trace context, say)
and replace the JSON body (a process variable, say); the client applies the edits
before the request goes to the ``camunda_on_request`` observers, the auth strategy
and the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from camunda_core.errors import ValidationError

if TYPE_CHECKING:
    import httpx

    from camunda_core.config import CamundaConfig
    from camunda_core.runtime.events import ResponseEvent
    from camunda_core.runtime.operation import Operation

__all__ = ["ANSWER_CALLBACKS", "AnswerCallback", "OutgoingRequest"]

#: Called with the attempt's :class:`~camunda_core.runtime.events.ResponseEvent`.
AnswerCallback = Callable[["ResponseEvent"], None]
#: The request extension that carries an attempt's answer callbacks to ``on_response``.
ANSWER_CALLBACKS = "camunda_answer_callbacks"


class OutgoingRequest:
    """One attempt's request, before it is sent: read it, add headers, replace the JSON body.

    ``operation_id`` (``createProcessInstance``), ``method``, ``url`` (the full URL as sent,
    query included), ``url_template`` (the path with its parameters unfilled, e.g.
    ``/v2/jobs/{jobKey}/completion``: low cardinality, fit for a span name) and ``config``
    (the client's resolved configuration, for a plugin's own ``config.extra`` settings).
    ``headers`` starts empty: what a plugin puts there is added to the request (replacing
    a header of the same name). Credentials are added later, by the auth strategy.
    :meth:`on_answer` hears how this attempt ended (the end of a span begun here).
    """

    __slots__ = (
        "_answer_callbacks",
        "_base_url",
        "_content",
        "_json_body",
        "_operation",
        "_replaced",
        "_request",
        "config",
        "headers",
        "method",
        "operation_id",
    )

    def __init__(
        self,
        *,
        operation: Operation[Any],
        request: httpx.Request,
        base_url: httpx.URL,
        config: CamundaConfig,
        json_body: Any,
    ) -> None:
        self._operation = operation
        # The URLs are rendered only when asked for: an editor with nothing to do
        # (tracing installed but not configured) should cost next to nothing.
        self._request = request
        self._base_url = base_url
        self.operation_id: str = operation.operation_id
        self.method: str = request.method
        self.config = config
        #: Headers to add to the request (name -> value).
        self.headers: dict[str, str] = {}
        self._json_body = json_body
        self._content: bytes | None = None
        self._replaced = False
        self._answer_callbacks: list[AnswerCallback] | None = None

    @property
    def url(self) -> str:
        """The full URL as it will be sent, query included."""
        return str(self._request.url)

    @property
    def url_template(self) -> str:
        """The URL's path with its parameters unfilled, e.g. ``/v2/jobs/{jobKey}/completion``."""
        return self._base_url.path.rstrip("/") + self._operation.path

    @property
    def json_body(self) -> Any:
        """The JSON body as it will be sent (with earlier editors' changes); None without one.

        Plain JSON data (dicts, lists, strings, numbers): a plugin that changes it builds a
        new value and passes it to :meth:`replace_json_body`; never mutate it in place (it
        is the caller's data too).
        """
        return self._json_body

    @property
    def body_replaced(self) -> bool:
        return self._replaced

    @property
    def content(self) -> bytes | None:
        """The encoded replacement body (None unless :meth:`replace_json_body` was called)."""
        return self._content

    def replace_json_body(self, body: Any) -> None:
        """Send ``body`` (plain JSON data) instead of the request's JSON body.

        Encoded at once, so a value JSON cannot hold fails here, in the plugin's call
        (which the client logs and skips), not later on the wire.
        """
        from camunda_core.serialization.wire import encode_json

        if self._operation.body_kind != "json":
            raise ValidationError(f"{self.operation_id}: this operation has no JSON body to replace")
        try:
            content = encode_json(body)
        except ValidationError:
            raise
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{self.operation_id}: the replacement body is not JSON-serialisable: {exc}") from exc
        self._content = content
        self._json_body = body
        self._replaced = True

    def on_answer(self, callback: AnswerCallback) -> None:
        """Call ``callback`` once this attempt is answered or fails, with its ``ResponseEvent``.

        The event the ``camunda_on_response`` observers get, for this attempt only (a span
        begun here ends there). Not called when the attempt never ends: a call cancelled
        mid-flight, or one whose wait for a concurrency slot fails. A callback that raises
        is logged and ignored.
        """
        callbacks = self._answer_callbacks
        if callbacks is None:
            callbacks = self._answer_callbacks = []
        callbacks.append(callback)

    @property
    def answer_callbacks(self) -> list[AnswerCallback] | None:
        return self._answer_callbacks

    def __repr__(self) -> str:
        return f"OutgoingRequest({self.operation_id}: {self.method} {self.url_template})"
