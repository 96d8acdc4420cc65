"""Arguments several fields take, each declared once with its description."""

from __future__ import annotations

from typing import Annotated

import strawberry

DomainId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="A domain's id; a domain the caller does not belong to "
        "is NOT_FOUND, like one that does not exist."
    ),
]
InvitationId = Annotated[strawberry.ID, strawberry.argument(description="The invitation's id.")]
OwnId = Annotated[strawberry.ID, strawberry.argument(description="Its id.")]
