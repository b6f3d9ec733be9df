"""Only for `scrapyd-deploy`, which builds its egg with `python setup.py bdist_egg`; the
package is described in pyproject.toml."""

from setuptools import setup

setup()
