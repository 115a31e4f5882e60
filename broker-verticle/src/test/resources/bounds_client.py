"""Inputs beyond the broker's bounds, sent with paho-mqtt (Debian's python3-paho-mqtt 1.6).

Usage: bounds_client.py deep-subscribe HOST PORT VERSION COUNT LEVELS
  VERSION 5 or 311; subscribes COUNT filters of LEVELS levels each, one SUBSCRIBE per filter, then one
  ordinary filter, and prints {"codes": [...]} with every SUBACK code in order, then {"alive": true} when
  a QoS 1 message it publishes on the ordinary filter still comes back to it.
Every wait is bounded; a scenario that cannot finish prints {"error": ...} and exits 1.
"""
import json
import sys
import threading

import paho.mqtt.client as mqtt

TIMEOUT = 20


def out(**kw):
    print(json.dumps(kw), flush=True)


def fail(text):
    out(error=text)
    sys.exit(1)


def connect(cid, host, port, version):
    protocol = mqtt.MQTTv5 if version == "5" else mqtt.MQTTv311
    c = mqtt.Client(client_id=cid, protocol=protocol)
    connected = threading.Event()
    c.on_connect = lambda *args: connected.set()
    if version == "5":
        c.connect(host, port, keepalive=30, clean_start=True)
    else:
        c.connect(host, port, keepalive=30)
    c.loop_start()
    if not connected.wait(TIMEOUT):
        fail("no CONNACK")
    return c


def subscribe(c, topic, version):
    done = threading.Event()
    codes = []

    def on_subscribe(cl, userdata, mid, granted, props=None):
        codes.extend(r.value if hasattr(r, "value") else r for r in granted)
        done.set()

    c.on_subscribe = on_subscribe
    c.subscribe(topic, qos=1)
    if not done.wait(TIMEOUT):
        fail("no SUBACK for a filter of %d characters" % len(topic))
    return codes


def deep_subscribe(host, port, version, count, levels):
    c = connect("deep-" + version, host, port, version)
    codes = []
    for i in range(int(count)):
        codes += subscribe(c, "deep%d/" % i + "/".join(["x"] * (int(levels) - 1)), version)
    codes += subscribe(c, "shallow/+", version)
    out(codes=codes)
    # the connection still works: a QoS 1 message on the granted filter comes back
    got = threading.Event()
    c.on_message = lambda cl, userdata, msg: got.set()
    c.publish("shallow/1", b"x", qos=1)
    out(alive=got.wait(TIMEOUT))
    c.disconnect()


SCENARIOS = {"deep-subscribe": deep_subscribe}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](sys.argv[2], int(sys.argv[3]), *sys.argv[4:])
    sys.exit(0)
