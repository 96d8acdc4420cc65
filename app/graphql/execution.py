"""A leaner executor for the fields most responses are made of.

Most fields of a response are plain: an attribute of the parent object (`id`, `name`,
`createdAt`, `domain`, `edges`) with no resolver, arguments, permission or extension.
The standard executor runs each through its whole machinery: a path, resolve info,
argument coercion, the resolver wrapper, then value completion. `PlainFieldsExecution`
reads the attribute directly: a scalar or enum is serialized in the loop over its
parent's fields; an object or a list is completed by a function compiled once for its
selection (`app/graphql/compiled.py`), or, when its selection does not compile, as usual
with a resolve info built only if something asks for it. Every other field, and every
plain value the fast paths cannot answer for (missing, null where not allowed, not
serializable), takes the standard path, which reports the same errors it always has.
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

from app.graphql.compiled import Complete, compile_completion

# Selections compiled per schema; more are forgotten all at once (a client sending ever
# new documents gains nothing from keeping them).
MAX_COMPLETIONS = 4096


class PlainField(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType | None  # None: an object, or a list
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
    # Compiled completions by field and document nodes; set by the schema, shared by its
    # requests.
    completions: ClassVar[dict[tuple[int, ...], tuple[tuple[Any, ...], Complete | None]]] = {}

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
        complete = self._compiled(field, field_details_list)  # type: ignore[arg-type]
        if complete is not None:
            try:
                return complete(value)
            except Exception:
                pass
        return self._complete(field, parent_type, value, field_details_list, path, position_context)

    def plain_attribute(self, field: GraphQLField) -> str | None:
        plan = self.plain.get(id(field))
        return None if plan is None else plan.attribute

    def _compiled(self, field: GraphQLField, field_details_list: FieldDetailsList) -> Any:
        """The compiled completion of this selection of a plain field (built on its first
        use, kept with the document's nodes it was built from), or None."""
        nodes = tuple(details.node for details in field_details_list)
        key = (id(field), *map(id, nodes))
        cached = self.completions.get(key)
        if cached is None or any(old is not new for old, new in zip(cached[0], nodes, strict=True)):
            if len(self.completions) >= MAX_COMPLETIONS:
                self.completions.clear()
            cached = (nodes, compile_completion(self, field.type, field_details_list))
            self.completions[key] = cached
        return cached[1]

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
