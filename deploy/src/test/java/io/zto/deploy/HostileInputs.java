package io.zto.deploy;

import io.zto.shared.testing.MqttWire;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Hostile input for the fuzz harness, all drawn from one seeded {@link Random}, so a seed names a run exactly:
 * the named malformed MQTT packets of issue 14, valid packets and their mutations (bit flips, truncations,
 * inserted and duplicated bytes, rewritten lengths), mutated DER (CSRs) and broken JSON.
 */
final class HostileInputs {

  /** A malformed MQTT input that must be refused: sent on a fresh connection, before or after CONNECT. */
  enum Named {
    BAD_REMAINING_LENGTH(true, true),
    PACKET_BEFORE_CONNECT(true, false),
    SECOND_CONNECT(false, true),
    WILDCARD_IN_PUBLISH_TOPIC(false, true),
    INVALID_UTF8_TOPIC(false, true),
    INVALID_UTF8_CLIENT_ID(true, false),
    OVERSIZED_PACKET(true, true),
    OVERLONG_CLIENT_ID(true, false),
    DEEP_FILTER(false, true),
    RESERVED_PACKET_TYPE(true, true),
    AUTH_WITHOUT_METHOD(false, true);

    final boolean beforeConnect;
    final boolean afterConnect;

    Named(boolean beforeConnect, boolean afterConnect) {
      this.beforeConnect = beforeConnect;
      this.afterConnect = afterConnect;
    }
  }

  private final Random random;

  HostileInputs(long seed) {
    this.random = new Random(seed);
  }

  Random random() {
    return random;
  }

  /** The bytes of a named case; {@code connect} is the valid CONNECT of the listener, {@code maxPacket} its limit. */
  byte[] named(Named kind, int version, byte[] connect, int maxPacket) {
    return switch (kind) {
      // five continuation bytes: longer than the four MQTT allows
      case BAD_REMAINING_LENGTH -> new byte[] {(byte) 0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
      case PACKET_BEFORE_CONNECT -> MqttWire.subscribe(version, 1, "a/b");
      case SECOND_CONNECT -> connect;
      case WILDCARD_IN_PUBLISH_TOPIC -> MqttWire.publish(version, "devices/#", "x".getBytes(), 1, false, 7);
      case INVALID_UTF8_TOPIC -> publishRawTopic(version, new byte[] {'a', '/', (byte) 0xC3, 0x28});
      case INVALID_UTF8_CLIENT_ID -> connectRawClientId(version, new byte[] {'c', (byte) 0xED, (byte) 0xA0, (byte) 0x80});
      case OVERSIZED_PACKET -> oversized(maxPacket);
      case OVERLONG_CLIENT_ID -> MqttWire.connect(version, "c".repeat(300), true, null, null, null);
      case DEEP_FILTER -> MqttWire.subscribe(version, 3, String.join("/", Collections.nCopies(30_000, "x")));
      case RESERVED_PACKET_TYPE -> new byte[] {0, 0};
      // AUTH (3.1.1: a reserved type) when CONNECT named no authentication method (MQTT 4.12)
      case AUTH_WITHOUT_METHOD -> new byte[] {(byte) 0xF0, 0};
    };
  }

  /** A valid packet a connected client may send: PUBLISH of each QoS, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, PUBACK. */
  byte[] validAfterConnect(int version, String topicPrefix) {
    String topic = topicPrefix + "/fuzz/" + random.nextInt(8);
    return switch (random.nextInt(6)) {
      case 0, 1 -> MqttWire.publish(version, topic, randomBytes(random.nextInt(64)), random.nextInt(3),
          random.nextInt(8) == 0, 1 + random.nextInt(65_535));
      case 2 -> MqttWire.subscribe(version, 1 + random.nextInt(65_535), topicPrefix + "/+/" + random.nextInt(4));
      case 3 -> unsubscribe(version, 1 + random.nextInt(65_535), topic);
      case 4 -> MqttWire.pingreq();
      default -> MqttWire.packet(MqttWire.PUBACK << 4, new byte[] {0, (byte) (1 + random.nextInt(200))});
    };
  }

  /**
   * One random mutation of {@code packet}: bit flips, a truncation, inserted random bytes, a duplicated
   * slice, a rewritten remaining length, or two packets glued with the second one cut.
   */
  byte[] mutate(byte[] packet) {
    byte[] out = packet.clone();
    switch (random.nextInt(6)) {
      case 0 -> {
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          int at = random.nextInt(out.length);
          out[at] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length));
      case 2 -> {
        int at = random.nextInt(out.length + 1);
        byte[] noise = randomBytes(1 + random.nextInt(16));
        ByteArrayOutputStream glued = new ByteArrayOutputStream();
        glued.write(out, 0, at);
        glued.writeBytes(noise);
        glued.write(out, at, out.length - at);
        out = glued.toByteArray();
      }
      case 3 -> {
        int from = random.nextInt(out.length);
        int to = from + random.nextInt(out.length - from) + 1;
        ByteArrayOutputStream doubled = new ByteArrayOutputStream();
        doubled.write(out, 0, to);
        doubled.write(out, from, out.length - from);
        out = doubled.toByteArray();
      }
      case 4 -> {
        // the remaining length says something else than what follows
        if (out.length > 1) {
          out[1] = (byte) random.nextInt(256);
        }
      }
      default -> {
        byte[] second = Arrays.copyOf(out, Math.max(1, random.nextInt(out.length)));
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(out);
        two.writeBytes(second);
        out = two.toByteArray();
      }
    }
    return out.length == 0 ? new byte[] {(byte) random.nextInt(256)} : out;
  }

  /** A mutated DER structure: flips, truncation, a huge length, deep nesting, or random bytes. */
  byte[] mutateDer(byte[] der) {
    return switch (random.nextInt(5)) {
      case 0 -> mutateBytes(der);
      case 1 -> Arrays.copyOf(der, random.nextInt(der.length));
      case 2 -> {
        // SEQUENCE claiming 2 GiB of content
        byte[] huge = der.clone();
        byte[] header = {0x30, (byte) 0x84, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.write(huge, Math.min(huge.length, 4), huge.length - Math.min(huge.length, 4));
        yield out.toByteArray();
      }
      case 3 -> deeplyNested(2_000 + random.nextInt(20_000));
      default -> randomBytes(1 + random.nextInt(2048));
    };
  }

  /** Broken JSON for the operator API: cut, unbalanced, wrong types, deep nesting, binary, huge numbers. */
  String brokenJson(String valid) {
    return switch (random.nextInt(7)) {
      case 0 -> valid.substring(0, random.nextInt(valid.length()));
      case 1 -> valid.replace("}", "");
      case 2 -> "[" .repeat(5_000 + random.nextInt(50_000));
      case 3 -> "{\"name\": " + "9".repeat(1_000 + random.nextInt(10_000)) + "e999999999}";
      case 4 -> new String(randomBytes(1 + random.nextInt(512)), StandardCharsets.ISO_8859_1);
      case 5 -> "{\"name\": {\"a\": [1, 2, {\"b\": null}]}, \"purpose\": 7, \"pem\": false}";
      default -> new String(mutateBytes(valid.getBytes(StandardCharsets.UTF_8)), StandardCharsets.ISO_8859_1);
    };
  }

  <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  private byte[] mutateBytes(byte[] in) {
    byte[] out = in.clone();
    for (int flips = 1 + random.nextInt(6); flips > 0; flips--) {
      out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return out;
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  // a SEQUENCE inside a SEQUENCE inside ... depth times (indefinite lengths, so it costs 2 bytes a level)
  private static byte[] deeplyNested(int depth) {
    byte[] out = new byte[depth * 4];
    for (int i = 0; i < depth; i++) {
      out[2 * i] = 0x30;
      out[2 * i + 1] = (byte) 0x80;
    }
    // end-of-contents for each level
    return out;
  }

  private static byte[] unsubscribe(int version, int packetId, String filter) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(packetId >> 8);
    body.write(packetId);
    if (version == 5) {
      body.write(0);
    }
    body.writeBytes(MqttWire.utf8(filter));
    return MqttWire.packet((10 << 4) | 0x02, body.toByteArray());
  }

  private static byte[] publishRawTopic(int version, byte[] topic) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(MqttWire.binary(topic));
    body.write(0);
    body.write(9);
    if (version == 5) {
      body.write(0);
    }
    body.writeBytes("x".getBytes());
    return MqttWire.packet((MqttWire.PUBLISH << 4) | 0x02, body.toByteArray());
  }

  private static byte[] connectRawClientId(int version, byte[] clientId) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(MqttWire.utf8("MQTT"));
    body.write(version);
    body.write(0x02);
    body.write(0);
    body.write(60);
    if (version == 5) {
      body.write(0);
    }
    body.writeBytes(MqttWire.binary(clientId));
    return MqttWire.packet(MqttWire.CONNECT << 4, body.toByteArray());
  }

  // a PUBLISH header announcing one byte more than the listener takes, then a little of the body
  private static byte[] oversized(int maxPacket) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MqttWire.PUBLISH << 4);
    out.writeBytes(MqttWire.varint(maxPacket + 1));
    out.writeBytes(MqttWire.utf8("big"));
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }
}
