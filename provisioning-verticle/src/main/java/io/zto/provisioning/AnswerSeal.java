package io.zto.provisioning;

import io.vertx.core.json.JsonObject;
import io.zto.shared.security.Secrets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Seals a provisioning answer (it holds the device's fresh secrets) for the requestId window, so a
 * repeated request gets the same answer while the database holds no secret in the clear. AES-256-GCM
 * with a key derived (HKDF-SHA256) from the issuing CA's private key: every node that can issue
 * certificates has it, so a repeat that lands on another node opens the answer too. The row id is the
 * associated data, so a sealed answer cannot be moved to another request.
 */
final class AnswerSeal {

  private static final byte[] INFO = "zto provisioning answer v1".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;

  AnswerSeal(PrivateKey issuingKey) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(issuingKey.getEncoded(), null, INFO));
    byte[] derived = new byte[32];
    hkdf.generateBytes(derived, 0, derived.length);
    this.key = new SecretKeySpec(derived, "AES");
  }

  byte[] seal(String requestRowId, JsonObject answer) {
    byte[] nonce = Secrets.randomBytes(NONCE_BYTES);
    byte[] sealed = cipher(Cipher.ENCRYPT_MODE, nonce, requestRowId).doFinalUnchecked(answer.toBuffer().getBytes());
    return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
  }

  JsonObject open(String requestRowId, byte[] sealed) {
    byte[] nonce = new byte[NONCE_BYTES];
    ByteBuffer buffer = ByteBuffer.wrap(sealed).get(nonce);
    byte[] body = new byte[buffer.remaining()];
    buffer.get(body);
    return new JsonObject(new String(cipher(Cipher.DECRYPT_MODE, nonce, requestRowId).doFinalUnchecked(body),
        StandardCharsets.UTF_8));
  }

  private Gcm cipher(int mode, byte[] nonce, String requestRowId) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(requestRowId.getBytes(StandardCharsets.UTF_8));
      return new Gcm(cipher);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e.getMessage(), e);
    }
  }

  private record Gcm(Cipher cipher) {
    byte[] doFinalUnchecked(byte[] input) {
      try {
        return cipher.doFinal(input);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("sealed provisioning answer does not open: " + e.getMessage(), e);
      }
    }
  }
}
