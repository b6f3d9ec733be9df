"""A JOBDIR's saved request queue is checked before a job resumes (`medcrawl.crawl.jobqueue`):
queues queuelib closed are whole; the ones a kill leaves — cut, empty, or with a stale count —
are named, so `scrapy crawl` refuses them instead of failing (`struct.error: unpack requires a
buffer of 4 bytes`) or skipping pages."""

from __future__ import annotations

from queuelib.queue import FifoDiskQueue, LifoDiskQueue

from medcrawl.crawl.jobqueue import damaged_queue, has_state


def queue_dir(tmp_path):
    folder = tmp_path / "requests.queue" / "ask.39.net-0123"
    folder.mkdir(parents=True)
    (tmp_path / "requests.queue" / "active.json").write_text('{"ask.39.net": [0]}')
    return folder


def test_queues_closed_by_queuelib_are_whole(tmp_path):
    folder = queue_dir(tmp_path)
    lifo = LifoDiskQueue(folder / "0")
    fifo = FifoDiskQueue(folder / "0s")
    for n in range(5):
        lifo.push(b"request %d" % n)
        fifo.push(b"start %d" % n)
    lifo.pop()
    fifo.pop()
    lifo.close()
    fifo.close()
    assert damaged_queue(tmp_path) is None
    assert has_state(tmp_path)
    assert damaged_queue(tmp_path / "no-such-job") is None


def test_a_queue_left_by_a_kill_is_named(tmp_path):
    folder = queue_dir(tmp_path)
    lifo = LifoDiskQueue(folder / "0")
    for n in range(3):
        lifo.push(b"request %d" % n)
    lifo.f.flush()  # killed: written, but the count (written on close) still says 0
    assert damaged_queue(tmp_path) == (
        "requests.queue/ask.39.net-0123/0: holds 3 requests but says 0 (not closed)"
    )
    data = (folder / "0").read_bytes()
    (folder / "0").write_bytes(data[:-5])  # cut mid-write
    assert damaged_queue(tmp_path).endswith("its records do not add up (cut mid-write)")
    (folder / "0").write_bytes(b"")  # created, nothing flushed: Scrapy's struct.error
    assert damaged_queue(tmp_path).endswith("0 bytes, shorter than its header")


def test_a_cut_start_queue_or_state_file_is_named(tmp_path):
    folder = queue_dir(tmp_path)
    fifo = FifoDiskQueue(folder / "0s")
    fifo.push(b"start 1")
    fifo.close()
    chunk = folder / "0s" / "q00000"
    chunk.write_bytes(chunk.read_bytes()[:-2])
    assert damaged_queue(tmp_path) == (
        "requests.queue/ask.39.net-0123/0s/q00000: its records do not add up (cut mid-write)"
    )
    chunk.unlink()
    (tmp_path / "requests.queue" / "active.json").write_text('{"ask.39')
    assert damaged_queue(tmp_path) == "requests.queue/active.json is not readable JSON"
