"""A command line is read by a parser of its command alone; what it reads, and every help and
error message, is what the whole parser gives."""

from __future__ import annotations

import argparse

import pytest

from halcrm.cli.main import ADDED_BY, STARTS, build_parser, parse_args


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(found[0].choices)


def test_every_command_has_a_parser_of_its_own() -> None:
    assert sorted(_commands(build_parser())) == sorted([*STARTS, "token", *ADDED_BY])
    for command in _commands(build_parser()):
        assert command in _commands(build_parser(only=command))


@pytest.mark.parametrize(
    "line",
    [
        [],
        ["serve", "--host", "0.0.0.0", "--port", "9", "--db", "x.db", "--workers", "3"],
        ["serve", "--po", "7"],
        ["board", "--demo", "--connect", "h:1", "--token", "t"],
        ["token", "--project", "p"],
        ["export", "companies", "--format", "json"],
        ["signal", "track", "--visitor", "v", "--event", "e"],
        ["api-key", "create", "--name", "site"],
    ],
    ids=" ".join,
)
def test_a_line_reads_as_the_whole_parser_reads_it(line: list[str]) -> None:
    assert vars(parse_args(line)) == vars(build_parser().parse_args(line))


@pytest.mark.parametrize(
    "line", [["serve", "--port", "x"], ["serve", "extra"], ["token", "extra"], ["export"]]
)
def test_a_refused_line_gets_the_whole_parsers_message(
    line: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(line)
    expected = capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(line)
    assert capsys.readouterr().err == expected


@pytest.mark.parametrize(
    ("line", "wanted"),
    [
        (["--port", "9000", "serve"], {"port": 9000}),
        (["serve", "--port", "9000"], {"port": 9000}),
        (["--demo", "serve"], {"demo": True}),
        (["--demo", "board"], {"demo": True}),
        (["--connect", "h:1", "--token", "t", "board"], {"connect": "h:1", "token": "t"}),
        (["--db", "x.db", "export", "companies"], {"db": "x.db"}),
        (["--project", "p", "webhooks", "list"], {"project_id": "p"}),
        (["--db", "x.db", "serve", "--db", "y.db"], {"db": "y.db"}),  # the nearer one
        (["serve"], {"port": None, "demo": False, "db": None}),
    ],
    ids=" ".join,
)
def test_a_flag_before_the_command_is_kept(line: list[str], wanted: dict[str, object]) -> None:
    # argparse lets a command's own copy of a flag reset it to its default: `halcrm --port
    # 9000 serve` served on 8765.
    for read in (parse_args(line), build_parser().parse_args(line)):
        assert {name: getattr(read, name) for name in wanted} == wanted
