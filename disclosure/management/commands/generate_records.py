from django.core.management.base import BaseCommand, CommandError

from disclosure.generator import generate_records


class Command(BaseCommand):
    help = "生成 N 条仿真公开信息,用于演示和性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, count: int, seed: int, batch_size: int, **options):
        if count < 0:
            raise CommandError("--count 不能为负数。")
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
