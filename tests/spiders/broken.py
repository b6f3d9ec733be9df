"""ask39 plus one deliberately broken answer per question page: a null id and a position of
the wrong type. It must end up in rejects.jsonl with both errors, never in answers.jsonl."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import Response

from medcrawl.contract.items import Answer
from medcrawl.sites.ask39.spider import Ask39Spider


class BrokenAsk39Spider(Ask39Spider):
    name = "ask39_broken"

    def parse_question(self, response: Response) -> Iterator[object]:
        yield from super().parse_question(response)
        yield Answer(id=None, question_id="ask39:91201364", position="first", text="坏的")
