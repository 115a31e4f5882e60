#!/usr/bin/python3
"""MQTT 3.1.1 load generator for bench/broker-bench.sh (not part of the build or the tests).

Raw MQTT over asyncio (TLS by the ssl module, i.e. OpenSSL): the client side costs little CPU per
handshake or message, so on a 2-core box most of the CPU is left to the broker under test.
Every command is bounded in count and in time and talks to 127.0.0.1 only.

  certs      --dir D --devices N                 a bench CA, a server certificate, N device certificates
  connect    --port P --ca F --certs D ...       mutual-TLS CONNECT/CONNACK per second, fresh connection each
  idle       --port P --server-pid PID ...       RSS of the server before/after N idle sessions
  throughput --port P --pubs N --subs S ...      publish throughput (plain TCP), fan-in or fan-out

Results are one JSON object on the last line of stdout; progress goes to stderr.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import ssl
import struct
import sys
import time

HOST = "127.0.0.1"


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- MQTT 3.1.1 encoding

def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def utf8(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def connect_packet(client_id, username=None, password=None, keepalive=60, clean=True):
    flags = (0x02 if clean else 0) | (0x80 if username is not None else 0) | (0x40 if password is not None else 0)
    body = utf8("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive) + utf8(client_id)
    if username is not None:
        body += utf8(username)
    if password is not None:
        body += utf8(password)
    return bytes([0x10]) + varint(len(body)) + body


def publish_packet(topic, payload, qos=0, pid=0):
    body = utf8(topic) + (struct.pack("!H", pid) if qos else b"") + payload
    return bytes([0x30 | (qos << 1)]) + varint(len(body)) + body


def subscribe_packet(pid, topic, qos):
    body = struct.pack("!H", pid) + utf8(topic) + bytes([qos])
    return bytes([0x82]) + varint(len(body)) + body


DISCONNECT = b"\xe0\x00"


def parse(buf):
    """Complete packets at the start of buf: yields (first byte, body start, body end); returns via .consumed."""
    i, n, out = 0, len(buf), []
    while i + 2 <= n:
        mult, length, j = 1, 0, i + 1
        while True:
            if j >= n:
                return out, i
            b = buf[j]
            length += (b & 0x7F) * mult
            mult *= 128
            j += 1
            if not b & 0x80:
                break
        if j + length > n:
            break
        out.append((buf[i], j, j + length))
        i = j + length
    return out, i


async def read_packet(reader, timeout):
    head = await asyncio.wait_for(reader.readexactly(2), timeout)
    length, mult, b = head[1] & 0x7F, 128, head[1]
    while b & 0x80:
        b = (await asyncio.wait_for(reader.readexactly(1), timeout))[0]
        length += (b & 0x7F) * mult
        mult *= 128
    body = await asyncio.wait_for(reader.readexactly(length), timeout) if length else b""
    return head[0], body


async def mqtt_connect(port, client_id, ssl_ctx=None, username=None, password=None, keepalive=60, timeout=30):
    """Opens a connection and completes CONNECT/CONNACK; returns (reader, writer) or raises."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        HOST, port, ssl=ssl_ctx, server_hostname="localhost" if ssl_ctx else None), timeout)
    writer.write(connect_packet(client_id, username, password, keepalive))
    first, body = await read_packet(reader, timeout)
    if first != 0x20 or len(body) < 2 or body[1] != 0:
        writer.close()
        raise RuntimeError("CONNACK refused: return code %s" % (body[1] if len(body) > 1 else "?"))
    return reader, writer


def tls_context(ca, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    return ctx


def device_id(i):
    return "bench-dev-%05d" % i


# ---------------------------------------------------------------- certs

def cmd_certs(a):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
    import datetime
    import ipaddress

    os.makedirs(os.path.join(a.dir, "dev"), exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    until = now + datetime.timedelta(days=30)

    def pem_key(k):
        return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())

    def write(path, data):
        with open(path, "wb") as f:
            f.write(data)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "zto bench"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "zto bench LDevID CA")])
    ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(until)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    write(os.path.join(a.dir, "ca.pem"), ca.public_bytes(serialization.Encoding.PEM))
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)

    def leaf(cn, server, path):
        key = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
             .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now).not_valid_after(until)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                                   else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
             .add_extension(aki, critical=False))
        if server:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                             x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        cert = b.sign(ca_key, hashes.SHA256())
        write(path + ".pem", cert.public_bytes(serialization.Encoding.PEM))
        write(path + ".key", pem_key(key))

    leaf("localhost", True, os.path.join(a.dir, "server"))
    t0 = time.time()
    for i in range(a.devices):
        leaf(device_id(i), False, os.path.join(a.dir, "dev", device_id(i)))
        if (i + 1) % 2000 == 0:
            log("  certificates: %d/%d" % (i + 1, a.devices))
    print(json.dumps({"devices": a.devices, "seconds": round(time.time() - t0, 1)}))


# ---------------------------------------------------------------- connect

async def connect_slice(a, ids, go):
    """Connects ids[k] one after the other with a.inflight / a.procs in flight; waits for go() first."""
    # contexts made before the clock starts (the cost being measured is the server's, not our file reads)
    contexts = [tls_context(a.ca, os.path.join(a.certs, "dev", device_id(i) + ".pem"),
                            os.path.join(a.certs, "dev", device_id(i) + ".key")) for i in ids]
    sem = asyncio.Semaphore(max(1, a.inflight // a.procs))
    ok, failed, errors = 0, 0, {}
    await asyncio.get_running_loop().run_in_executor(None, go)
    deadline = time.monotonic() + a.time_limit
    cpu0 = time.process_time()

    async def one(k):
        nonlocal ok, failed
        async with sem:
            if time.monotonic() > deadline:
                return
            try:
                _, writer = await mqtt_connect(a.port, device_id(ids[k]), contexts[k], a.user, a.password, 60, 30)
                ok += 1
                writer.write(DISCONNECT)
                writer.close()
            except Exception as e:  # counted and reported, never retried
                failed += 1
                errors[str(e)[:120] or type(e).__name__] = errors.get(str(e)[:120] or type(e).__name__, 0) + 1

    await asyncio.gather(*(one(k) for k in range(len(ids))))
    return {"ok": ok, "failed": failed, "cpu": time.process_time() - cpu0, "end": time.monotonic(), "errors": errors}


def connect_process(a, ids, barrier, results):
    results.put(asyncio.run(connect_slice(a, ids, barrier.wait)))


def connect_run(a):
    """a.procs load-generator processes (one asyncio loop each, like one client machine each) share the
    connections; the clock runs from when all have their TLS contexts ready to when the last finishes."""
    ids = list(range(a.first, a.first + a.count))
    barrier = multiprocessing.Barrier(a.procs + 1)
    results = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=connect_process, args=(a, ids[k::a.procs], barrier, results))
             for k in range(a.procs)]
    for proc in procs:
        proc.start()
    barrier.wait()
    t0 = time.monotonic()
    server0 = cpu_seconds(a.server_pid)
    parts = [results.get() for _ in procs]
    server = cpu_seconds(a.server_pid) - server0
    elapsed = max(p["end"] for p in parts) - t0
    for proc in procs:
        proc.join()
    ok, failed, cpu = sum(p["ok"] for p in parts), sum(p["failed"] for p in parts), sum(p["cpu"] for p in parts)
    errors = {}
    for p in parts:
        for k, v in p["errors"].items():
            errors[k] = errors.get(k, 0) + v
    return {"ok": ok, "failed": failed, "seconds": round(elapsed, 2), "per_second": round(ok / elapsed, 1),
            "client_cpu_ms_per_connect": round(1000 * cpu / ok, 2) if ok else None,
            "server_cpu_ms_per_connect": round(1000 * server / ok, 2) if ok and a.server_pid else None,
            "load_generator_processes": a.procs, "errors": dict(list(errors.items())[:3])}


def cpu_seconds(pid):
    """User + system CPU of process pid (all threads) in seconds; 0 without a pid."""
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cmd_connect(a):
    print(json.dumps(connect_run(a)))


# ---------------------------------------------------------------- idle sessions

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def java_heap_kib(pid, histogram=None):
    """(live, committed) Java heap after a full GC (jcmd), in KiB; (None, None) if jcmd is not there or fails.
    With histogram, the class histogram of the live objects is written there too."""
    import re
    import subprocess
    try:
        subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
        out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, timeout=60, text=True).stdout
        m = re.search(r"total (\d+)K, used (\d+)K", out)
        if histogram:
            hist = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, timeout=120,
                                  text=True).stdout
            with open(histogram, "w") as f:
                f.write("\n".join(hist.splitlines()[:60]) + "\n")
        return (int(m.group(2)), int(m.group(1))) if m else (None, None)
    except Exception:
        return None, None


async def idle_run(a):
    sem = asyncio.Semaphore(64)
    conns, failed, errors = [], 0, {}
    deadline = time.monotonic() + a.time_limit
    heap_before, committed_before = java_heap_kib(a.server_pid) if a.java else (None, None)
    before = rss_kib(a.server_pid)

    async def one(i):
        nonlocal failed
        async with sem:
            if time.monotonic() > deadline:
                return
            try:
                ctx = None
                if a.ca:
                    ctx = tls_context(a.ca, os.path.join(a.certs, "dev", device_id(i) + ".pem"),
                                      os.path.join(a.certs, "dev", device_id(i) + ".key"))
                conns.append(await mqtt_connect(a.port, device_id(i), ctx, a.user, a.password, 0, 30))
                if len(conns) % 2000 == 0:
                    log("    idle sessions: %d" % len(conns))
            except Exception as e:
                failed += 1
                errors[str(e)[:120] or type(e).__name__] = 1

    t0 = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(a.sessions)))
    opened = time.monotonic() - t0
    await asyncio.sleep(a.settle)
    after = rss_kib(a.server_pid)
    heap_after, committed_after = java_heap_kib(a.server_pid, a.histogram) if a.java else (None, None)
    rss_gc = rss_kib(a.server_pid)
    n = len(conns)
    for _, w in conns:
        w.write(DISCONNECT)
        w.close()
    await asyncio.sleep(0.5)
    return {"sessions": n, "failed": failed, "open_seconds": round(opened, 1), "rss_before_kib": before,
            "rss_after_kib": after, "kib_per_session": round((after - before) / n, 1) if n else None,
            "heap_before_kib": heap_before, "heap_after_kib": heap_after,
            "heap_kib_per_session": round((heap_after - heap_before) / n, 1) if n and heap_after and heap_before else None,
            # outside the Java heap: RSS growth minus the growth of the committed heap (both after a full GC)
            "native_kib_per_session": round(((rss_gc - before) - (committed_after - committed_before)) / n, 1)
            if n and committed_after and committed_before else None,
            "errors": dict(list(errors.items())[:3])}


def cmd_idle(a):
    print(json.dumps(asyncio.run(idle_run(a))))


# ---------------------------------------------------------------- throughput

class SubscriberProtocol(asyncio.Protocol):
    """Counts PUBLISH packets (and acknowledges QoS 1) with as little Python per packet as possible: every
    PUBLISH of a run has the same length, so whole runs of them are counted by length and checked by first
    byte; anything else goes through the generic parser."""

    def __init__(self, a, k, counts, last, subacked):
        self.a, self.k, self.counts, self.last, self.subacked = a, k, counts, last, subacked
        self.buf = bytearray()
        topic = (a.topic % 0).encode()
        self.size = len(publish_packet(a.topic % 0, b"x" * a.payload, a.qos, 1))
        self.first = 0x30 | (a.qos << 1)
        self.pid_at = 2 + 2 + len(topic) if self.size - 2 < 128 else 3 + 2 + len(topic)
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        buf = self.buf
        buf += data
        n, i, size, end = 0, 0, self.size, len(buf)
        acks = []
        while i < end:
            if buf[i] == self.first and i + size <= end:
                # a run of same-length PUBLISHes
                j = i
                while j + size <= end and buf[j] == self.first:
                    j += size
                count = (j - i) // size
                if self.a.qos:
                    at = self.pid_at
                    acks.extend(b"\x40\x02" + bytes(buf[x + at:x + at + 2]) for x in range(i, j, size))
                n += count
                i = j
                continue
            packets, used = parse(buf[i:])
            if not packets:
                break
            first, s, e = packets[0]
            if first & 0xF0 == 0x30:
                n += 1
                if first & 0x06:
                    tl = (buf[i + s] << 8) | buf[i + s + 1]
                    acks.append(b"\x40\x02" + bytes(buf[i + s + 2 + tl:i + s + 4 + tl]))
            elif first == 0x90:
                self.subacked.set_result(True)
            elif first == 0x20 and not self.subacked.done():
                self.transport.write(subscribe_packet(1, self.a.filter, self.a.qos))
            i += e
        if i:
            del buf[:i]
        if acks:
            self.transport.write(b"".join(acks))
        if n:
            self.counts[self.k] += n
            self.last[0] = time.time()

    def connection_lost(self, exc):
        if not self.subacked.done():
            self.subacked.set_exception(RuntimeError("connection lost before SUBACK"))
        self.counts_lost = True


async def subscriber(a, k, counts, last, ready):
    loop = asyncio.get_running_loop()
    subacked = loop.create_future()
    transport, _ = await loop.create_connection(lambda: SubscriberProtocol(a, k, counts, last, subacked), HOST, a.port)
    transport.write(connect_packet("bench-sub-%03d" % k, keepalive=0))
    await asyncio.wait_for(subacked, 30)
    ready()
    return transport


def subscriber_process(a, ready_event, result_queue, stop_event):
    async def main():
        counts = [0] * a.subs
        last = [0.0]
        readies = [0]

        def ready():
            readies[0] += 1
            if readies[0] == a.subs:
                ready_event.set()

        transports = await asyncio.gather(*(subscriber(a, k, counts, last, ready) for k in range(a.subs)))
        hard = time.monotonic() + a.seconds + a.grace + 8
        # run until the publishers are done and nothing arrived for `grace` seconds, bounded
        while time.monotonic() < hard:
            await asyncio.sleep(0.2)
            if stop_event.is_set() and time.time() - max(last[0], stop_event_time(a)) > a.grace:
                break
        closed = sum(1 for t in transports if t.is_closing())
        for t in transports:
            t.close()
        result_queue.put({"delivered": sum(counts), "last": last[0], "min_per_sub": min(counts), "closed_by_server": closed})

    asyncio.run(main())


def stop_event_time(a):
    return a._stop_time.value


async def publisher(a, k, t_end, sent, acked):
    reader, writer = await mqtt_connect(a.port, "bench-pub-%03d" % k, keepalive=0)
    topic = a.topic % k
    payload = b"x" * a.payload
    if a.qos == 0:
        batch = publish_packet(topic, payload) * 100
        while time.monotonic() < t_end and sent[k] < a.max_messages:
            writer.write(batch)
            sent[k] += 100
            try:  # a server that stops reading ends the run at t_end, not later
                await asyncio.wait_for(writer.drain(), max(0.05, t_end - time.monotonic()))
            except asyncio.TimeoutError:
                # not yet taken by the server: not counted as published, and thrown away
                sent[k] -= min(100, writer.transport.get_write_buffer_size() // len(batch) * 100 + 100)
                writer.transport.abort()
                return
    else:
        window = asyncio.Semaphore(a.window)
        pid = 0

        async def acks():
            buf = bytearray()
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                buf += data
                packets, used = parse(buf)
                del buf[:used]
                for first, s, e in packets:
                    if first & 0xF0 == 0x40:
                        acked[k] += 1
                        window.release()

        ack_task = asyncio.ensure_future(acks())
        while time.monotonic() < t_end and sent[k] < a.max_messages:
            await window.acquire()
            pid = pid % 65535 + 1
            writer.write(publish_packet(topic, payload, 1, pid))
            sent[k] += 1
            if sent[k] % 64 == 0:
                await writer.drain()
        # wait (bounded) for the outstanding acknowledgements
        limit = time.monotonic() + 10
        while acked[k] < sent[k] and time.monotonic() < limit and not ack_task.done():
            await asyncio.sleep(0.05)
        ack_task.cancel()
    writer.write(DISCONNECT)
    try:
        await asyncio.wait_for(writer.drain(), 2)
    except asyncio.TimeoutError:
        pass
    writer.transport.abort()


def cmd_throughput(a):
    a._stop_time = multiprocessing.Value("d", 0.0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    results = multiprocessing.Queue()
    proc = multiprocessing.Process(target=subscriber_process, args=(a, ready, results, stop), daemon=True)
    proc.start()
    if not ready.wait(60):
        proc.terminate()
        print(json.dumps({"error": "subscribers not ready within 60 s"}))
        return

    async def main():
        sent, acked = [0] * a.pubs, [0] * a.pubs
        t0 = time.time()
        t_end = time.monotonic() + a.seconds
        await asyncio.gather(*(publisher(a, k, t_end, sent, acked) for k in range(a.pubs)))
        return t0, time.time(), sum(sent), sum(acked)

    server0 = cpu_seconds(a.server_pid)
    t0, t_pub_end, sent, acked = asyncio.run(main())
    a._stop_time.value = t_pub_end
    stop.set()
    try:
        r = results.get(timeout=a.grace + 60)
    except Exception:
        r = {"error": "no result from the subscribers"}
    server_cpu = cpu_seconds(a.server_pid) - server0
    proc.join(5)
    if proc.is_alive():
        proc.terminate()
    if "error" in r:
        print(json.dumps(r))
        return
    expected = sent * (a.subs if a.fanout else 1)
    elapsed = max(r["last"], t_pub_end) - t0
    print(json.dumps({"published": sent, "acked": acked if a.qos else None, "publish_seconds": round(t_pub_end - t0, 2),
                      "delivered": r["delivered"], "expected": expected,
                      "delivered_pct": round(100.0 * r["delivered"] / expected, 1) if expected else None,
                      "seconds": round(elapsed, 2), "delivered_per_second": round(r["delivered"] / elapsed),
                      "published_per_second": round(sent / (t_pub_end - t0)),
                      "subscribers_closed_by_server": r["closed_by_server"],
                      "server_cpu_us_per_delivery": round(1e6 * server_cpu / r["delivered"], 1)
                      if a.server_pid and r["delivered"] else None}))


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("certs")
    c.add_argument("--dir", required=True)
    c.add_argument("--devices", type=int, required=True)
    c = sub.add_parser("connect")
    for name, kind in (("--port", int), ("--ca", str), ("--certs", str), ("--first", int), ("--count", int),
                       ("--inflight", int)):
        c.add_argument(name, type=kind, required=True)
    c.add_argument("--user")
    c.add_argument("--password")
    c.add_argument("--time-limit", type=float, default=60)
    c.add_argument("--server-pid", type=int, help="report the server's CPU time per connection")
    c.add_argument("--procs", type=int, default=2, help="load-generator processes (the connections split among them)")
    c = sub.add_parser("idle")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--server-pid", type=int, required=True)
    c.add_argument("--sessions", type=int, required=True)
    c.add_argument("--ca")
    c.add_argument("--certs")
    c.add_argument("--user")
    c.add_argument("--password")
    c.add_argument("--settle", type=float, default=3)
    c.add_argument("--java", action="store_true", help="also the live heap after a full GC (jcmd)")
    c.add_argument("--histogram", help="with --java: write the live class histogram with the sessions here")
    c.add_argument("--time-limit", type=float, default=120)
    c = sub.add_parser("throughput")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--pubs", type=int, required=True)
    c.add_argument("--subs", type=int, required=True)
    c.add_argument("--qos", type=int, choices=(0, 1), required=True)
    c.add_argument("--seconds", type=float, default=5)
    c.add_argument("--max-messages", type=int, default=2_000_000, help="per publisher")
    c.add_argument("--payload", type=int, default=64)
    c.add_argument("--window", type=int, default=32, help="QoS 1 messages in flight per publisher")
    c.add_argument("--grace", type=float, default=3, help="seconds of silence that end a run")
    c.add_argument("--server-pid", type=int, help="report the server's CPU time per delivered message")
    a = p.parse_args()
    if a.cmd == "throughput":
        a.fanout = a.subs > 1
        a.topic = "bench/out/%03d" if a.fanout else "bench/in/%03d"
        a.filter = "bench/out/000" if a.fanout else "bench/in/+"
        if a.fanout and a.pubs != 1:
            p.error("fan-out takes one publisher")
    {"certs": cmd_certs, "connect": cmd_connect, "idle": cmd_idle, "throughput": cmd_throughput}[a.cmd](a)


if __name__ == "__main__":
    main()
