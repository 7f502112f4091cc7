"""A Pipedrive deals export with several deals per organization and its own stages: refused
by default (one line per organization), merged with --merge-deals (the most advanced open
deal's stage, the open deals' sum, each deal in the history); unknown stages summarised in one
line; --stage-map before --create-stages; created stages in Pipedrive's order with the given
probabilities. Both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from halcrm.cli.data_import import _print_report
from halcrm.db.models import Activity, Company, Stage
from halcrm.domain.errors import InvalidRequest
from halcrm.services.container import Services
from halcrm.services.crm.transfer.deals import parse_stage_map
from halcrm.services.crm.transfer.report import ImportOptions, ImportRefused
from tests.services.transfer.helpers import dump, write_csv

HEADER = ["Deal - Title", "Deal - Value", "Deal - Stage", "Deal - Status", "Deal - Organization"]
DEALS = [
    HEADER,
    ["Soylent expansion", "50000", "Negotiation", "open", "Soylent"],
    ["Soylent pilot", "10000", "Proposal", "won", "Soylent"],
    ["Soylent trial", "2500", "Qualified", "lost", "Soylent"],
    ["Massive deal", "2000", "Proposal", "open", "Massive Dynamic"],
    ["Globex one", "1000", "Qualified", "open", "Globex"],
    ["Globex two", "4000", "Lead", "open", "Globex"],
]


def _company(services: Services, name: str) -> tuple[str | None, int | None]:
    with services.db.session() as session:
        company = session.scalars(select(Company).where(Company.name == name)).one()
        stage = session.get(Stage, company.stage_pk) if company.stage_pk else None
        return (stage.name if stage else None), company.deal_value_cents


async def test_several_deals_of_one_organization_are_refused_by_default(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "deals.csv", DEALS)
    before = dump(services)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    lines = [(r.row, r.column, r.reason) for r in refused.value.report.rejected]
    assert [(row, column) for row, column, _ in lines] == [
        (2, "Deal - Organization"),
        (6, "Deal - Organization"),
    ]
    assert "3 deals of 'Soylent' (rows 2, 3, 4)" in lines[0][2]
    assert "--merge-deals" in lines[0][2]
    assert dump(services) == before
    # --partial: the organizations with one deal go in, the others not at all.
    report = await services.transfer.import_file(path, ImportOptions(partial=True))
    assert report.companies.new == 1
    assert _company(services, "Massive Dynamic") == ("Proposal", 200_000)


async def test_merge_deals_keeps_the_most_advanced_open_stage_and_the_open_sum(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deals.csv", DEALS)
    report = await services.transfer.import_file(path, ImportOptions(merge_deals=True))
    assert report.rejected == []
    assert report.companies.new == 3
    assert _company(services, "Soylent") == ("Negotiation", 5_000_000)  # won/lost left out
    assert _company(services, "Globex") == ("Qualified", 500_000)  # ahead of Lead; 1k + 4k
    with services.db.session() as session:
        history = list(
            session.scalars(
                select(Activity.summary)
                .where(Activity.company_name == "Soylent")
                .order_by(Activity.pk)
            )
        )
    assert [line for line in history if line.startswith("deal ")] == [
        "deal 'Soylent expansion' (open, $50,000) merged by an import",
        "deal 'Soylent pilot' (won, $10,000) merged by an import",
        "deal 'Soylent trial' (lost, $2,500) merged by an import",
    ]


PIPEDRIVE_STAGES = [
    HEADER,
    *[[f"Deal {n}", "100", "Lead In", "open", f"Org {n}"] for n in range(30)],
    *[[f"Demo {n}", "100", "Demo Scheduled", "open", f"Demo Org {n}"] for n in range(8)],
    ["Closing", "100", "Negotiation", "open", "Closing Org"],
]


async def test_unknown_stages_are_one_line_with_counts(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "deals.csv", PIPEDRIVE_STAGES)
    with pytest.raises(ImportRefused) as refused:
        await services.transfer.import_file(path, ImportOptions())
    report = refused.value.report
    assert report.unknown_stages == {"Lead In": 30, "Demo Scheduled": 8}
    _print_report(report, as_json=False)
    out = capsys.readouterr().out
    assert out.count("unknown stage") == 1
    assert "'Lead In' (30), 'Demo Scheduled' (8)" in out


async def test_stage_map_maps_then_creates_in_pipedrives_order(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deals.csv", PIPEDRIVE_STAGES)
    mapped = ImportOptions(stage_map=parse_stage_map(["Lead In=Lead, Demo Scheduled=Qualified"]))
    report = await services.transfer.import_file(path, mapped, None)
    assert report.stages_created == []
    assert _company(services, "Org 1") == ("Lead", 10_000)
    assert _company(services, "Demo Org 1") == ("Qualified", 10_000)


async def test_created_stages_take_the_files_order_and_given_probabilities(
    services: Services, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "deals.csv", PIPEDRIVE_STAGES)
    options = ImportOptions(create_stages=True, stage_map=parse_stage_map(["Demo Scheduled:40"]))
    report = await services.transfer.import_file(path, options)
    assert report.stages_created == ["Lead In", "Demo Scheduled"]
    assert report.notes == [
        "stage 'Lead In' created with a win probability of 0: give one with "
        "--stage-map 'Lead In:40'"
    ]
    with services.db.session() as session:
        pipeline = [
            (s.name, s.probability) for s in session.scalars(select(Stage).order_by(Stage.position))
        ]
    # The file names Lead In, then Demo Scheduled, then Negotiation: both go before it.
    assert pipeline == [
        ("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Lead In", 0),
        ("Demo Scheduled", 40), ("Negotiation", 75), ("Won", 100), ("Lost", 0),
    ]  # fmt: skip


async def test_the_order_given_places_created_stages(services: Services, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "deals.csv", PIPEDRIVE_STAGES)
    given = parse_stage_map(["Demo Scheduled:40, Lead In:10", "Negotiation"])
    report = await services.transfer.import_file(
        path, ImportOptions(create_stages=True, stage_map=given)
    )
    assert report.stages_created == ["Demo Scheduled", "Lead In"]
    assert report.notes == []
    with services.db.session() as session:
        names = list(session.scalars(select(Stage.name).order_by(Stage.position)))
    assert names[3:6] == ["Demo Scheduled", "Lead In", "Negotiation"]


def test_a_stage_map_item_reads_source_target_and_probability() -> None:
    mapping = parse_stage_map(["Lead In=Lead", "Demo Scheduled=Qualified:40, Trial:30"])
    assert mapping.targets == {"lead in": "Lead", "demo scheduled": "Qualified", "trial": "Trial"}
    assert mapping.probabilities == {"qualified": 40, "trial": 30}
    with pytest.raises(InvalidRequest, match="0 to 100"):
        parse_stage_map(["Trial:300"])
