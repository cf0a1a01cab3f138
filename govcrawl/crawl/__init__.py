"""The crawl: Scrapy settings, the spider, its middlewares and downloader, runs under cron."""
