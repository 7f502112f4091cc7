"""Deal files (Pipedrive's, HubSpot's): several deals of one company, and ``--stage-map``.

halcrm keeps one deal per company (its stage and value). A file that holds several deals of
one organization is refused for them, one line per organization naming its rows, unless
``--merge-deals``: then the company takes the most advanced open deal's stage and the sum of
the open deals' values (with no open deal: won if one was won, else lost, with those deals'
sum), and each deal's title, value and status goes into the company's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from halcrm.domain.errors import InvalidRequest
from halcrm.domain.money import from_cents

if TYPE_CHECKING:
    from halcrm.services.crm.transfer.rows import RowIn


@dataclass(frozen=True)
class StageMapping:
    """``--stage-map`` items, in the order given: a file's stage name to the stage to use (its
    own name when none is given), and the win probability of a stage the import creates."""

    targets: dict[str, str] = field(default_factory=dict)  # folded file name -> target name
    probabilities: dict[str, int] = field(default_factory=dict)  # folded target -> percent
    order: tuple[str, ...] = ()  # folded target names, as given


_ITEM = re.compile(r"^(?P<source>[^=:]+?)\s*(?:=\s*(?P<target>[^=:]+?))?\s*(?::\s*(?P<p>\d+))?$")


def parse_stage_map(items: Sequence[str]) -> StageMapping:
    """``["Lead In=Lead, Demo Scheduled=Qualified:40", "Trial:30"]``: each item is
    ``FILE STAGE[=STAGE][:PROBABILITY]``, items separated by commas or given again."""
    mapping = StageMapping()
    order: list[str] = []
    for item in (part.strip() for given in items for part in given.split(",")):
        if not item:
            continue
        found = _ITEM.match(item)
        if found is None:
            raise InvalidRequest(
                f"--stage-map {item!r} must read 'FILE STAGE=STAGE', 'FILE STAGE=STAGE:40' or "
                "'STAGE:40'",
                field="stage_map",
            )
        source = found["source"].strip()
        target = (found["target"] or source).strip()
        mapping.targets[source.casefold()] = target
        if found["p"] is not None:
            percent = int(found["p"])
            if percent > 100:
                raise InvalidRequest(
                    f"--stage-map {item!r}: a probability is 0 to 100", field="stage_map"
                )
            mapping.probabilities[target.casefold()] = percent
        if target.casefold() not in order:
            order.append(target.casefold())
    return StageMapping(mapping.targets, mapping.probabilities, tuple(order))


@dataclass(frozen=True)
class Deal:
    row: int
    title: str | None
    stage_id: str | None
    cents: int | None
    status: str  # "open", "won" or "lost"


@dataclass
class Group:
    """The deals of one company, in file order; ``name`` as the first row gives it."""

    name: str
    deals: list[Deal] = field(default_factory=list)

    @property
    def rows(self) -> list[int]:
        return [deal.row for deal in self.deals]


def company_key(row: RowIn) -> str | None:
    """What tells a deal's company apart: its id, else its domain, else its name (any case)."""
    company = row.company
    if company is None:
        return None
    if company.id:
        return f"id:{company.id}"
    if company.domain:
        return f"domain:{company.domain}"
    return f"name:{company.name.casefold()}" if company.name else None


def deal_of(row: RowIn) -> Deal:
    company = row.company
    assert company is not None
    title = company.meta.get("deal_name") or company.name
    state = (company.deal_status or "").strip().casefold()
    return Deal(
        row.number,
        title,
        company.stage_id,
        company.deal_cents,
        state if state in ("won", "lost") else "open",
    )


class Grouper:
    """Collects the deals of the first pass; keeps the companies with several."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}

    def add(self, row: RowIn) -> None:
        key = company_key(row)
        if key is None or row.company is None:
            return
        group = self.groups.setdefault(key, Group(row.company.name or key))
        group.deals.append(deal_of(row))

    def several(self) -> dict[int, Group]:
        """Every row of a company with several deals, to its group."""
        out: dict[int, Group] = {}
        for group in self.groups.values():
            if len(group.deals) > 1:
                out.update((deal.row, group) for deal in group.deals)
        return out


def refusal(group: Group) -> str:
    rows = ", ".join(str(n) for n in group.rows)
    return (
        f"{len(group.deals)} deals of {group.name!r} (rows {rows}): halcrm keeps one deal per "
        "company; use --merge-deals (the most advanced open deal's stage, the open deals' sum)"
    )


def merged(group: Group, rank: dict[str, int]) -> tuple[str | None, int | None]:
    """The company's stage and value for a group of deals (see the module doc)."""
    open_deals = [d for d in group.deals if d.status == "open"]
    chosen = open_deals or [d for d in group.deals if d.status == "won"] or group.deals
    staged = [d for d in chosen if d.stage_id is not None]
    stage = max(staged, key=lambda d: rank.get(d.stage_id or "", -1)).stage_id if staged else None
    values = [d.cents for d in chosen if d.cents is not None]
    return stage, sum(values) if values else None


def history(group: Group) -> Iterable[tuple[str, dict[str, Any]]]:
    """One history line per deal of a merged group: its title, value and status."""
    for deal in group.deals:
        value = f"${from_cents(deal.cents):,}" if deal.cents is not None else "no value"
        summary = f"deal {deal.title!r} ({deal.status}, {value}) merged by an import"
        data: dict[str, Any] = {
            "title": deal.title,
            "status": deal.status,
            "deal_value": str(from_cents(deal.cents)) if deal.cents is not None else None,
            "row": deal.row,
        }
        yield summary, data
