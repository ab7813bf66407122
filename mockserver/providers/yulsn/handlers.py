"""Every operation's handler, gathered from the modules of each area."""

from __future__ import annotations

from mockserver.engine.provider import Handler
from mockserver.providers.yulsn import (
    companies,
    contacts,
    events,
    media,
    messaging,
    misc,
    orders,
    points,
    segments,
    stores,
    tables,
)

AREAS = (contacts, companies, events, points, tables, orders, stores, segments, misc, messaging, media)

HANDLERS: dict[str, Handler] = {}
for _area in AREAS:
    HANDLERS.update(_area.HANDLERS)
