"""MkDocs hooks: the site shows the repository's screenshots and CHANGELOG without copies.

The guides link them as ``../screenshots/x.svg`` and ``../CHANGELOG.md`` so the links also work
when a guide is read on the forge, outside the site. MkDocs only knows files under ``docs/``:
these hooks add the two as site files and point the guides' links at them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# (link prefix in a guide, the file or folder at the root, where it is in the site)
MIRRORED = (
    ("../screenshots/", ROOT / "screenshots", "screenshots/"),
    ("../CHANGELOG.md", ROOT / "CHANGELOG.md", "changelog.md"),
)


def on_files(files: Any, config: Any, **_: Any) -> Any:
    from mkdocs.structure.files import File

    for _link, source, target in MIRRORED:
        paths = sorted(source.glob("*.svg")) if source.is_dir() else [source]
        for path in paths:
            uri = target + path.name if target.endswith("/") else target
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    # Guides sit at the top of docs/, so one prefix swap is the whole rewrite.
    if "/" in page.file.src_uri:
        return markdown
    for link, _source, target in MIRRORED:
        markdown = markdown.replace(f"]({link}", f"]({target}")
    return markdown
