"""Scrapy settings for govcrawl: polite by default.

Own settings are prefixed GOVCRAWL_.  `govcrawl crawl` points SCRAPY_SETTINGS_MODULE
here, so crawls work from any directory.
"""

BOT_NAME = "govcrawl"
SPIDER_MODULES = ["govcrawl.crawl.spiders"]
NEWSPIDER_MODULE = "govcrawl.crawl.spiders"

# --- politeness ----------------------------------------------------------------------------
USER_AGENT = "govcrawl/0.1 (+https://github.com/govcrawl/govcrawl; open archive of annual reports)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOADER = "govcrawl.crawl.downloader.Downloader"  # holds each portal to the limit above
# Hand the downloader requests of the portals that are least busy: with hundreds of portals
# each held to two requests, a plain queue would queue up one portal's reports while
# others sit idle (Scrapy's advice for broad crawls).
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# --- robustness ----------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# --- pipelines: normalise → extract → dedupe → store ----------------------------------------
ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.extract.ExtractPipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.ArchivePipeline": 400,
}
DOWNLOADER_MIDDLEWARES = {
    "govcrawl.crawl.middlewares.ProxyMiddleware": 740,  # before Scrapy's HttpProxyMiddleware (750)
    # Scrapy's redirect middlewares, except that every deleted page is recorded
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "govcrawl.crawl.middlewares.RedirectMiddleware": 600,
    "govcrawl.crawl.middlewares.MetaRefreshMiddleware": 580,
    # after Scrapy's RetryMiddleware (550) in responses: a pause asked for is honoured first
    "govcrawl.crawl.middlewares.RetryAfterMiddleware": 560,
}

# --- govcrawl's own ---------------------------------------------------------------------------
GOVCRAWL_DB = "data/archive.db"   # the archive the pipelines write
GOVCRAWL_RUN_ID = 0               # set by `govcrawl crawl`
GOVCRAWL_PROXY = ""               # e.g. the demo server: http://127.0.0.1:8710
GOVCRAWL_EXTRACT_WORKERS = None   # extraction processes; None: the cores less one; 0: in a thread

# --- limits: each, when reached, is recorded and leaves its portal incomplete ----------------------
# (a portal's own in the registry: overrides max_listing_pages, max_requests, max_links)
GOVCRAWL_MAX_LISTING_PAGES = 500          # listing pages reached from one listing URL (a 下一页 chain)
GOVCRAWL_MAX_REQUESTS_PER_PORTAL = 20000  # requests to one portal in one run
GOVCRAWL_MAX_LINKS_PER_LISTING = 2000     # report links followed from one listing page
GOVCRAWL_RETRY_AFTER_MAX = 300            # seconds of a Retry-After waited for; longer: an error

# A progress line on a terminal (`govcrawl crawl` turns it on unless --quiet; never in cron).
GOVCRAWL_PROGRESS = False
EXTENSIONS = {"govcrawl.crawl.progress.TerminalProgress": 500}
