"""medcrawl: Scrapy spiders for Chinese medical Q&A pages, written as clean JSON Lines."""

__version__ = "0.1.0"
