"""MQTT 5 scenarios with paho-mqtt (Debian's python3-paho-mqtt 1.6) against the broker under test.

Usage: mqtt5_client.py SCENARIO HOST PORT [ARGS...]; prints one JSON object per observation.
Every wait is bounded; a scenario that cannot finish prints {"error": ...} and exits 1.
"""
import json
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

TIMEOUT = 20


def out(**kw):
    print(json.dumps(kw), flush=True)


def client(cid, host, port, clean=True, expiry=None, user=None, password=None):
    c = mqtt.Client(client_id=cid, protocol=mqtt.MQTTv5)
    if user is not None:
        c.username_pw_set(user, password)
    connected = threading.Event()
    result = {}

    def on_connect(cl, userdata, flags, rc, props=None):
        result["rc"] = rc.value if hasattr(rc, "value") else rc
        result["present"] = flags.get("session present", 0)
        connected.set()

    c.on_connect = on_connect
    props = None
    if expiry is not None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = expiry
    c.connect(host, port, keepalive=30, clean_start=clean, properties=props)
    c.loop_start()
    if not connected.wait(TIMEOUT):
        fail("no CONNACK")
    return c, result


def fail(text):
    out(error=text)
    sys.exit(1)


def subscribe(c, topic, qos=1, no_local=False, sub_id=None, rap=False):
    done = threading.Event()
    codes = {}

    def on_subscribe(cl, userdata, mid, reason_codes, props=None):
        codes["codes"] = [r.value for r in reason_codes]
        done.set()

    c.on_subscribe = on_subscribe
    props = None
    if sub_id is not None:
        props = Properties(PacketTypes.SUBSCRIBE)
        props.SubscriptionIdentifier = sub_id
    opts = mqtt.SubscribeOptions(qos=qos, noLocal=no_local, retainAsPublished=rap)
    c.subscribe(topic, options=opts, properties=props)
    if not done.wait(TIMEOUT):
        fail("no SUBACK")
    return codes["codes"]


def collect(c, n, seconds=TIMEOUT):
    got = []
    cond = threading.Condition()

    def on_message(cl, userdata, msg):
        p = msg.properties
        entry = {"topic": msg.topic, "payload": msg.payload.decode(), "qos": msg.qos, "retain": bool(msg.retain),
                 "dup": bool(msg.dup)}
        if p is not None:
            for name in ("ContentType", "ResponseTopic", "SubscriptionIdentifier", "MessageExpiryInterval"):
                if hasattr(p, name):
                    entry[name] = getattr(p, name)
            if hasattr(p, "CorrelationData"):
                entry["CorrelationData"] = p.CorrelationData.decode()
            if hasattr(p, "UserProperty"):
                entry["UserProperty"] = [list(x) for x in p.UserProperty]
        with cond:
            got.append(entry)
            cond.notify_all()

    c.on_message = on_message
    return got, cond


def wait_for(got, cond, n, seconds=TIMEOUT):
    deadline = time.time() + seconds
    with cond:
        while len(got) < n and time.time() < deadline:
            cond.wait(max(0.01, deadline - time.time()))
    return got


def properties_and_no_local(host, port):
    sub, _ = client("props-sub", host, port)
    got, cond = collect(sub, 1)
    codes = subscribe(sub, "p/topic", qos=1, no_local=True, sub_id=7)
    out(suback=codes)
    # no-local: its own publish must not come back
    sub.publish("p/topic", b"own", qos=1).wait_for_publish(TIMEOUT)
    pub, _ = client("props-pub", host, port)
    props = Properties(PacketTypes.PUBLISH)
    props.ContentType = "application/json"
    props.ResponseTopic = "p/reply"
    props.CorrelationData = b"corr-1"
    props.MessageExpiryInterval = 3600
    props.UserProperty = ("k1", "v1")
    props.UserProperty = ("k2", "v2")
    pub.publish("p/topic", b"{}", qos=1, properties=props).wait_for_publish(TIMEOUT)
    wait_for(got, cond, 1)
    time.sleep(0.3)  # a wrongly delivered own message would arrive within this
    for m in got:
        out(message=m)


def shared(host, port, count):
    count = int(count)
    a, _ = client("share-a", host, port)
    b, _ = client("share-b", host, port)
    got_a, cond_a = collect(a, 0)
    got_b, cond_b = collect(b, 0)
    out(suback_a=subscribe(a, "$share/g/jobs/#", qos=1), suback_b=subscribe(b, "$share/g/jobs/#", qos=1))
    pub, _ = client("share-pub", host, port)
    for i in range(count):
        pub.publish("jobs/x", str(i).encode(), qos=1).wait_for_publish(TIMEOUT)
    deadline = time.time() + TIMEOUT
    while len(got_a) + len(got_b) < count and time.time() < deadline:
        time.sleep(0.05)
    out(a=[m["payload"] for m in got_a], b=[m["payload"] for m in got_b])


def persistent(host, port):
    c, first = client("persist", host, port, clean=True, expiry=300)
    subscribe(c, "persist/#", qos=1)
    c.disconnect()
    c.loop_stop()
    pub, _ = client("persist-pub", host, port)
    for i in range(3):
        pub.publish("persist/t", ("m%d" % i).encode(), qos=1).wait_for_publish(TIMEOUT)
    c2 = mqtt.Client(client_id="persist", protocol=mqtt.MQTTv5)
    got, cond = collect(c2, 3)
    connected = threading.Event()
    flags_seen = {}

    def on_connect(cl, userdata, flags, rc, props=None):
        flags_seen["present"] = flags.get("session present", 0)
        connected.set()

    c2.on_connect = on_connect
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 300
    c2.connect(host, port, clean_start=False, properties=props)
    c2.loop_start()
    connected.wait(TIMEOUT)
    wait_for(got, cond, 3)
    out(present=flags_seen.get("present"), payloads=[m["payload"] for m in got])


def login(host, port, user, password):
    c = mqtt.Client(client_id="svc-" + user, protocol=mqtt.MQTTv5)
    c.username_pw_set(user, password)
    done = threading.Event()
    seen = {}

    def on_connect(cl, userdata, flags, rc, props=None):
        seen["rc"] = rc.value if hasattr(rc, "value") else rc
        done.set()

    c.on_connect = on_connect
    c.connect(host, port)
    c.loop_start()
    done.wait(TIMEOUT)
    out(connack=seen.get("rc"))
    if seen.get("rc") == 0:
        out(allowed=subscribe(c, "devices/+/telemetry"), shared=subscribe(c, "$share/g/devices/+/telemetry"),
            denied=subscribe(c, "other/#"), wider=subscribe(c, "devices/#"))
        info = c.publish("other/x", b"x", qos=1)
        info.wait_for_publish(TIMEOUT)
        out(published=info.rc)


def will_delay(host, port, delay):
    # a client whose will has a delay vanishes and comes back within it: the will must not be sent
    watcher, _ = client("will-watcher", host, port)
    got, cond = collect(watcher, 1)
    subscribe(watcher, "wd/#", qos=1)
    c = mqtt.Client(client_id="will-delay", protocol=mqtt.MQTTv5)
    will_props = Properties(PacketTypes.WILLMESSAGE)
    will_props.WillDelayInterval = int(delay)
    c.will_set("wd/will-delay", b"gone", qos=1, properties=will_props)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 60
    c.connect(host, port, clean_start=True, properties=props)
    c.loop(1)
    c.socket().close()  # vanish without DISCONNECT
    back, result = client("will-delay", host, port, clean=False, expiry=60)
    out(present=result.get("present"))
    wait_for(got, cond, 1, seconds=int(delay) + 1)
    out(wills=len(got))
    back.disconnect()


def provision(host, port, cafile, cert, key, device, user, password, request_id, response_topic=None):
    # one MQTT 5 connection over mutual TLS, as a device does it: subscribe, then ask with correlation data;
    # response_topic: the Response Topic to set (default: the device's own response topic)
    c = mqtt.Client(client_id=device, protocol=mqtt.MQTTv5)
    c.tls_set(ca_certs=cafile, certfile=cert, keyfile=key)
    c.username_pw_set(user, password)
    connected = threading.Event()
    c.on_connect = lambda cl, u, f, rc, p=None: connected.set()
    c.connect(host, port)
    c.loop_start()
    if not connected.wait(TIMEOUT):
        fail("no CONNACK")
    got, cond = collect(c, 1)
    out(suback=subscribe(c, "zto/v1/%s/provision/response" % device, qos=1))
    props = Properties(PacketTypes.PUBLISH)
    props.ResponseTopic = response_topic or "zto/v1/%s/provision/response" % device
    props.CorrelationData = b"corr-42"
    request = json.dumps({"requestId": request_id}).encode()
    c.publish("zto/v1/%s/provision/request" % device, request, qos=1, properties=props).wait_for_publish(TIMEOUT)
    wait_for(got, cond, 1)
    time.sleep(0.5)  # a second copy of the answer would arrive within this
    for m in got:
        out(message=m)
    c.disconnect()


def persist_phase1(host, port, cid="keeper", topic_filter="keep/#"):
    c, _ = client(cid, host, port, clean=True, expiry=300)
    subscribe(c, topic_filter, qos=1)
    c.disconnect()
    c.loop_stop()


def persist_phase2(host, port, cid="keeper", live_topic="keep/b", queued="2"):
    c2 = mqtt.Client(client_id=cid, protocol=mqtt.MQTTv5)
    got, cond = collect(c2, 3)
    connected = threading.Event()
    seen = {}

    def on_connect(cl, userdata, flags, rc, props=None):
        seen["present"] = flags.get("session present", 0)
        connected.set()

    c2.on_connect = on_connect
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 300
    c2.connect(host, port, clean_start=False, properties=props)
    c2.loop_start()
    connected.wait(TIMEOUT)
    wait_for(got, cond, int(queued))
    # the restored subscription also takes new messages
    pub, _ = client(cid + "-pub", host, port)
    pub.publish(live_topic, b"live", qos=1).wait_for_publish(TIMEOUT)
    wait_for(got, cond, int(queued) + 1)
    out(present=seen.get("present"), payloads=[m["payload"] for m in got])


SCENARIOS = {"persist-phase1": persist_phase1, "persist-phase2": persist_phase2, "provision": provision, "will-delay": will_delay, "props": properties_and_no_local, "shared": shared, "persistent": persistent, "login": login}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](sys.argv[2], int(sys.argv[3]), *sys.argv[4:])
    sys.exit(0)
