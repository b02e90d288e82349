"""Rendering of ``camunda_core/api``: operation descriptors and the sync/async method mixins."""

from __future__ import annotations

from dataclasses import dataclass

from .ir import FieldIR, OperationIR, ParamIR, SpecIR, TypeRef
from .render_common import CORE_MODELS, Imports, TypeSpeller, describe_type, docstring, header
from .render_errors import ERRORS_MODULE, error_class_name

__all__ = ["render_api", "API_DIR"]

API_DIR = "packages/camunda-core/src/camunda_core/api"


def render_api(ir: SpecIR) -> dict[str, str]:
    return {
        f"{API_DIR}/__init__.py": _render_package_init(ir),
        f"{API_DIR}/operations.py": render_operations(ir),
        f"{API_DIR}/sync_api.py": render_client_mixin(ir, is_async=False),
        f"{API_DIR}/async_api.py": render_client_mixin(ir, is_async=True),
    }


def _render_package_init(ir: SpecIR) -> str:
    return "\n".join(
        [
            header(ir),
            docstring(
                [
                    "Generated operation layer: ``operations`` (descriptors), ``sync_api`` / ``async_api``",
                    "(one method per operation) and ``errors`` (typed errors per operation).",
                ]
            ),
            "__all__: list[str] = []\n",
        ]
    )


# ------------------------------------------------------------------ types


def _ref_string(ir: SpecIR, ref: TypeRef | None) -> str | None:
    """``"camunda_core.models.x:X"`` for a named model type, else None."""
    if ref is None or ref.kind not in ("schema", "inline_enum"):
        return None
    return f"{CORE_MODELS}.{ir.module_of(ref)}:{ref.name}"


def _return_annotation(op: OperationIR, speller: TypeSpeller) -> str:
    if op.response_kind == "none":
        return "None"
    assert op.response_type is not None
    annotation = speller.spell(op.response_type)
    # A 204 next to a body-carrying 2xx: the call returns None for the 204.
    if 204 in op.success_statuses and annotation not in ("None", "Any"):
        annotation += " | None"
    return annotation


# ------------------------------------------------------------- operations.py


def render_operations(ir: SpecIR) -> str:
    imports = Imports()
    imports.local("camunda_core.runtime.operation", "Operation")
    speller = TypeSpeller(ir, imports)
    blocks = [_operation_block(ir, op, speller, imports) for op in ir.operations]
    type_checking = _type_checking_block(speller)
    if type_checking:
        imports.std("typing", "TYPE_CHECKING")
    return "\n".join(
        [
            header(ir),
            docstring(
                [
                    "One ``Operation`` descriptor per REST operation, named by its snake_case operationId.",
                    "",
                    "Model and error classes are referenced by ``module:Name`` strings and imported on",
                    "first use by the runtime.",
                ]
            ),
            "from __future__ import annotations\n",
            imports.render() + "\n",
            type_checking,
            "__all__ = [",
            *(f'    "{op.py_name}",' for op in ir.operations),
            "]\n",
            "\n".join(blocks),
        ]
    )


def _type_checking_block(speller: TypeSpeller) -> str:
    if not speller.model_refs:
        return ""
    lines = ["if TYPE_CHECKING:"]
    for module, names in sorted(speller.model_refs.items()):
        lines.append(f"    from {module} import {', '.join(sorted(names))}")
    return "\n".join(lines) + "\n"


def _operation_block(ir: SpecIR, op: OperationIR, speller: TypeSpeller, imports: Imports) -> str:
    args = [f"{op.operation_id!r}", f"{op.method!r}", f"{op.path!r}"]
    if op.path_params:
        imports.local("camunda_core.runtime.operation", "Param")
        args.append(f"path_params=({''.join(_param_expr(p) + ', ' for p in op.path_params)})")
    if op.query_params:
        imports.local("camunda_core.runtime.operation", "Param")
        args.append(f"query_params=({''.join(_param_expr(p) + ', ' for p in op.query_params)})")
    if op.body_kind != "none":
        args.append(f"body_kind={op.body_kind!r}")
        if op.body_required:
            args.append("body_required=True")
        body_ref = _ref_string(ir, op.body_type)
        if body_ref:
            args.append(f"body_ref={body_ref!r}")
    args.append(f"response_kind={op.response_kind!r}")
    response_ref = _ref_string(ir, op.response_type) if op.response_kind == "model" else None
    if response_ref:
        args.append(f"response_ref={response_ref!r}")
    args.append(f"success_statuses=({''.join(f'{s}, ' for s in op.success_statuses)})")
    if op.error_statuses:
        refs = ", ".join(
            f"{s}: {ERRORS_MODULE + ':' + error_class_name(op, s)!r}" for s in op.error_statuses
        )
        args.append(f"error_refs={{{refs}}}")
    default_idempotent = op.method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
    if op.idempotent != default_idempotent:
        args.append(f"idempotent={op.idempotent}")
    for flag in ("eventually_consistent", "long_poll", "backpressure_exempt"):
        if getattr(op, flag):
            args.append(f"{flag}=True")
    if op.tenant_field:
        args.append(f"tenant_field={op.tenant_field!r}")
    if op.tenant_list_field:
        args.append(f"tenant_list_field={op.tenant_list_field!r}")
    if op.search_item_field:
        args.append(f"search_item_field={op.search_item_field!r}")
    if op.accept:
        args.append(f"accept={op.accept!r}")
    file_fields = [f.wire_name for f in op.multipart_fields if _is_binary(f.type)]
    if file_fields:
        args.append(f"file_fields=({''.join(f'{name!r}, ' for name in file_fields)})")
    annotation = _return_annotation(op, speller)
    return (
        f"{op.py_name}: Operation[{annotation}] = Operation(\n"
        + "".join(f"    {a},\n" for a in args)
        + ")\n"
    )


def _param_expr(p: ParamIR) -> str:
    extra = "" if p.required else ", required=False"
    if p.wire_format:
        extra += f", format={p.wire_format!r}"
    return f"Param({p.py_name!r}, {p.wire_name!r}{extra})"


# ---------------------------------------------------- sync_api.py / async_api.py


@dataclass
class _Arg:
    """One keyword parameter of a generated method."""

    name: str
    annotation: str
    default: str | None
    doc: str


def render_client_mixin(ir: SpecIR, *, is_async: bool) -> str:
    imports = Imports()
    speller = TypeSpeller(ir, imports)
    class_name = "AsyncApi" if is_async else "SyncApi"
    invoker = "AsyncInvoker" if is_async else "SyncInvoker"
    imports.local("camunda_core.api", "operations")
    imports.local("camunda_core.runtime.invoker", "RetryOption")
    imports.local("camunda_core.runtime.invoker", invoker)
    methods: list[str] = []
    for op in ir.operations:
        methods.append(_method(ir, op, speller, imports, is_async=is_async))
        if op.search_item_field:
            methods.append(_iter_method(ir, op, speller, imports, is_async=is_async))
    # Model, semantic and runtime types are only annotations here: import them for type checkers.
    type_checking = _type_checking_block(speller)
    if type_checking:
        imports.std("typing", "TYPE_CHECKING")
    kind = "asynchronous" if is_async else "synchronous"
    class_doc = docstring(
        [
            f"Every operation of the API as an {kind} method (generated).",
            "",
            "Methods take keyword arguments only and return the parsed response model.",
        ],
        indent="    ",
    )
    return "\n".join(
        [
            header(ir),
            docstring([f"``{class_name}``: one {kind} method per REST operation."]),
            "from __future__ import annotations\n",
            imports.render() + "\n",
            type_checking,
            f'__all__ = ["{class_name}"]\n',
            "",
            f"class {class_name}({invoker}):\n{class_doc}\n" + "\n".join(methods),
        ]
    )


def _runtime_type(speller: TypeSpeller, module: str, name: str) -> str:
    speller.model_refs.setdefault(module, set()).add(name)
    return name


def _operation_args(op: OperationIR, speller: TypeSpeller, imports: Imports) -> list[_Arg]:
    args: list[_Arg] = []
    for p in [*op.path_params, *sorted(op.query_params, key=lambda q: not q.required)]:
        annotation = speller.spell(p.type)
        default = None
        if not p.required:
            imports.local("camunda_core.types", "UNSET")
            imports.local("camunda_core.types", "Unset")
            annotation += " | Unset"
            default = "UNSET"
        facts = "; ".join(
            [f"{p.location} ``{p.wire_name}``", describe_type(p.type), *p.constraints.describe()]
        )
        args.append(_Arg(p.py_name, annotation, default, facts))
    if op.body_kind == "json":
        args.append(_body_arg(op, speller, imports))
    elif op.body_kind == "multipart":
        args.extend(_multipart_arg(f, speller, imports) for f in op.multipart_fields)
    return args


def _body_arg(op: OperationIR, speller: TypeSpeller, imports: Imports) -> _Arg:
    if op.body_type is None:
        imports.std("typing", "Any")
        annotation = "dict[str, Any]"
    else:
        annotation = speller.spell(op.body_type)
    doc = f"JSON request body; {describe_type(op.body_type) if op.body_type else 'any JSON object'}"
    if op.body_required:
        return _Arg("data", annotation, None, doc + "; required")
    imports.local("camunda_core.types", "UNSET")
    imports.local("camunda_core.types", "Unset")
    return _Arg("data", f"{annotation} | Unset", "UNSET", doc + "; optional")


def _multipart_arg(f: FieldIR, speller: TypeSpeller, imports: Imports) -> _Arg:
    annotation = speller.spell(f.type, for_param=True)
    facts = "; ".join(
        [f"multipart part ``{f.wire_name}``", describe_type(f.type), *f.constraints.describe()]
    )
    if f.required:
        return _Arg(f.py_name, annotation, None, facts)
    imports.local("camunda_core.types", "UNSET")
    imports.local("camunda_core.types", "Unset")
    return _Arg(f.py_name, f"{annotation} | Unset", "UNSET", facts)


def _common_args(
    op: OperationIR, speller: TypeSpeller, return_annotation: str, *, wait: bool
) -> list[_Arg]:
    args = [
        _Arg(
            "retry",
            "RetryOption",
            "None",
            "retry override for this call (None: the client's policy)",
        ),
        _Arg(
            "timeout",
            "float | None",
            "None",
            "request timeout in seconds (None: the client's default)",
        ),
    ]
    if wait and op.eventually_consistent:
        wait_for = _runtime_type(speller, "camunda_core.runtime.consistency", "WaitFor")
        args.append(
            _Arg(
                "wait",
                f"{wait_for}[{return_annotation}] | None",
                "None",
                "poll until the result is visible",
            )
        )
    return args


def _signature(name: str, args: list[_Arg], returns: str, *, is_async: bool) -> str:
    params = "".join(
        f"        {a.name}: {a.annotation}{'' if a.default is None else ' = ' + a.default},\n"
        for a in args
    )
    prefix = "async def" if is_async else "def"
    return f"    {prefix} {name}(\n        self,\n        *,\n{params}    ) -> {returns}:\n"


def _call_kwargs(op: OperationIR) -> list[str]:
    kwargs: list[str] = []
    if op.path_params:
        kwargs.append(
            "path={" + ", ".join(f'"{p.wire_name}": {p.py_name}' for p in op.path_params) + "}"
        )
    if op.query_params:
        kwargs.append(
            "query={" + ", ".join(f'"{p.wire_name}": {p.py_name}' for p in op.query_params) + "}"
        )
    if op.body_kind == "json":
        kwargs.append("body=data")
    elif op.body_kind == "multipart":
        kwargs.append(
            "multipart={"
            + ", ".join(f'"{f.wire_name}": {f.py_name}' for f in op.multipart_fields)
            + "}"
        )
    return kwargs


def _method_doc(op: OperationIR, args: list[_Arg], returns: str, *, iterate: bool) -> list[str]:
    first = (op.summary or op.operation_id).strip().rstrip(".") + "."
    if iterate:
        first = f"Iterate over every item of ``{op.py_name}``, fetching pages as needed."
    lines = [first, "", f"``{op.method} {op.path}``"]
    flags = [
        label
        for label, on in (
            ("deprecated", op.deprecated),
            (
                "eventually consistent: pass ``wait=WaitFor(...)`` to poll until visible",
                op.eventually_consistent and not iterate,
            ),
            ("safe to retry", op.idempotent),
        )
        if on
    ]
    if flags:
        # Upper-case the first letter only: str.capitalize() would lower-case ``WaitFor``.
        sentence = "; ".join(flags)
        lines += ["", sentence[:1].upper() + sentence[1:] + "."]
    lines += ["", "Args:"]
    lines += [f"    {a.name}: {a.doc}." for a in args]
    lines += ["", "Returns:"]
    if iterate:
        lines.append(
            f"    {returns}, one item at a time (``{op.search_item_field}`` of each page)."
        )
    else:
        statuses = ", ".join(str(s) for s in op.success_statuses)
        lines.append(f"    {returns} (HTTP {statuses}).")
    if op.error_statuses:
        lines += ["", "Raises:"]
        lines += [f"    {error_class_name(op, s)}: HTTP {s}." for s in op.error_statuses]
    return lines


def _method(
    ir: SpecIR, op: OperationIR, speller: TypeSpeller, imports: Imports, *, is_async: bool
) -> str:
    returns = _return_annotation(op, speller)
    args = _operation_args(op, speller, imports)
    args += _common_args(op, speller, returns, wait=True)
    kwargs = [*_call_kwargs(op), "retry=retry", "timeout=timeout"]
    if op.eventually_consistent:
        kwargs.append("wait=wait")
    awaited = "await " if is_async else ""
    call = f"return {awaited}self._invoke(operations.{op.py_name}, {', '.join(kwargs)})"
    doc = docstring(_method_doc(op, args, returns, iterate=False), indent="        ")
    return _signature(op.py_name, args, returns, is_async=is_async) + doc + f"        {call}\n"


def _iter_method(
    ir: SpecIR, op: OperationIR, speller: TypeSpeller, imports: Imports, *, is_async: bool
) -> str:
    assert op.search_item_type is not None
    item = speller.spell(op.search_item_type)
    iterator = "AsyncIterator" if is_async else "Iterator"
    imports.std("collections.abc", iterator)
    returns = f"{iterator}[{item}]"
    args = _operation_args(op, speller, imports)
    args.append(_Arg("page_size", "int", "100", "items requested per page"))
    args += _common_args(op, speller, returns, wait=False)
    kwargs = [*_call_kwargs(op), "page_size=page_size", "retry=retry", "timeout=timeout"]
    call = f"return self._paginate(operations.{op.py_name}, {', '.join(kwargs)})"
    doc = docstring(_method_doc(op, args, returns, iterate=True), indent="        ")
    return (
        _signature(f"iter_{op.py_name}", args, returns, is_async=False) + doc + f"        {call}\n"
    )


def _is_binary(ref: TypeRef) -> bool:
    """A binary multipart part (a file), or a list of them."""
    if ref.kind == "bytes":
        return True
    return ref.kind == "list" and bool(ref.args) and _is_binary(ref.args[0])
