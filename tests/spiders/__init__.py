"""Spiders that exist only for tests (`-s SPIDER_MODULES=tests.spiders`)."""
