"""监测预警演示：按各设备上报周期向 MQTT 发布带签名的模拟读数（偶有超限与离线）。"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhiben.monitoring import mqtt, simulator


class Command(BaseCommand):
    help = "监测预警演示：按各设备上报周期向 MQTT 发布带签名的模拟读数（偶有超限与离线）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=None, help="MQTT 地址（默认 ZHIBEN_MQTT_URL 或 mqtt://127.0.0.1:1883）"
        )
        parser.add_argument("--speed", type=float, default=1.0, help="加速倍数（上报周期除以它）")
        parser.add_argument("--duration", type=float, default=None, help="运行秒数（默认一直运行）")
        parser.add_argument("--excursions", type=float, default=0.002, help="每次上报开始一次超限的概率")
        parser.add_argument("--outages", type=float, default=0.0005, help="每次上报开始一次离线的概率")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        broker = mqtt.broker(opts["url"])
        if not mqtt.answers(broker):
            raise CommandError(f"MQTT 服务器 {broker} 无应答。")
        self.stdout.write(f"模拟监测设备：向 {broker} 发布读数（Ctrl-C 停止）。")
        sent = simulator.run(
            broker,
            speed=opts["speed"],
            duration=opts["duration"],
            excursion_rate=opts["excursions"],
            outage_rate=opts["outages"],
            seed=opts["seed"],
        )
        self.stdout.write(f"已发布 {sent} 条读数。")
