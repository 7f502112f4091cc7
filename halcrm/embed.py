"""Where the widget SDK and the playground live, and the embed snippet (framework-free).

The board, the CLI and the server all import this module, so it knows nothing of Litestar or
Textual: the board prints ``playground_url(base)`` without importing ``halcrm.server``.
"""

from __future__ import annotations

import json
import re

# Where the SDK and the playground are served (the server's SDK route serves these paths).
from halcrm.domain.wire import PLAYGROUND_PATH, SDK_METHODS, WIDGET_JS_PATH

__all__ = [
    "PLAYGROUND_PATH",
    "SDK_METHODS",
    "WIDGET_JS_PATH",
    "embed_snippet",
    "playground_url",
    "widget_url",
]

# Segment/Intercom-style stub: each method pushes [name, arguments, resolve, reject] onto
# HalWidget.q and returns a Promise; widget.js replays the queue in order and settles them.
_STUB = """<script>
(function (w, d) {
  var h = (w.HalWidget = w.HalWidget || { q: [] });
  {{methods}}.forEach(function (m) {
    h[m] = h[m] || function () {
      var a = arguments;
      return new Promise(function (ok, ko) { h.q.push([m, a, ok, ko]); });
    };
  });
  var s = d.createElement("script");
  s.async = true;
  s.src = {{src}};
  s.setAttribute("data-project-id", {{project}});
  d.head.appendChild(s);
})(window, document);
</script>"""


def widget_url(server: str) -> str:
    """The SDK's address on ``server`` (``""`` gives the same-origin path ``/widget.js``)."""
    return server.rstrip("/") + WIDGET_JS_PATH


def playground_url(server: str) -> str:
    """The playground page's address on ``server``, e.g. ``http://127.0.0.1:8765/playground``."""
    return server.rstrip("/") + PLAYGROUND_PATH


def embed_snippet(server: str, project_id: str) -> str:
    """The HTML a website pastes into its pages to load the SDK for ``project_id``.

    Args:
        server: halcrm's base URL (``http://127.0.0.1:8765``); ``""`` for same-origin pages.
        project_id: sent as ``app_id`` with every call.

    Returns:
        A ``<script>`` element that defines the queuing stub and loads ``widget.js``.
    """

    def js(value: object) -> str:
        # JSON is valid JS; escaping "<" keeps a value from closing the script element.
        return json.dumps(value).replace("<", "\\u003c")

    values = {
        "methods": js(list(SDK_METHODS)),
        "src": js(widget_url(server)),
        "project": js(project_id),
    }
    # One pass, so a value that happens to contain a placeholder is left alone.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _STUB)
