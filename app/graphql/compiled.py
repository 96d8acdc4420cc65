"""Completion compiled once per selection: a plain field's value turned into its response
without graphql-core's per-value machinery.

Below a resolver, most of a response is plain: lists and objects read from attributes,
down to scalars (`edges { cursor node { id domain { name } } }`). The standard executor
collects each object's subfields, checks its type, builds a path and completes each
value, for every item of every list. A `Plan` does that walk once, for one selection of
one document, and keeps a function that builds the response straight from the value.

A selection compiles when every field in it is plain (no resolver, no arguments), every
type is an object or a leaf, and no directive is in it (what `@skip` and `@include`
keep depends on the variables). Anything else keeps the standard path, and so does any
value the function cannot answer for: a null where the schema allows none, a scalar that
does not serialize, a missing attribute. Then the standard path runs on the same value
and reports the error as it always has (reading attributes has no side effects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, FragmentDetails

Complete = Callable[[Any], Any]


class Unanswered(Exception):
    """A value a compiled completion leaves to the standard path."""


class PlainLookup(Protocol):
    """What compiling needs of the executor: a field's attribute when it is plain, the
    document's fragments, and graphql-core's own field collection."""

    @property
    def fragments(self) -> Mapping[str, FragmentDetails]: ...

    def plain_attribute(self, field: Any) -> str | None: ...

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Any: ...


def compile_completion(
    executor: PlainLookup, return_type: Any, details: FieldDetailsList
) -> Complete | None:
    """A function completing values of `return_type` for this selection, or None when a
    part of it needs the standard executor."""
    non_null = isinstance(return_type, GraphQLNonNull)
    complete = _value(executor, return_type.of_type if non_null else return_type, details)
    if complete is None:
        return None
    return _non_null(complete) if non_null else _nullable(complete)


def _value(executor: PlainLookup, value_type: Any, details: FieldDetailsList) -> Complete | None:
    """The completion of a value that is not null."""
    if isinstance(value_type, GraphQLList):
        item = compile_completion(executor, value_type.of_type, details)
        return None if item is None else _list(item)
    if isinstance(value_type, GraphQLLeafType):
        return _leaf(value_type)
    if isinstance(value_type, GraphQLObjectType):
        return _object(executor, value_type, details)
    return None  # an interface or a union: the standard path resolves the type


def _object(
    executor: PlainLookup, object_type: GraphQLObjectType, details: FieldDetailsList
) -> Complete | None:
    if any(_has_directives(d.node.selection_set, executor.fragments) for d in details):
        return None
    grouped, defer_usages, _ = executor.collect_subfields(object_type, details)
    if defer_usages:
        return None
    fields: list[tuple[str, str | None, Complete]] = []
    for response_name, field_details in grouped.items():
        node = field_details[0].node
        if node.name.value == "__typename":
            fields.append((response_name, None, _constant(object_type.name)))
            continue
        field = object_type.fields.get(node.name.value)
        if field is None or any(d.node.arguments for d in field_details):
            return None
        attribute = executor.plain_attribute(field)
        complete = compile_completion(executor, field.type, field_details) if attribute else None
        if complete is None:
            return None
        fields.append((response_name, attribute, complete))
    check = object_type.is_type_of

    def complete_object(value: Any) -> dict[str, Any]:
        # Strawberry's is_type_of (types that implement Node) ignores its info argument.
        if check is not None and not check(value, None):  # type: ignore[arg-type]
            raise Unanswered
        return {
            name: complete(value if attribute is None else getattr(value, attribute))
            for name, attribute, complete in fields
        }

    return complete_object


def _has_directives(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDetails]
) -> bool:
    """Whether a directive is on a selection of this set, its fragments included (and
    fragments with variables of their own, whose selections depend on them too)."""
    for selection in selection_set.selections if selection_set else ():
        if selection.directives:
            return True
        if isinstance(selection, InlineFragmentNode):
            if _has_directives(selection.selection_set, fragments):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.variable_signatures or fragment.definition.directives:
                return True
            if _has_directives(fragment.definition.selection_set, fragments):
                return True
        elif not isinstance(selection, FieldNode):
            return True
    return False


def _constant(value: str) -> Complete:
    return lambda _: value


def _nullable(complete: Complete) -> Complete:
    def complete_nullable(value: Any) -> Any:
        return None if value is None else complete(value)

    return complete_nullable


def _non_null(complete: Complete) -> Complete:
    """A null here is an error: the standard path reports it."""

    def complete_non_null(value: Any) -> Any:
        if value is None:
            raise Unanswered
        return complete(value)

    return complete_non_null


def _list(item: Complete) -> Complete:
    def complete_list(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise Unanswered
        return [item(element) for element in value]

    return complete_list


def _leaf(leaf: GraphQLLeafType) -> Complete:
    coerce = leaf.coerce_output_value

    def complete_leaf(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise Unanswered
        return coerced

    return complete_leaf
