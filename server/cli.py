"""The `mendan` command: serve, account create/list/password/embed-origins, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server.settings import SETTINGS_TABLE, Settings

T = TypeVar("T")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(data_dir=getattr(args, "data_dir", None))


def _prepare_database(settings: Settings) -> None:
    from server.db.migrate import upgrade

    upgrade(settings.database_url)


def _with_session(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    from server.db.database import Database

    async def run() -> T:
        database = Database(settings.database_url)
        try:
            async with database.session() as db, db.begin():
                return await work(db)
        finally:
            await database.dispose()

    return asyncio.run(run())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.body_limit import WEBSOCKET_MAX_BYTES
    from server.http_protocol import with_header_timeout
    from server.logs import configure as configure_logging
    from server.signaling.socket import signaling_socket_for
    from server.tls import TlsError, check_tls

    settings = _settings(args)
    cert, key = args.tls_cert or settings.tls_cert, args.tls_key or settings.tls_key
    try:
        names = check_tls(cert, key)
    except TlsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if settings.database_url.startswith("sqlite"):
        _prepare_database(settings)
    configure_logging(settings.log_format)
    print(
        f"Mendan is running at {_shown_url(args.host, args.port, names)}  (data: {settings.data_dir})",
        flush=True,
    )
    if not cert and not _is_loopback(args.host):
        print(_PLAIN_HTTP_WARNING.format(host=args.host), file=sys.stderr, flush=True)
    # Graceful shutdown: uvicorn closes every WebSocket with 1012 (service restart), the pages
    # re-join (through the load balancer, on another instance), and in-flight work gets 10 s.
    # Abuse limits (docs/security.md): headers within header_timeout, idle keep-alive closed after
    # 5 s, at most max_connections connections and requests at once (more get 503).
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        http=with_header_timeout(settings.header_timeout),
        timeout_keep_alive=5,
        limit_concurrency=settings.max_connections,
        ws_max_size=WEBSOCKET_MAX_BYTES,
        # Memory per socket (docs/scaling.md, measured with tracemalloc): /ws is served by our own
        # small protocol outside the ASGI stack, without permessage-deflate (~40 KiB of zlib state
        # per socket for messages of a few hundred bytes); it pings every 10 s itself.
        ws=signaling_socket_for(app),
        timeout_graceful_shutdown=10,
        proxy_headers=False,  # the app applies MENDAN_TRUSTED_PROXIES itself (server/app.py)
        ssl_certfile=cert or None,
        ssl_keyfile=key or None,
    )
    return 0


_PLAIN_HTTP_WARNING = (
    "warning: listening on {host} without TLS. Browsers on other machines give a plain http:// page "
    "no camera or microphone; use --tls-cert/--tls-key, or a proxy that terminates TLS in front "
    "(docs/deploy.md)."
)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown_url(host: str, port: int, tls_names: list[str] | None) -> str:
    """The URL to open: the certificate's own name over HTTPS (a browser checks it), else the host."""
    if tls_names is not None:
        openable = [name for name in tls_names if not name.startswith("*.")]  # a wildcard is no address
        return f"https://{openable[0] if openable else host}:{port}/"
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    return f"http://{shown_host}:{port}/"


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("The passwords differ; nothing was changed.")
    return first


def cmd_account_create(args: argparse.Namespace) -> int:
    import time

    from server.auth.accounts import AccountError, create_account

    settings = _settings(args)
    _prepare_database(settings)
    password = _read_password(args)

    async def work(db):  # type: ignore[no-untyped-def]
        contract, _ = await create_account(
            db,
            args.login,
            password,
            customer_number=args.contract,
            display_name=args.name or "",
            company_name=args.company or "",
            now=time.time(),
        )
        return contract.customer_number

    try:
        number = _with_session(settings, work)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(number)
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    from server.auth.accounts import list_accounts

    settings = _settings(args)
    _prepare_database(settings)
    rows = _with_session(settings, list_accounts)
    print(f"{'customer number':<16} {'company':<24} {'login ID':<24} name")
    for contract, account in rows:
        columns = (contract.customer_number, contract.company_name, account.login)
        print(f"{columns[0]:<16} {columns[1]:<24} {columns[2]:<24} {account.display_name}")
    return 0


def cmd_account_password(args: argparse.Namespace) -> int:
    from server.auth.accounts import AccountError, check_new_password, set_password
    from server.auth.passwords import hash_password

    settings = _settings(args)
    _prepare_database(settings)
    password = _read_password(args)
    try:
        check_new_password(password)
        # A reset ends every session of the ID: whoever knew the old password is logged out.
        _with_session(settings, lambda db: set_password(db, args.login, hash_password(password)))
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"password of {args.login} changed; its sessions have ended")
    return 0


def cmd_account_embed_origins(args: argparse.Namespace) -> int:
    from server.embed_origins import parse_origins, set_embed_origins

    settings = _settings(args)
    _prepare_database(settings)
    try:
        origins = parse_origins(args.origins)
        _with_session(settings, lambda db: set_embed_origins(db, args.contract, origins))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.contract} may be embedded on: {' '.join(origins) or '(no other site)'}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    _prepare_database(_settings(args))
    print("database is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    env_help = "\n".join(
        f"  {name:<26} {text} (default: {default or 'none'})" for name, default, text in SETTINGS_TABLE
    )
    parser = argparse.ArgumentParser(
        prog="mendan",
        description="Mendan: browser-only online sales meetings.",
        epilog="environment:\n" + env_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def with_data_dir(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data-dir", help="data folder (default: $MENDAN_DATA_DIR or ./mendan-data)")
        return p

    serve = with_data_dir(commands.add_parser("serve", help="run the server"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--tls-cert", help="PEM certificate (chain): serve HTTPS and WSS (default: $MENDAN_TLS_CERT)"
    )
    serve.add_argument("--tls-key", help="PEM private key of --tls-cert (default: $MENDAN_TLS_KEY)")
    serve.set_defaults(func=cmd_serve)

    account = commands.add_parser("account", help="contracts and login IDs").add_subparsers(
        dest="account_command", required=True
    )
    create = with_data_dir(account.add_parser("create", help="create a login ID (and a contract)"))
    create.add_argument("--login", required=True)
    create.add_argument("--contract", help="customer number C00XXXX of an existing contract")
    create.add_argument("--name", help="the rep's name shown to customers (default: the login ID)")
    create.add_argument("--company", help="company name shown to customers")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(func=cmd_account_create)
    listing = with_data_dir(account.add_parser("list", help="list contracts and IDs"))
    listing.set_defaults(func=cmd_account_list)
    password = with_data_dir(account.add_parser("password", help="reset the password of a login ID"))
    password.add_argument("--login", required=True)
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(func=cmd_account_password)
    origins = with_data_dir(
        account.add_parser("embed-origins", help="the web sites that may show a contract's start page framed")
    )
    origins.add_argument("--contract", required=True, help="customer number C00XXXX")
    origins.add_argument("origins", nargs="*", help="https://www.example.co.jp ... (none: no other site)")
    origins.set_defaults(func=cmd_account_embed_origins)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db_upgrade = with_data_dir(db.add_parser("upgrade", help="apply migrations"))
    db_upgrade.set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
