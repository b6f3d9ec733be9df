"""Scrapy commands of the project (settings.COMMANDS_MODULE); a command here replaces Scrapy's
command of the same name."""
