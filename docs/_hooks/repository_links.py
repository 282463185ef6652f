"""mkdocs hook: links from a page to a repository file outside docs/ (``../rules/facts/clipping.yml``).

They work on GitHub, where the pages are read in the repository, but have no target on the site.
With ``repo_url`` set in mkdocs.yml they become links to the file in the repository; without it,
the link text stays as plain text. Links between pages are left alone, so ``--strict`` still
fails on a broken one.
"""

from __future__ import annotations

import posixpath
import re

LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")


def on_page_markdown(markdown, page, config, files):  # noqa: ANN001, ANN201 - mkdocs' hook signature
    page_directory = posixpath.dirname(page.file.src_uri)
    repo_url = (config.get("repo_url") or "").rstrip("/")

    def replace(match: re.Match) -> str:
        target = match.group("target")
        if "://" in target or target.startswith(("#", "mailto:")):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(page_directory, target.split("#")[0]))
        if not path.startswith("../"):
            return match.group(0)  # inside docs/: mkdocs checks it
        in_repository = path[len("../"):]
        if repo_url:
            return f"[{match.group('text')}]({repo_url}/blob/main/{in_repository})"
        return match.group("text")

    return LINK.sub(replace, markdown)
