"""``halcrm snippet`` and ``halcrm signal …``: the website widget's calls from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from halcrm.embed import embed_snippet, playground_url
from halcrm.settings import Settings

DEFAULT_VISITOR = "halcrm-cli"
EXIT_REFUSED = 1
EXIT_UNREACHABLE = 3
# Exact decimals go out as JSON numbers (12.50 stays 12.50, never a float).
_encoder = msgspec.json.Encoder(decimal_format="number")


def json_or_text(text: str) -> Any:
    """``12`` → 12, ``true`` → True, ``{"a":1}`` → a dict; anything else stays a string."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        # NaN and Infinity are not JSON the server accepts: keep them as text.
        return json.loads(text, parse_constant=refuse)
    except ValueError:
        return text


def assignment(text: str) -> tuple[str, Any]:
    """Parses ``--set KEY=VALUE``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), json_or_text(value)


def money(text: str) -> Decimal:
    """Parses ``--deal-value`` exactly (the server checks the range and the decimals)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    return value


def _target_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", help="halcrm's URL (default: from HALCRM_HOST and HALCRM_PORT)")
    # SUPPRESS: a subcommand default must not hide `halcrm --project X …` given before it.
    parser.add_argument(
        "--project",
        dest="project_id",
        default=argparse.SUPPRESS,
        help="project id (HALCRM_PROJECT_ID; default local)",
    )


def _call_flags(parser: argparse.ArgumentParser) -> None:
    _target_flags(parser)
    parser.add_argument(
        "--visitor", default=DEFAULT_VISITOR, help=f"visitor_id (default {DEFAULT_VISITOR})"
    )
    parser.add_argument("--user-hash", help="user_hash, when the project requires it")


def _company_flags(parser: argparse.ArgumentParser, *, stage_required: bool) -> None:
    parser.add_argument("--stage", required=stage_required, help="stage name or id")
    parser.add_argument("--company-id", help="the company to target (else the active one)")
    parser.add_argument(
        "--mode", choices=["advance_only", "exact"], help="stage_update_mode (default: project's)"
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``snippet`` and ``signal`` to the ``halcrm`` command line."""
    snippet = commands.add_parser("snippet", help="print the website embed snippet")
    _target_flags(snippet)

    signal = commands.add_parser("signal", help="send a widget call to a running halcrm")
    calls = signal.add_subparsers(dest="call", required=True, metavar="CALL")

    identify = calls.add_parser("identify", help="identify the visitor as a contact")
    _call_flags(identify)
    identify.add_argument("--email")
    identify.add_argument("--name")
    identify.add_argument("--user-id")
    identify.add_argument("--company-id", help="company.id (created when unknown)")
    identify.add_argument("--company-name", help="company.name")
    identify.add_argument("--stage", help="company.stage")
    identify.add_argument("--mode", choices=["advance_only", "exact"], help="stage_update_mode")
    identify.add_argument(
        "--set", dest="sets", action="append", type=assignment, default=[],
        metavar="KEY=VALUE", help="contact metadata (repeatable; JSON values parsed)",
    )  # fmt: skip

    props = calls.add_parser("set-properties", help="merge properties into the visitor")
    _call_flags(props)
    props.add_argument(
        "--set", dest="sets", action="append", type=assignment, required=True,
        metavar="KEY=VALUE", help="a property (repeatable; JSON values parsed, null deletes)",
    )  # fmt: skip

    track = calls.add_parser("track", help="record a milestone event")
    _call_flags(track)
    track.add_argument("--event", required=True, help="the event's name")
    track.add_argument("--value", type=json_or_text, help="a number, true/false or text")
    track.add_argument("--company-id", help="record it on this company")

    stage = calls.add_parser("set-stage", help="move the visitor's company to a stage")
    _call_flags(stage)
    _company_flags(stage, stage_required=True)

    deal = calls.add_parser("set-deal", help="set the company's deal value")
    _call_flags(deal)
    deal.add_argument("--deal-value", type=money, required=True, help="e.g. 12500 or 99.90")
    _company_flags(deal, stage_required=False)


def server_url(settings: Settings, given: str | None) -> str:
    """``--server``, else the configured host and port (a wildcard host means this machine)."""
    if given:
        return given.rstrip("/")
    if settings.host in ("0.0.0.0", "::", ""):
        return f"http://127.0.0.1:{settings.port}"
    return settings.base_url


def signal_body(args: argparse.Namespace, project_id: str) -> tuple[str, dict[str, Any]]:
    """The widget route and the JSON body for ``halcrm signal CALL``."""
    body: dict[str, Any] = {"app_id": project_id, "visitor_id": args.visitor}
    if args.user_hash:
        body["user_hash"] = args.user_hash
    call = args.call
    if call == "identify":
        company = {"id": args.company_id, "name": args.company_name, "stage": args.stage}
        body |= {"email": args.email, "name": args.name, "user_id": args.user_id}
        body["company"] = {k: v for k, v in company.items() if v is not None} or None
        body["metadata"] = dict(args.sets) or None
        body["stage_update_mode"] = args.mode
    elif call == "set-properties":
        body["properties"] = dict(args.sets)
    elif call == "track":
        body |= {"name": args.event, "value": args.value, "company_id": args.company_id}
    else:
        body |= {"stage": args.stage, "company_id": args.company_id}
        body["stage_update_mode"] = args.mode
        if call == "set-deal":
            body["deal_value"] = args.deal_value
    return call, {k: v for k, v in body.items() if v is not None}


def run_snippet(args: argparse.Namespace, settings: Settings) -> int:
    """Prints the HTML to paste into the website's pages."""
    server = server_url(settings, args.server)
    # "--" may not appear inside an HTML comment.
    note = f"halcrm widget, project {settings.project_id}; try it at {playground_url(server)}"
    print(f"<!-- {note.replace('--', '- -')} -->")
    print(embed_snippet(server, settings.project_id))
    return 0


def run_signal(args: argparse.Namespace, settings: Settings) -> int:
    """Sends the call; prints the answer, or the refusal on stderr with a non-zero exit."""
    server = server_url(settings, args.server)
    call, body = signal_body(args, settings.project_id)
    url = f"{server}/api/widget/{call}"
    # Imported here: every other command (and the server's start-up) does without it.
    import httpx

    try:
        response = httpx.post(
            url,
            content=_encoder.encode(body),
            headers={"Content-Type": "application/json"},
            timeout=15.0,
        )
    except httpx.HTTPError as exc:
        print(f"halcrm: cannot reach {url}: {exc}", file=sys.stderr)
        print("halcrm: is halcrm running there? (--server URL)", file=sys.stderr)
        return EXIT_UNREACHABLE
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.is_success:
        print(json.dumps(answer, indent=2))
        return 0
    error = answer if isinstance(answer, dict) else {}
    code = error.get("error", f"http_{response.status_code}")
    detail = error.get("detail", response.text.strip() or response.reason_phrase)
    print(f"halcrm: refused ({response.status_code} {code}): {detail}", file=sys.stderr)
    return EXIT_REFUSED
