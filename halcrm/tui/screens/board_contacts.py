"""Taking a contact's write back (and forward again): an edit, a delete, a new contact. The
contacts screen makes the writes; `u` there or on the board reverts them through here."""

from __future__ import annotations

import msgspec

from halcrm.domain.stages import Source
from halcrm.services.crm.inputs import ContactCreate, ContactPatch
from halcrm.services.crm.records import ContactRecord
from halcrm.tui.screens.desk import Part
from halcrm.tui.undo import ContactEdited, ContactMade, ContactRemoved

FIELDS = ("email", "user_id", "name", "phone", "notes", "tags", "metadata")


def who(record: ContactRecord) -> str:
    return record.name or record.email or record.id


class ContactUndo(Part):
    """The inverse of each contact write, answering the inverse of that (redo)."""

    async def undo_edit(self, undo: ContactEdited, word: str) -> ContactEdited:
        services = self.desk.services
        now = await services.contacts.get(undo.contact_id)
        forward = ContactPatch()
        for field in FIELDS:
            if getattr(undo.patch, field) is msgspec.UNSET:
                continue
            value = getattr(now, field)
            if isinstance(undo.patch.metadata, dict) and field == "metadata":
                # The keys the edit set, as they are now (None: absent, so deleted).
                value = {k: now.metadata.get(k) for k in undo.patch.metadata}
            setattr(forward, field, value)
        record = await services.contacts.update(undo.contact_id, undo.patch, Source.BOARD)
        self.desk.notify(f"{word}: {who(record)} as it was before.")
        return ContactEdited(record.id, who(record), forward)

    async def undo_delete(self, undo: ContactRemoved, word: str) -> ContactMade:
        """Makes the contact again, same id and fields, and links it to its companies."""
        was = undo.record
        body = ContactCreate(
            id=was.id,
            email=was.email,
            user_id=was.user_id,
            name=was.name,
            phone=was.phone,
            notes=was.notes,
            tags=list(was.tags),
            metadata=dict(was.metadata) or None,
        )
        services = self.desk.services
        record = await services.contacts.create(body, source=Source.BOARD)
        for company_id in was.company_ids:
            await services.contacts.link(record.id, company_id, Source.BOARD)
        if was.company_ids:
            await self.desk.refresh_cards(was.company_ids, flash=False)
        self.desk.notify(f"{word}: {who(record)} is back, with its company links.")
        return ContactMade(record.id, who(record))

    async def undo_create(self, undo: ContactMade, word: str) -> ContactRemoved:
        services = self.desk.services
        record = await services.contacts.get(undo.contact_id)
        await services.contacts.delete(undo.contact_id, Source.BOARD)
        if record.company_ids:
            await self.desk.refresh_cards(record.company_ids, flash=False)
        self.desk.notify(f"{word}: {who(record)} deleted.")
        return ContactRemoved(record)
