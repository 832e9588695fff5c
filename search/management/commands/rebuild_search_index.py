import time

from django.core.management.base import BaseCommand

from search import rebuild_index


class Command(BaseCommand):
    help = "从头重建全文检索索引(仅收录已发布的公开信息)。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size: int, **options):
        started = time.monotonic()

        def progress(done: int) -> None:
            if done % (batch_size * 25) < batch_size:
                self.stdout.write(f"  已索引 {done} 条")

        done = rebuild_index(batch_size=batch_size, progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"检索索引已重建:{done} 条,用时 {seconds:.1f} 秒。"))
