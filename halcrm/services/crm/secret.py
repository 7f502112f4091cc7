"""The identity-verification secret's rotation (API.md, POST /api/project/secret)."""

from __future__ import annotations

import secrets

from halcrm.db.tx import Tx
from halcrm.domain.events import EventKind
from halcrm.domain.stages import Source
from halcrm.services.area import Area, writes
from halcrm.services.crm.records import SecretRotated
from halcrm.services.widget.verification import GRACE


class SecretRotation(Area):
    """Rotating the project's secret: hashes made with the previous one verify for ``GRACE``."""

    @writes
    def rotate(self, tx: Tx, source: Source = Source.ACCOUNT_API) -> SecretRotated:
        """A new secret; the current one becomes the previous one, from now on (a secret
        rotated twice within the grace period leaves only the last one before it valid)."""
        project = self.project(tx)
        project.previous_secret = project.secret
        project.secret = secrets.token_hex(32)
        project.secret_rotated_at = tx.now
        # The secret itself is never written to the activity log.
        tx.record(project, EventKind.PROJECT_UPDATED, source, "identity secret rotated")
        return SecretRotated(secret=project.secret, previous_secret_valid_until=tx.now + GRACE)
