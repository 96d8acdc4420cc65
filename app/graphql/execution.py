"""A leaner executor for the fields most responses are made of.

Most fields of a response are plain: an attribute of the parent object (`id`, `name`,
`createdAt`, `domain`, `edges`) with no resolver, arguments, permission or extension.
The standard executor runs each through its whole machinery: resolve info, argument
coercion, the resolver wrapper, then value completion. `PlainFieldsExecution` reads the
attribute directly; a scalar or enum is serialized on the spot, anything else is
completed as usual with a resolve info built only if something asks for it. Every
other field, and every plain scalar whose value is missing or does not serialize, takes
the standard path, which reports the same errors it always has.
`tests/test_execution.py` checks that both executors give the same answers.
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
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
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

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field = self.schema.get_field(parent_type, node.name.value)
        plan = self.plain.get(id(field)) if field is not None else None
        if plan is None or node.arguments:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        value = getattr(source, plan.attribute, _MISSING)
        if value is None and plan.nullable:
            return None
        if plan.leaf is not None and value is not None and value is not _MISSING:
            coerced = _coerce(plan.leaf, value)
            if coerced is not None and coerced is not Undefined:
                return coerced
        if plan.leaf is not None or value is _MISSING:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return self._complete(field, parent_type, value, field_details_list, path, position_context)

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


def _coerce(leaf: GraphQLLeafType, value: Any) -> Any:
    try:
        return leaf.coerce_output_value(value)
    except Exception:
        return None  # the standard path raises the error it always has
