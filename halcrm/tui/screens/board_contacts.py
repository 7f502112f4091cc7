"""Taking a contact's write back (and forward again): an edit, a delete, a new contact. The
contacts screen makes the writes; `u` there or on the board reverts them through here."""

from __future__ import annotations

import msgspec

from halcrm.domain.stages import Source
from halcrm.services.crm.inputs import ContactPatch
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
        """Puts the contact back whole, as captured before the delete: same id and fields,
        its company links, conversations and messages, its visitors' link to it."""
        record = await self.desk.services.contacts.restore(undo.snapshot, source=Source.BOARD)
        if record.company_ids:
            await self.desk.refresh_cards(record.company_ids, flash=False)
        talks = len(undo.snapshot.conversations)
        back = f"{who(record)} is back, with {_count(len(record.company_ids), 'company link')}"
        self.desk.notify(f"{word}: {back} and {_count(talks, 'conversation')}.")
        return ContactMade(record.id, who(record))

    async def undo_create(self, undo: ContactMade, word: str) -> ContactRemoved:
        services = self.desk.services
        record = await services.contacts.get(undo.contact_id)
        snapshot = await services.contacts.capture(undo.contact_id)
        await services.contacts.delete(undo.contact_id, Source.BOARD)
        if record.company_ids:
            await self.desk.refresh_cards(record.company_ids, flash=False)
        self.desk.notify(f"{word}: {who(record)} deleted.")
        return ContactRemoved(who(record), snapshot)


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
