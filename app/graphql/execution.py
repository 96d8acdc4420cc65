"""A leaner executor for the fields most responses are made of.

Most fields of a response are plain: an attribute of the parent object (`id`, `name`,
`createdAt`, `domain`, `edges`) with no resolver, arguments, permission or extension.
The standard executor runs each through its whole machinery: a path, resolve info,
argument coercion, the resolver wrapper, then value completion. `PlainFieldsExecution`
reads the attribute directly: a scalar or enum is serialized in the loop over its
parent's fields, anything else is completed as usual with a resolve info built only if
something asks for it. Every
other field, and every plain scalar whose value is missing or does not serialize, takes
the standard path, which reports the same errors it always has.
`tests/test_execution.py` checks that both executors give the same answers.

It also gives the request errors found while preparing execution (variables that do
not fit their types) the code every other client mistake has: BAD_USER_INPUT.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter


class PlainField(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType | None  # None: an object, or a list, completed as usual
    nullable: bool


_MISSING = object()


def plain_fields(schema: GraphQLSchema) -> dict[int, PlainField]:
    """The plain leaf fields of every object type, by the id of their GraphQLField."""
    found: dict[int, PlainField] = {}
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for field in named.fields.values():
                plan = _plan(field)
                if plan is not None:
                    found[id(field)] = plan
    return found


def _plan(field: GraphQLField) -> PlainField | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    # Strawberry's own resolver for a field that only reads its attribute.
    basic = getattr(field.resolve, "__name__", "") == "_get_basic_result"
    if definition is None or not basic or field.args:
        return None
    named = get_named_type(field.type)
    leaf = None
    if isinstance(named, GraphQLLeafType) and not is_list_type(get_nullable_type(field.type)):
        leaf = named
    return PlainField(definition.python_name, leaf, not isinstance(field.type, GraphQLNonNull))


class _LazyInfo:
    """A field's resolve info, built the first time anything reads from it."""

    __slots__ = ("_args", "_info")

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._info: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._info is None:
            executor, field, field_details_list, parent_type, path = self._args
            nodes = [details.node for details in field_details_list]
            self._info = executor.build_resolve_info(field, nodes, parent_type, path)
        return getattr(self._info, name)


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    plain: ClassVar[dict[int, PlainField]] = {}  # set by the schema that uses this class

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        """The executor, or the errors that keep the operation from running: a variable
        missing or not of its type, given by the client, so BAD_USER_INPUT."""
        built = super().build(*args, **kwargs)
        if isinstance(built, list):
            for error in built:
                error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
        return built

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's loop over an object's fields, with plain scalars read inline
        (no Path, no execute_field) and the rest executed as usual."""
        results: dict[str, Any] = {}
        awaitable: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                value = self._plain_scalar(parent_type, source_value, field_details_list)
                if value is _MISSING:
                    field_path = Path(path, response_name, parent_type.name)
                    value = self.execute_field(
                        parent_type, source_value, field_details_list, field_path, position_context
                    )
                    if value is Undefined:
                        continue
                    if self.is_awaitable(value):
                        awaitable.append(response_name)
                results[response_name] = value
        except Exception:
            if awaitable:
                self.settle_in_background([results[name] for name in awaitable])
            raise
        if not awaitable:
            return results
        return self._gather(results, awaitable)

    def _plain_scalar(
        self, parent_type: GraphQLObjectType, source: Any, field_details_list: FieldDetailsList
    ) -> Any:
        """A plain scalar field's serialized value; _MISSING for anything else, and for a
        value the standard path must report on (missing, null where not allowed, invalid)."""
        node = field_details_list[0].node
        plan = self.plain.get(id(self.schema.get_field(parent_type, node.name.value)))
        if plan is None or plan.leaf is None or node.arguments:
            return _MISSING
        value = getattr(source, plan.attribute, _MISSING)
        if value is None:
            return None if plan.nullable else _MISSING
        if value is _MISSING:
            return _MISSING
        coerced = _coerce(plan.leaf, value)
        return _MISSING if coerced is None or coerced is Undefined else coerced

    @staticmethod
    async def _gather(results: dict[str, Any], awaitable: list[str]) -> dict[str, Any]:
        if len(awaitable) == 1:
            results[awaitable[0]] = await results[awaitable[0]]
        else:
            values = await gather_with_cancel(*(results[name] for name in awaitable))
            results.update(zip(awaitable, values, strict=True))
        return results

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A plain object or list field is read and completed without a resolver call."""
        node = field_details_list[0].node
        field = self.schema.get_field(parent_type, node.name.value)
        plan = self.plain.get(id(field))
        value = _MISSING
        if plan is not None and plan.leaf is None and not node.arguments:
            value = getattr(source, plan.attribute, _MISSING)
        if value is _MISSING:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        if value is not None:
            scalars = self._scalars_only(field.type, value, field_details_list)  # type: ignore[union-attr]
            if scalars is not _MISSING:
                return scalars
        return self._complete(field, parent_type, value, field_details_list, path, position_context)

    def _scalars_only(
        self, field_type: Any, value: Any, field_details_list: FieldDetailsList
    ) -> Any:
        """An object whose selected fields are all plain scalars (`domain { name }`), as
        its response dict; _MISSING when it needs the standard completion."""
        object_type = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        if not isinstance(object_type, GraphQLObjectType) or not _is_its_type(object_type, value):
            return _MISSING
        grouped_field_set, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return _MISSING
        response: dict[str, Any] = {}
        for response_name, details in grouped_field_set.items():
            scalar = self._plain_scalar(object_type, value, details)
            if scalar is _MISSING:
                return _MISSING
            response[response_name] = scalar
        return response

    def _complete(
        self,
        field: Any,
        parent_type: GraphQLObjectType,
        value: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """Complete an object or list value as `execute_field` would, errors included."""
        info: Any = _LazyInfo(self, field, field_details_list, parent_type, path)
        try:
            completed = self.complete_value(
                field.type, field_details_list, info, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._settle(completed, field.type, field_details_list, path)
        return completed

    async def _settle(
        self, completed: Any, return_type: Any, field_details_list: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _is_its_type(object_type: GraphQLObjectType, value: Any) -> bool:
    """The check standard completion makes first: `is_type_of`, which Strawberry sets on
    the types that implement an interface (Node), an isinstance test that ignores its
    info argument."""
    check = object_type.is_type_of
    return check is None or bool(check(value, None))  # type: ignore[arg-type]


def _coerce(leaf: GraphQLLeafType, value: Any) -> Any:
    try:
        return leaf.coerce_output_value(value)
    except Exception:
        return None  # the standard path raises the error it always has
