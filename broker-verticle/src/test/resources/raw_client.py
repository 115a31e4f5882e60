"""Hand-made MQTT packets for what library clients hide: resending a QoS 2 PUBLISH after a lost
connection, and a subscriber that never acknowledges. Prints JSON lines; every read has a timeout.

Usage: raw_client.py qos2-resend HOST PORT TOPIC | raw_client.py slow HOST PORT TOPIC
     | raw_client.py unacked HOST PORT TOPIC
"""
import json
import socket
import struct
import sys

TIMEOUT = 20


def out(**kw):
    print(json.dumps(kw), flush=True)


def varint(n):
    b = bytearray()
    while True:
        d = n % 128
        n //= 128
        b.append(d | (0x80 if n else 0))
        if not n:
            return bytes(b)


def s(text):
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def packet(kind, flags, body):
    return bytes([(kind << 4) | flags]) + varint(len(body)) + body


def connect(host, port, cid, clean, v5=False, receive_max=None):
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    flags = 0x02 if clean else 0x00
    if v5:
        props = b""
        if receive_max is not None:
            props += b"\x21" + struct.pack("!H", receive_max)
        body = s("MQTT") + bytes([5, flags]) + struct.pack("!H", 60) + varint(len(props)) + props + s(cid)
    else:
        body = s("MQTT") + bytes([4, flags]) + struct.pack("!H", 60) + s(cid)
    sock.sendall(packet(1, 0, body))
    kind, _, data = read(sock)
    if kind != 2:
        raise SystemExit("expected CONNACK, got %d" % kind)
    return sock, data


def read(sock):
    head = recv(sock, 1)[0]
    mult, length = 1, 0
    while True:
        d = recv(sock, 1)[0]
        length += (d & 127) * mult
        mult *= 128
        if not d & 128:
            break
    return head >> 4, head & 0x0F, recv(sock, length)


def recv(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def qos2_resend(host, port, topic):
    # first connection: PUBLISH QoS 2, PUBREC arrives, the connection is lost before PUBREL
    sock, _ = connect(host, port, "raw-qos2", clean=False)
    sock.sendall(packet(3, 0x04, s(topic) + struct.pack("!H", 42) + b"once"))
    kind, _, data = read(sock)
    out(first=kind, id=struct.unpack("!H", data[:2])[0])
    sock.close()
    # second connection, same session: the client resends with DUP, then releases
    sock, connack = connect(host, port, "raw-qos2", clean=False)
    out(session_present=connack[0] & 1)
    sock.sendall(packet(3, 0x0C, s(topic) + struct.pack("!H", 42) + b"once"))
    kind, _, _ = read(sock)
    out(second=kind)
    sock.sendall(packet(6, 0x02, struct.pack("!H", 42)))
    kind, _, _ = read(sock)
    out(complete=kind)
    sock.sendall(packet(14, 0, b""))
    sock.close()


def slow(host, port, topic):
    # MQTT 5 with Receive Maximum 1, subscribes at QoS 1 and never sends PUBACK
    sock, _ = connect(host, port, "raw-slow", clean=True, v5=True, receive_max=1)
    sock.sendall(packet(8, 0x02, struct.pack("!H", 1) + b"\x00" + s(topic) + b"\x01"))
    kind, _, _ = read(sock)
    out(suback=kind)
    publishes = 0
    try:
        while True:
            kind, flags, data = read(sock)
            if kind == 3:
                publishes += 1
            elif kind == 14:
                out(disconnect=data[0] if data else 0, publishes=publishes)
                return
    except (EOFError, OSError) as e:
        out(closed=str(e), publishes=publishes)


def unacked(host, port, topic):
    # MQTT 3.1.1 persistent session: subscribes at QoS 1, takes one PUBLISH without PUBACK, then the
    # connection is lost, so the message stays unacknowledged in the session
    sock, _ = connect(host, port, "raw-unacked", clean=False)
    sock.sendall(packet(8, 0x02, struct.pack("!H", 1) + s(topic) + b"\x01"))
    kind, _, _ = read(sock)
    out(suback=kind)
    while True:
        kind, flags, data = read(sock)
        if kind == 3:
            length = struct.unpack("!H", data[:2])[0]
            out(received=data[2 + length + 2:].decode(), qos=(flags >> 1) & 3)
            sock.close()
            return


if __name__ == "__main__":
    {"qos2-resend": qos2_resend, "slow": slow, "unacked": unacked}[sys.argv[1]](sys.argv[2], int(sys.argv[3]), sys.argv[4])
