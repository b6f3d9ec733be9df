"""Scrapy settings for medcrawl. Only values that differ from Scrapy's defaults, each with why.

https://docs.scrapy.org/en/latest/topics/settings.html
"""

from medcrawl import __version__
from medcrawl.items import OUTPUT_FILES

BOT_NAME = "medcrawl"
SPIDER_MODULES = ["medcrawl.spiders"]
NEWSPIDER_MODULE = "medcrawl.spiders"
ADDONS = {}

# Identify ourselves honestly, with a way to reach the maintainers.
USER_AGENT = f"medcrawl/{__version__} (+https://github.com/medcrawl/medcrawl)"

# Politeness for the live site (turned off by `-a replay=…`, which never touches the network).
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Safe by default: no telnet console, no remote-control server (on by default since 2.19).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # Answers requests from a WARC archive when MEDCRAWL_REPLAY is set (where httpcache sits).
    "medcrawl.middlewares.ReplayMiddleware": 900,
    # After decompression (590): fixes the encoding of CJK pages that do not declare one.
    "medcrawl.middlewares.EncodingFallbackMiddleware": 580,
    # Archives to WARC when MEDCRAWL_WARC is set. Closest to the downloader (above httpcache
    # and replay at 900), so it sees bodies before decompression (590), redirects before they
    # are followed (600) and requests with every header added by the others (cookies 700 …).
    "medcrawl.archive.ArchiveMiddleware": 950,
}

ITEM_PIPELINES = {
    "medcrawl.pipelines.DedupePipeline": 300,
}

# One JSON Lines file per item kind in output/<spider>/<run id>/, real UTF-8 Chinese.
FEED_EXPORT_ENCODING = "utf-8"
FEEDS = {
    f"%(run_dir)s/{stem}.jsonl": {
        "format": "jsonlines",
        "item_classes": [item_class],
        "overwrite": True,
    }
    for item_class, stem in OUTPUT_FILES.items()
}

# --- medcrawl's own settings ---------------------------------------------------------------
# Root folder of run output; each run writes to <root>/<spider>/<run id>/.
MEDCRAWL_OUTPUT_DIR = "output"
# A WARC file or a folder of them to answer requests from (also `-a replay=PATH`).
MEDCRAWL_REPLAY = ""
# Encoding for CJK pages that declare none and are not valid UTF-8 (gb18030 ⊇ GBK ⊇ GB2312).
MEDCRAWL_FALLBACK_ENCODING = "gb18030"
# A folder to archive every fetched response (and its request) to, as gzipped WARC files.
MEDCRAWL_WARC = ""
# Start a new WARC file once one reaches this size (1 GB, the size the WARC standard suggests).
MEDCRAWL_WARC_MAX_BYTES = 1_000_000_000
# Archive responses replayed from an archive too (off: they are already archived).
MEDCRAWL_WARC_REPLAYED = False
