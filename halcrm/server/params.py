"""Query parameters shared by the list routes, with their bounds in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from halcrm.services.paging import MAX_LIMIT

# Page size: the bounds the services enforce, stated where clients can read them.
Limit = Annotated[int | None, Parameter(ge=1, le=MAX_LIMIT, description="page size")]
