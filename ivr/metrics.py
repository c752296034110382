"""Counters shared by every process and machine (kept in Redis), exposed for Prometheus."""
from __future__ import annotations

METRICS_KEY = "nohold:{metrics}"


class Metrics:
    def __init__(self, redis):
        self.redis = redis

    @staticmethod
    def field(name: str, **labels: str) -> str:
        """The hash field for a counter and its labels (also what a script increments)."""
        return name + "".join(f"|{k}={v}" for k, v in sorted(labels.items()))

    def incr(self, name: str, amount: int = 1, **labels: str) -> None:
        self.redis.hincrby(METRICS_KEY, self.field(name, **labels), amount)

    def counters(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.redis.hgetall(METRICS_KEY).items()}

    def render(self, gauges: dict[str, float]) -> str:
        """Prometheus text exposition: counters as nohold_<name>_total, then gauges."""
        lines, seen = [], set()
        for field, value in sorted(self.counters().items()):
            name, *pairs = field.split("|")
            metric = f"nohold_{name}_total"
            if metric not in seen:
                lines.append(f"# TYPE {metric} counter")
                seen.add(metric)
            labels = ",".join(f'{k}="{v}"' for k, v in (p.split("=", 1) for p in pairs))
            lines.append(f"{metric}{{{labels}}} {value}" if labels else f"{metric} {value}")
        for name, value in sorted(gauges.items()):
            lines.append(f"# TYPE nohold_{name} gauge")
            lines.append(f"nohold_{name} {value}")
        return "\n".join(lines) + "\n"
