"""`scrapy crawl` that refuses bad input before it starts and whose exit status tells the truth.

- Before Scrapy's startup log: the spider, its `-a` arguments, a replay archive, a JOBDIR and
  the run folder are checked (`medcrawl.cli.preflight`); a mistake is one `medcrawl: …` line
  on stderr and exit `USAGE` (2).
- After the run: Scrapy's own `crawl` exits 0 whenever the crawl could start. This one exits
  `CHECKS_FAILED` (3) when the run could not write its output
  (`medcrawl.contract.output`), or its checks (`medcrawl.contract.monitors.RunChecks`)
  failed or never reached a verdict — so cron, systemd or CI see a failed run as failed.
- `scrapy crawl -h` lists every spider's arguments, from their declarations.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from medcrawl.cli.preflight import OperatorError, check_crawl
from medcrawl.contract.monitors import verdict_problem
from medcrawl.contract.output import output_problem
from medcrawl.scrapy_internals import bootstrap_failed, command_crawler
from medcrawl.sites.arguments import usage

__all__ = ["CHECKS_FAILED", "USAGE", "Command", "verdict_problem"]

#: Exit status of an operator's mistake found before the crawl starts.
USAGE = 2
#: Exit status of a run that finished but failed (1 stays Scrapy's "could not start").
CHECKS_FAILED = 3


class HelpFormatter(ScrapyHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Scrapy's help layout, with the spider arguments' lines kept as written."""


def spider_arguments_help(settings: BaseSettings) -> str | None:
    """Every spider's `-a` arguments, from their declarations: the ones all take, then each
    spider's own."""
    loader = get_spider_loader(settings)
    declared = {
        name: getattr(loader.load(name), "declared_arguments", None) for name in loader.list()
    }
    declared = {name: args for name, args in declared.items() if args}
    if not declared:
        return None
    shared = [a for a in next(iter(declared.values())) if all(a in d for d in declared.values())]
    lines = ["Spider arguments (-a NAME=VALUE), checked before the crawl starts:", usage(shared)]
    for name, args in sorted(declared.items()):
        own = [a for a in args if a not in shared]
        if own:
            lines += [f"{name} also takes:", usage(own)]
    return "\n".join(lines)


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; exit 2 on bad input, 3 when the run fails"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter
        parser.epilog = spider_arguments_help(self.settings) if self.settings else None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            check_crawl(self.settings, args, opts.spargs)
        except OperatorError as mistake:
            print(f"medcrawl: {mistake}", file=sys.stderr)
            sys.exit(USAGE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = command_crawler(self, args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if bootstrap_failed(self.crawler_process):
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        problem = output_problem(stats) or verdict_problem(crawler.settings, stats)
        if problem:
            print(f"medcrawl: {problem}", file=sys.stderr)
            self.exitcode = CHECKS_FAILED
