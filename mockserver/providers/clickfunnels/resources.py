"""The records the API creates, updates and deletes alike: under the record the collection
path names (a workspace, a form, a zone...), from a body wrapped in the resource's name,
with the resource's own rules (`check`), events and the records that go with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.base import Handler
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import WORKSPACES

# (call, scope, values) -> the values to store. The scope is the record being changed, or on
# create the workspace_id and the parent key it will have.
Check = Callable[[Call, Mapping[str, Any], dict[str, Any]], dict[str, Any]]
# Every resource by table, for the records that go with a deleted one.
REGISTRY: dict[str, Resource] = {}


@dataclass(frozen=True)
class Resource:
    table: str
    wrapper: str  # the key the body is wrapped in: {"forms_field_set": {...}}
    render: Callable[[Row], Any]
    parent: str = WORKSPACES  # the table of the record the collection path names
    defaults: Mapping[str, Any] = field(default_factory=dict)  # what a body may set, and its value when left out
    filled: tuple[str, ...] = ()  # text that must not be blank
    check: Check | None = None
    subject: str | None = None  # the events' subject type ("Courses::Section"); None: no events
    events: str = ""  # the event types' prefix ("courses/section" -> courses/section.updated)
    actions: frozenset[str] = frozenset({"created", "updated", "deleted"})  # those that fire an event
    cascade: tuple[str, ...] = ()  # tables whose rows belong to the record (by `<record>_id`) and go with it
    extra: Callable[[], dict[str, Any]] | None = None  # what a new record holds besides its attributes
    after: Callable[[Call, Row], None] | None = None  # what making a record makes besides

    def __post_init__(self) -> None:
        REGISTRY[self.table] = self

    @property
    def parent_key(self) -> str:
        return f"{self.parent.removesuffix('s')}_id"

    def creator(self) -> Handler:
        def create(call: Call) -> Reply:
            owner = records.addressed(call, self.parent)
            scope = self.scope_of(owner)
            # A default list is the record's own (never shared between records).
            defaults = {name: list(value) if isinstance(value, list) else value for name, value in self.defaults.items()}
            values = self.values(call, scope, {**defaults, **call.body[self.wrapper]})
            row = records.create(call, self.table, **scope, **(self.extra() if self.extra else {}), **values)
            if self.after:
                self.after(call, row)
            self.announce(call, "created", row)
            return Reply(201, self.render(row))

        return create

    def updater(self) -> Handler:
        def update(call: Call) -> Reply:
            row = records.addressed(call, self.table)
            return Reply(200, self.render(self.change(call, row, call.body[self.wrapper])))

        return update

    def deleter(self) -> Handler:
        def delete(call: Call) -> Reply:
            row = records.addressed(call, self.table)
            rendered = self.render(row)
            self.remove(call, row)
            if self.subject and "deleted" in self.actions:
                records.announce(call, f"{self.events}.deleted", self.subject, row, rendered)
            return Reply(204)

        return delete

    def scope_of(self, owner: Row) -> dict[str, Any]:
        """What a new record takes from the record its collection belongs to."""
        if self.parent == WORKSPACES:
            return {"workspace_id": owner["id"]}
        return {"workspace_id": owner["workspace_id"], self.parent_key: owner["id"]}

    def values(self, call: Call, scope: Mapping[str, Any], attributes: Mapping[str, Any]) -> dict[str, Any]:
        """The attributes a body may set, checked."""
        values = {name: value for name, value in attributes.items() if name in self.defaults}
        for name in self.filled:
            if name in values:
                values[name] = records.filled(name, values[name] if values[name] is not None else "")
        return self.check(call, scope, values) if self.check else values

    def change(self, call: Call, row: Row, attributes: Mapping[str, Any]) -> Row:
        """Store the attributes given (PUT and PATCH alike); fires `<events>.updated`."""
        values = self.values(call, row, attributes)
        row = records.touch(call, records.table(call.tenant, self.table), row, **values)
        self.announce(call, "updated", row)
        return row

    def announce(self, call: Call, action: str, row: Row) -> None:
        if self.subject and action in self.actions:
            records.announce(call, f"{self.events}.{action}", self.subject, row, self.render(row))

    def remove(self, call: Call, row: Row) -> None:
        """Delete the record and, first, the records that belong to it."""
        key = f"{self.table.removesuffix('s')}_id"
        for name in self.cascade:
            for child in records.children(call.tenant, name, key, row["id"]):
                REGISTRY[name].remove(call, child)
        records.table(call.tenant, self.table).delete(row["id"])
