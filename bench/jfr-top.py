#!/usr/bin/env python3
"""Where a JFR recording's CPU samples go: the top methods, and the samples grouped by what the top
frame belongs to (TLS and crypto, database, JSON, logging, ...). For bench/onboarding-bench.sh --jfr.
    bench/jfr-top.py RECORDING.jfr [top N]"""
import collections, json, subprocess, sys

GROUPS = [  # first match wins, on the top frame's class name
    ("Argon2id (password and challenge hashes)", ("org.bouncycastle.crypto.generators.Argon2",
                                                  "org.bouncycastle.crypto.digests.Blake2b")),
    ("SHA-2 hashing (JDK)", ("sun.security.provider.SHA", "sun.security.provider.DigestBase")),
    ("EC / signature crypto (JDK SunEC)", ("sun.security.ec", "sun.security.util.math")),
    ("crypto (Bouncy Castle)", ("org.bouncycastle",)),
    ("TLS engine (BoringSSL via netty-tcnative)", ("io.netty.internal.tcnative", "io.netty.handler.ssl.ReferenceCountedOpenSsl")),
    ("TLS (JDK, netty ssl)", ("sun.security.ssl", "io.netty.handler.ssl", "javax.net.ssl", "sun.security")),
    ("SQLite", ("org.sqlite",)),
    ("PostgreSQL client", ("io.vertx.pgclient", "io.vertx.sqlclient")),
    ("JSON", ("io.vertx.core.json", "com.fasterxml.jackson")),
    ("logging", ("ch.qos.logback", "org.slf4j")),
    ("MQTT codec and broker", ("io.netty.handler.codec.mqtt", "io.vertx.mqtt", "io.zto.broker")),
    ("zto (other)", ("io.zto",)),
    ("Netty / Vert.x I/O", ("io.netty", "io.vertx")),
    ("JDK (other)", ("java.", "jdk.", "sun.")),
]


def group(frame_class):
    for name, prefixes in GROUPS:
        if frame_class.startswith(prefixes):
            return name
    return "other"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "1", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    methods, groups = collections.Counter(), collections.Counter()
    for event in events:
        frames = event["values"]["stackTrace"]["frames"]
        if not frames:
            continue
        method = frames[0]["method"]
        cls = method["type"]["name"].replace("/", ".")
        methods[cls + "." + method["name"]] += 1
        groups[group(cls)] += 1
    total = sum(groups.values()) or 1
    print(f"{total} CPU samples in {path}")
    print("by what the running code belongs to:")
    for name, count in groups.most_common():
        print(f"  {100.0 * count / total:5.1f} %  {name}")
    print(f"top {top} methods:")
    for name, count in methods.most_common(top):
        print(f"  {100.0 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
