"""BPMN execution: the parsed graph (``model``), the parser and its table of supported
elements (``parser``, ``support``), and the token interpreter (``interpreter``) with its
concerns: ``gateways``, ``events``, ``mappings`` (zeebe:ioMapping), ``variables`` (scopes)
and ``runtime`` (element instances, incidents, subscriptions)."""
