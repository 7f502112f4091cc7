"""What the board holds: the CRM's areas, in this process (``Services``) or over HTTP
(``RemoteServices``, ``halcrm board --connect``). The screens never know which one.

``BoardServices`` is the union of the two, named for the type checker only (neither is imported
here at run time: the ``--connect`` board never loads the services' SQLAlchemy side), so every
call the board makes is checked against both: a remote area that drifts from its in-process
twin is a type error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from halcrm.services.container import Services
    from halcrm.tui.client.remote import RemoteServices

BoardServices: TypeAlias = "Services | RemoteServices"
