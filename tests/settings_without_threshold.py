"""medcrawl's settings without SPIDERMON_MAX_DOWNLOADER_EXCEPTIONS: spidermon's trap, where
the close suite raises NotConfigured part-way and the checks after it never run."""

from medcrawl.settings import *  # noqa: F403

del SPIDERMON_MAX_DOWNLOADER_EXCEPTIONS  # noqa: F821
