package io.zto.shared.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * MQTT packets byte by byte over a socket, for what library clients refuse to send: inputs beyond the
 * broker's bounds and malformed packets. Every read has a deadline; the answer is a packet, "closed" or
 * "silent" (nothing within the deadline), never a hang.
 */
public final class MqttWire implements AutoCloseable {

  public static final int CONNECT = 1;
  public static final int CONNACK = 2;
  public static final int PUBLISH = 3;
  public static final int PUBACK = 4;
  public static final int PUBREC = 5;
  public static final int SUBSCRIBE = 8;
  public static final int SUBACK = 9;
  public static final int PINGREQ = 12;
  public static final int PINGRESP = 13;
  public static final int DISCONNECT = 14;

  /** One packet read, or what happened instead: {@link #CLOSED} or {@link #SILENT}. */
  public record Packet(int type, int flags, byte[] body) {
    /** The server closed the connection (end of stream or reset). */
    public static final Packet CLOSED = new Packet(-1, 0, new byte[0]);
    /** Nothing arrived within the deadline. */
    public static final Packet SILENT = new Packet(-2, 0, new byte[0]);

    /**
     * The reason code of a CONNACK (3.1.1 return code; 5 reason code), a DISCONNECT (5; 0 when empty), a
     * PUBACK (5; 0 when absent); -1 otherwise (SUBACK: {@link #subackCodes}).
     */
    public int reasonCode() {
      return switch (type) {
        case CONNACK -> body.length >= 2 ? body[1] & 0xFF : -1;
        case DISCONNECT -> body.length >= 1 ? body[0] & 0xFF : 0;
        case PUBACK -> body.length >= 3 ? body[2] & 0xFF : 0;
        default -> -1;
      };
    }

    /** The SUBACK codes (for 5 after the properties; 3.1.1 has none). */
    public int[] subackCodes(int version) {
      int at = 2;
      if (version == 5) {
        int[] length = varintAt(body, at);
        at += length[1] + length[0];
      }
      int[] codes = new int[Math.max(0, body.length - at)];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = body[at + i] & 0xFF;
      }
      return codes;
    }

    @Override
    public String toString() {
      return type == -1 ? "CLOSED" : type == -2 ? "SILENT" : "packet type " + type + " reason " + reasonCode();
    }
  }

  private final Socket socket;
  private final DataInputStream in;

  private MqttWire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** A plain TCP connection. */
  public static MqttWire plain(String host, int port) {
    try {
      Socket socket = new Socket();
      socket.connect(new java.net.InetSocketAddress(host, port), 10_000);
      return new MqttWire(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A TLS connection, handshake done; {@code factory} carries the client certificate, if any. */
  public static MqttWire tls(SSLSocketFactory factory, String host, int port) {
    try {
      Socket raw = new Socket();
      raw.connect(new java.net.InetSocketAddress(host, port), 10_000);
      javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) factory.createSocket(raw, host, port, true);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return new MqttWire(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes raw bytes; false when the server closed the connection already. */
  public boolean send(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /** The next packet, or CLOSED, or SILENT when nothing complete arrives within {@code timeout}. */
  public Packet read(Duration timeout) {
    try {
      socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      int first = in.read();
      if (first < 0) {
        return Packet.CLOSED;
      }
      int length = 0;
      for (int shift = 0; ; shift += 7) {
        int digit = in.readUnsignedByte();
        length |= (digit & 0x7F) << shift;
        if ((digit & 0x80) == 0) {
          break;
        }
        if (shift > 21) {
          throw new IOException("bad remaining length from the server");
        }
      }
      byte[] body = new byte[length];
      in.readFully(body);
      return new Packet(first >> 4, first & 0x0F, body);
    } catch (SocketTimeoutException silent) {
      return Packet.SILENT;
    } catch (EOFException | SocketException closed) {
      return Packet.CLOSED;
    } catch (IOException e) {
      // a TLS alert or reset: the server is gone from this connection
      return Packet.CLOSED;
    }
  }

  /** Reads until {@code type} arrives (skipping others) or the connection closes or goes silent. */
  public Packet await(int type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Packet.SILENT;
      }
      Packet packet = read(Duration.ofNanos(left));
      if (packet.type() == type || packet.type() < 0) {
        return packet;
      }
    }
  }

  /** Whether the server closes the connection within {@code timeout} (packets before that are read and dropped). */
  public boolean closedWithin(Duration timeout) {
    return await(-1, timeout) == Packet.CLOSED;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket the server may have closed already
    }
  }

  // ---- packet builders

  /** A will: topic, payload, QoS, retain. */
  public record Will(String topic, byte[] payload, int qos, boolean retain) {}

  /** CONNECT of protocol level 4 (3.1.1) or 5, keep-alive 60 s, optional will and credentials. */
  public static byte[] connect(int version, String clientId, boolean clean, Will will, String user, String password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(utf8("MQTT"));
    body.write(version);
    int flags = clean ? 0x02 : 0;
    if (will != null) {
      flags |= 0x04 | (will.qos() << 3) | (will.retain() ? 0x20 : 0);
    }
    if (password != null) {
      flags |= 0x40;
    }
    if (user != null) {
      flags |= 0x80;
    }
    body.write(flags);
    body.write(0);
    body.write(60);
    if (version == 5) {
      body.write(0); // no properties
    }
    body.writeBytes(utf8(clientId));
    if (will != null) {
      if (version == 5) {
        body.write(0); // no will properties
      }
      body.writeBytes(utf8(will.topic()));
      body.writeBytes(binary(will.payload()));
    }
    if (user != null) {
      body.writeBytes(utf8(user));
    }
    if (password != null) {
      body.writeBytes(utf8(password));
    }
    return packet(CONNECT << 4, body.toByteArray());
  }

  /** SUBSCRIBE of one or more filters at QoS 1. */
  public static byte[] subscribe(int version, int packetId, String... filters) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(packetId >> 8);
    body.write(packetId);
    if (version == 5) {
      body.write(0);
    }
    for (String filter : filters) {
      body.writeBytes(utf8(filter));
      body.write(1);
    }
    return packet((SUBSCRIBE << 4) | 0x02, body.toByteArray());
  }

  /** PUBLISH; the packet id is written for QoS 1 and 2 only. */
  public static byte[] publish(int version, String topic, byte[] payload, int qos, boolean retain, int packetId) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(utf8(topic));
    if (qos > 0) {
      body.write(packetId >> 8);
      body.write(packetId);
    }
    if (version == 5) {
      body.write(0);
    }
    body.writeBytes(payload);
    return packet((PUBLISH << 4) | (qos << 1) | (retain ? 1 : 0), body.toByteArray());
  }

  public static byte[] pingreq() {
    return new byte[] {(byte) (PINGREQ << 4), 0};
  }

  public static byte[] disconnect() {
    return new byte[] {(byte) (DISCONNECT << 4), 0};
  }

  /** A packet: first byte (type and flags), remaining length, body. */
  public static byte[] packet(int first, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    out.writeBytes(varint(body.length));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** MQTT's variable byte integer. */
  public static byte[] varint(int value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    do {
      int digit = value % 128;
      value /= 128;
      out.write(digit | (value > 0 ? 0x80 : 0));
    } while (value > 0);
    return out.toByteArray();
  }

  /** A UTF-8 string with its two-byte length. */
  public static byte[] utf8(String text) {
    return binary(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Binary data with its two-byte length. */
  public static byte[] binary(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(data.length >> 8);
    out.write(data.length);
    out.writeBytes(data);
    return out.toByteArray();
  }

  // {value, bytes used} of a variable byte integer in body at offset
  static int[] varintAt(byte[] body, int offset) {
    int value = 0;
    int used = 0;
    for (int shift = 0; offset + used < body.length && shift <= 21; shift += 7) {
      int digit = body[offset + used++] & 0xFF;
      value |= (digit & 0x7F) << shift;
      if ((digit & 0x80) == 0) {
        break;
      }
    }
    return new int[] {value, used};
  }
}
