"""监测预警：订阅 MQTT 读数（QoS 1，持久会话），校验签名与序号，判定阈值并批量入库。"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhiben.monitoring import mqtt
from zhiben.monitoring.consumer import Consumer, install_signals


class Command(BaseCommand):
    help = "监测预警：订阅 MQTT 读数（QoS 1，持久会话），校验签名与序号，判定阈值并批量入库。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=None, help="MQTT 地址（默认 ZHIBEN_MQTT_URL 或 mqtt://127.0.0.1:1883）"
        )
        parser.add_argument("--client-id", default=mqtt.CLIENT_ID, help="客户端标识（持久会话按它保存）")
        parser.add_argument("--batch", type=int, default=5000, help="每批最多条数")
        parser.add_argument("--interval", type=float, default=0.1, help="攒批最长秒数")
        parser.add_argument("--idle-exit", type=float, default=None, help="无消息多少秒后退出（测试用）")
        parser.add_argument("--max-messages", type=int, default=None, help="处理多少条后退出（测试用）")

    def handle(self, *args: Any, **opts: Any) -> None:
        broker = mqtt.broker(opts["url"])
        if not mqtt.answers(broker):
            raise CommandError(f"MQTT 服务器 {broker} 无应答。")
        consumer = Consumer(
            broker, client_id=opts["client_id"], batch=opts["batch"], interval=opts["interval"]
        )
        install_signals(consumer)

        def ready() -> None:
            self.stdout.write(
                f"监测数据接入：已连接 {broker}，已订阅 {mqtt.TOPIC_FILTER}（QoS 1，持久会话）。"
            )
            self.stdout.flush()

        consumer.run(idle_exit=opts["idle_exit"], max_messages=opts["max_messages"], on_ready=ready)
        self.stdout.write(f"监测数据接入已停止：入库 {consumer.stored} 条，拒收 {consumer.refused} 条。")
