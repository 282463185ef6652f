"""flake8-torch2ms: catch the mistakes of code ported from PyTorch to MindSpore (gradient clipping,
and MindSpore APIs that keep torch's names but not their meaning)."""

__version__ = "0.1.0"
# The project's home, defined once: setup.py's url, project_urls and absolute README links,
# SARIF's informationUri, mkdocs.yml's repo_url (a test checks it) and help texts point here.
PROJECT_URL = "https://github.com/flake8-torch2ms/flake8-torch2ms"
DOCS_URL = f"{PROJECT_URL}/blob/main/docs"
