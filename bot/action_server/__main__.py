"""`python -m bot.action_server --actions actions --port N`: the action server process, with the
same flags as `python -m rasa_sdk`.

Why our own entry point rather than rasa_sdk's plugin hook (a top-level `rasa_sdk_plugins`
module whose `attach_sanic_app_extensions` receives the app): the hook runs after the actions
are imported, too late to set single-threaded BLAS (bot/runtime.py) before numpy loads, and it
would add a package beside the fixed top level. The hook is still called, so an operator's
plugins work as with `python -m rasa_sdk`. The hardened app is bot/action_server/app.py.
"""

from __future__ import annotations

import logging
import os

from bot.runtime import single_threaded_blas

logger = logging.getLogger("bot.action_server")


def main(argv: list[str] | None = None) -> None:
    single_threaded_blas()  # before the actions (and numpy) are imported
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_context
    from rasa_sdk.plugin import plugin_manager

    from bot.action_server.app import create_app

    args = create_argument_parser().parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    from bot.action_server.auth import MissingToken

    # the staff outbox's spill file is per port (bot/faq/service.py); set before the actions load
    os.environ.setdefault("ACTIONS_PORT", str(args.port))
    try:
        app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    except MissingToken as error:
        raise SystemExit(f"action server: {error}") from None
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    protocol = "https" if ssl_context else "http"
    logger.info("Action endpoint is up and running on %s://%s:%s", protocol, host, args.port)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
