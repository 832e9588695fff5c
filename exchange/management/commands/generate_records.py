from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from disclosure.generator import generate_records
from disclosure.models import DisclosureRecord
from search import index_records

INDEX_BATCH = 5000


class Command(BaseCommand):
    help = "生成 N 条仿真公开信息,用于演示和性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="不更新全文检索索引(之后可运行 rebuild_search_index)。",
        )

    def handle(self, *args, count: int, seed: int, batch_size: int, no_index: bool, **options):
        if count < 0:
            raise CommandError("--count 不能为负数。")
        first_new = (DisclosureRecord.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        step = max(count // 10, batch_size)

        def progress(done: int) -> None:
            if done % step < batch_size or done == count:
                self.stdout.write(f"  已生成 {done}/{count}")

        try:
            made = generate_records(
                count=count, seed=seed, batch_size=batch_size, progress=progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"共生成 {made} 条公开信息。"))
        if no_index:
            self.stdout.write(
                "未更新检索索引:运行 python manage.py rebuild_search_index 后可检索。"
            )
            return
        new_ids = DisclosureRecord.objects.filter(pk__gte=first_new).values_list("pk", flat=True)
        batch: list[int] = []
        for pk in new_ids.iterator(chunk_size=INDEX_BATCH):
            batch.append(pk)
            if len(batch) == INDEX_BATCH:
                index_records(batch)
                batch = []
        index_records(batch)
        self.stdout.write("检索索引已更新。")
