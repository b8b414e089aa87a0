"""DynamoDB stream event sources for the local stack: polls moto's stream and calls the consumer
handler in-process with Lambda's batch shape, applying the template's FilterCriteria."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local.lambdas import FakeLambdaContext, Handler, Poller
from local.template import resources


def matches(pattern: Any, data: Any) -> bool:
    """The subset of EventBridge-style patterns Lambda filters use here: nested keys, value lists."""
    if isinstance(pattern, dict):
        return isinstance(data, dict) and all(k in data and matches(v, data[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        return data in pattern
    return bool(pattern == data)


@dataclass(frozen=True)
class StreamSource:
    function: str  # logical id
    table: str  # logical id
    patterns: list[dict[str, Any]]
    batch_size: int


def stream_sources(template: dict[str, Any]) -> list[StreamSource]:
    out = []
    for logical_id, fn in resources(template, "AWS::Serverless::Function").items():
        for event in fn["Properties"].get("Events", {}).values():
            if event["Type"] != "DynamoDB":
                continue
            props = event["Properties"]
            filters = props.get("FilterCriteria", {}).get("Filters", [])
            out.append(
                StreamSource(
                    function=logical_id,
                    table=props["Stream"]["Fn::GetAtt"][0],
                    patterns=[json.loads(f["Pattern"]) for f in filters],
                    batch_size=int(props.get("BatchSize", 100)),
                )
            )
    return out


class StreamPoller(Poller):
    name = "stream"

    def __init__(self, streams: Any, stream_arn: str, handler: Handler, source: StreamSource) -> None:
        super().__init__(source.function)
        self.streams, self.stream_arn, self.handler, self.source = streams, stream_arn, handler, source
        self.iterators: dict[str, str] = {}

    def poll_once(self) -> int:
        """Reads every shard once and delivers what passes the filters; returns how many it sent."""
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self.iterators:
                self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        sent = 0
        for shard_id, iterator in list(self.iterators.items()):
            resp = self.streams.get_records(ShardIterator=iterator, Limit=self.source.batch_size)
            self.iterators[shard_id] = resp.get("NextShardIterator") or iterator
            records = [
                r
                for r in resp.get("Records", [])
                if not self.source.patterns or any(matches(p, r) for p in self.source.patterns)
            ]
            if records:
                self.handler({"Records": records}, FakeLambdaContext(function_name=self.source.function))
                sent += len(records)
        return sent
