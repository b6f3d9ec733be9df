"""Scrapy settings for medcrawl. Only values that differ from Scrapy's defaults, each with why.

https://docs.scrapy.org/en/latest/topics/settings.html
"""

from medcrawl import __version__
from medcrawl.contract.items import OUTPUT_FILES

BOT_NAME = "medcrawl"
SPIDER_MODULES = ["medcrawl.sites"]
NEWSPIDER_MODULE = "medcrawl.sites"
# Cluster mode (medcrawl/cluster/): on with MEDCRAWL_CLUSTER or REDIS_URL, off otherwise.
ADDONS = {"medcrawl.cluster.ClusterAddon": 0}

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
# Retries: a few more than Scrapy's 2, each after a pause (crawl.retry.BackoffRetryMiddleware:
# Retry-After on 429/503, else exponential backoff); give up on a hung page after 30 s, not 180.
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 30
# A body shorter than its Content-Length is an error (Scrapy's default, kept on purpose): the
# page is retried, never parsed half.
DOWNLOAD_FAIL_ON_DATALOSS = True
# The spider hands challenge and empty pages to BackoffRetryMiddleware.retry, whose request
# carries `retry_times` on purpose: no "copied from response.meta" warning for it.
META_COPY_WARN_SKIP_KEYS = ["retry_times"]

# INFO, not Scrapy's DEBUG: DEBUG writes every scraped item into the log — a second copy of
# the dataset in every cron log, and formatting it costs time per item. `-s LOG_LEVEL=DEBUG`
# to see each request and item.
LOG_LEVEL = "INFO"
# Scrapy's log formatter, but the DEBUG line of each page and item is not made when no handler
# writes it (Scrapy enables every level on the root logger and filters in its handler).
LOG_FORMATTER = "medcrawl.logs.QuietLogFormatter"

# Safe by default: no telnet console, no remote-control server (on by default since 2.19).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's RetryMiddleware (550), replaced by one that waits before a retry and names why.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "medcrawl.crawl.retry.BackoffRetryMiddleware": 550,
    # Scrapy's RedirectMiddleware (600), replaced by one that loses no page to the dupefilter: a
    # redirect to the bot check is a challenge, one to another form of the page is fetched as is.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "medcrawl.crawl.redirect.SiteRedirectMiddleware": 600,
    # First of all (before robots.txt at 100): redirect targets in canonical form, fetched once.
    "medcrawl.crawl.canonical.CanonicalUrlMiddleware": 50,
    # Answers requests from a WARC archive when MEDCRAWL_REPLAY is set (where httpcache sits).
    "medcrawl.archive.replay.ReplayMiddleware": 900,
    # After decompression (590): fixes the encoding of CJK pages that do not declare one.
    "medcrawl.crawl.encoding.EncodingFallbackMiddleware": 580,
    # Archives to WARC when MEDCRAWL_WARC is set. Closest to the downloader (above httpcache
    # and replay at 900), so it sees bodies before decompression (590), redirects before they
    # are followed (600) and requests with every header added by the others (cookies 700 …).
    "medcrawl.archive.writer.ArchiveMiddleware": 950,
}

EXTENSIONS = {
    # A progress line with items by kind, skips and retries by reason, and the queue; it
    # replaces LogStats (pages and items per minute only). Interval: LOGSTATS_INTERVAL.
    "scrapy.extensions.logstats.LogStats": None,
    "medcrawl.crawl.progress.ProgressLog": 0,
    # Slows down, then stops, when bot challenges pile up (MEDCRAWL_CHALLENGE_*).
    "medcrawl.crawl.challenge.ChallengeGuard": 0,
    # Keeps the garbage collector off the objects loaded before the crawl (a fifth of its CPU).
    "medcrawl.crawl.heap.FrozenStartup": 0,
    # Counts written records and their non-empty fields: the coverage the checks read.
    "medcrawl.contract.coverage.FieldCoverage": 100,
    # Runs the run checks (SPIDERMON_SPIDER_CLOSE_MONITORS) when the spider closes.
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    # Writes manifest.json once the feeds are stored; after Spidermon, to record its verdict.
    "medcrawl.contract.manifest.RunManifest": 900,
    # The last lines of the log: pages, records per file, rejects, verdict, the run folder.
    "medcrawl.crawl.summary.RunSummary": 1000,
}
# Scrapy's 100-line stats dump would bury the summary: RunSummary logs the stats at DEBUG, and
# manifest.json holds them.
STATS_DUMP = False

# Every item is checked against its JSON Schema (medcrawl/schemas/) before anything is written;
# an invalid one becomes a line in rejects.jsonl with all its errors. Spider side (950), so it
# sees what the spider yielded and the page it came from.
SPIDER_MIDDLEWARES = {
    # Closest to the spider (990): a page over MEDCRAWL_MAX_PAGE_BYTES is a `too_large` reject
    # before it is parsed, a callback that raises a `parse_error` reject — never a page lost to
    # a "Spider error processing" log line.
    "medcrawl.crawl.faults.PageFaultsMiddleware": 990,
    "medcrawl.contract.validation.ValidationMiddleware": 950,
    # Incremental runs only (-a incremental=1): skips questions fetched lately, writes a page
    # only when its content changed. Engine side (100): sees the requests and items that leave.
    "medcrawl.incremental.tracker.IncrementalMiddleware": 100,
    # Each doctor, drug, disease and question once per run: repeats (two in three items) are
    # dropped here, not after the engine took them through the pipelines. After incremental,
    # which hashes a page whole.
    "medcrawl.contract.dedupe.DedupeMiddleware": 75,
    # A page's records reach the files together, flushed once the page is through the
    # pipelines: a killed run's files hold whole pages. Last on the way out (50).
    "medcrawl.contract.commit.PageCommitMiddleware": 50,
}

# `scrapy crawl` from medcrawl.cli.commands: exits 3 when the run fails its checks (Scrapy's own
# exits 0 even then).
COMMANDS_MODULE = "medcrawl.cli.commands"

# Run checks (medcrawl/monitors.py), thresholds below under MEDCRAWL_*.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["medcrawl.contract.monitors.RunChecks"]
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
# Must be set: without it spidermon 1.27 raises NotConfigured mid-suite and the checks after it
# never run. Counts every exception, retried ones too; the error rate is the finer check.
SPIDERMON_MAX_DOWNLOADER_EXCEPTIONS = 100

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
# Scrapy's JSON Lines exporter, reading our dataclass items' fields directly (the same bytes).
FEED_EXPORTERS = {"jsonlines": "medcrawl.contract.jsonlines.JsonLinesExporter"}
# Local feeds are written as <name>.jsonl.part and renamed when the run closes: never half a file.
FEED_STORAGES = {
    "": "medcrawl.contract.feeds.AtomicFileFeedStorage",
    "file": "medcrawl.contract.feeds.AtomicFileFeedStorage",
}

# --- medcrawl's own settings ---------------------------------------------------------------
# Root folder of run output; each run writes to <root>/<spider>/<run id>/.
MEDCRAWL_OUTPUT_DIR = "output"
# A WARC file or a folder of them to answer requests from (also `-a replay=PATH`).
MEDCRAWL_REPLAY = ""
# Pages larger than this (bytes, after decompression) are not parsed: a `too_large` reject.
# Real question pages are 10–100 KB; parsing a 20 MB page would hold the crawl for a minute.
MEDCRAWL_MAX_PAGE_BYTES = 5_000_000
# Encoding for CJK pages that declare none and are not valid UTF-8 (gb18030 ⊇ GBK ⊇ GB2312).
MEDCRAWL_FALLBACK_ENCODING = "gb18030"
# A folder to archive every fetched response (and its request) to, as gzipped WARC files.
MEDCRAWL_WARC = ""
# Start a new WARC file once one reaches this size (1 GB, the size the WARC standard suggests).
MEDCRAWL_WARC_MAX_BYTES = 1_000_000_000
# Archive responses replayed from an archive too (off: they are already archived).
MEDCRAWL_WARC_REPLAYED = False
# Waiting before a retry: at most this long when a 429/503 says Retry-After (seconds) …
MEDCRAWL_RETRY_AFTER_MAX = 600
# … otherwise base × 2^(n-1) before retry n, at most MEDCRAWL_RETRY_BACKOFF_MAX (0: retry at once).
MEDCRAWL_RETRY_BACKOFF = 5.0
MEDCRAWL_RETRY_BACKOFF_MAX = 120
# Bot challenges: when at least RATE of the last WINDOW responses were challenges, raise the
# download delay (to DELAY, then doubling, at most AUTOTHROTTLE_MAX_DELAY); after LIMIT
# challenges in a run, stop with finish reason `challenged` (0: never stop).
MEDCRAWL_CHALLENGE_WINDOW = 50
MEDCRAWL_CHALLENGE_RATE = 0.1
MEDCRAWL_CHALLENGE_DELAY = 10.0
MEDCRAWL_CHALLENGE_LIMIT = 30
# Run checks: fewest items a run must write (all files but rejects).
MEDCRAWL_MIN_ITEMS = 1
# Run checks: least share of records with the field non-empty, per `<file>.<field>`. A layout
# change that breaks a selector shows here first.
MEDCRAWL_COVERAGE_THRESHOLDS = {
    "questions.category_path": 0.9,
    "answers.text": 0.98,
    "answers.doctor_id": 0.9,
    "answers.answered_at": 0.9,
    "doctors.title_rank": 0.9,
}
# Run checks: least share of answers that have a numbered cause list.
MEDCRAWL_MIN_ANSWERS_WITH_CAUSES = 0.25
# Run checks: most share of pages that failed (any skip reason but `removed`/`challenge`, and
# callback exceptions), that were bot challenges, and of items that failed their schema.
MEDCRAWL_MAX_ERROR_RATE = 0.05
MEDCRAWL_MAX_CHALLENGE_RATE = 0.05
MEDCRAWL_MAX_INVALID_RATE = 0.01
# Run checks: the page rates above are judged once a run has this many pages (fewer is noise).
MEDCRAWL_RATE_MIN_PAGES = 20
# Incremental runs (-a incremental=1, or True here): the state database, <dir>/<spider>.sqlite.
MEDCRAWL_INCREMENTAL = False
MEDCRAWL_STATE_DIR = "state"
# A question fetched less than this many days ago is not fetched again.
MEDCRAWL_REFRESH_DAYS = 7
# Fields left out of a page's content hash (globs): when the page was fetched, and the raw date
# strings, which read `3天前` one day and `5天前` two days later for the same answer.
MEDCRAWL_INCREMENTAL_IGNORE = ["crawled_at", "*_raw"]
# State checkpoints: every this many pages or seconds, whichever comes first. A kill -9 loses at
# most the pages since the last one (they are fetched again by the next run).
MEDCRAWL_STATE_BATCH = 100
MEDCRAWL_STATE_INTERVAL = 30
# Cluster mode: several workers share one Redis frontier (README "Scaling out"). On when
# MEDCRAWL_CLUSTER is true or a Redis URL is given: `-s REDIS_URL=…`, else $REDIS_URL, else this
# setting (redis://host:6379/0; MEDCRAWL_CLUSTER alone: Redis on localhost).
MEDCRAWL_CLUSTER = False
REDIS_URL = ""
# This worker's name in the cluster (default: the host name); one per worker on a host. A worker
# started again under its name takes back the requests it had in flight.
MEDCRAWL_WORKER_ID = ""
# Cluster mode: one request at a time to a host from all workers together, each sent at least
# this many seconds after the previous one's answer (each worker's own delays apply too). 1 s =
# one polite worker's pace; 0 = no shared limit.
MEDCRAWL_DOMAIN_INTERVAL = 1.0
