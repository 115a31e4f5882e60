package io.zto.est;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RFC 8951 base64 bodies and media types. */
class EstHttpTest {

  private static final byte[] DER = new byte[200];

  static {
    for (int i = 0; i < DER.length; i++) {
      DER[i] = (byte) (i * 7);
    }
  }

  @Test
  void base64IsAcceptedWithOrWithoutLineBreaksAndWhitespace() {
    // GIVEN the same bytes encoded in one line, in CRLF lines of 76, in LF lines of 64 with tabs and spaces
    String oneLine = Base64.getEncoder().encodeToString(DER);
    String crlf = Base64.getMimeEncoder().encodeToString(DER) + "\r\n";
    String messy = "  " + oneLine.substring(0, 64) + "\n\t" + oneLine.substring(64, 128) + " \n" + oneLine.substring(128)
        + "\n\n";
    // WHEN decoding THEN all give the bytes
    assertThat(EstHttp.decodeBase64(oneLine)).isEqualTo(DER);
    assertThat(EstHttp.decodeBase64(crlf)).isEqualTo(DER);
    assertThat(EstHttp.decodeBase64(messy)).isEqualTo(DER);
  }

  @Test
  void pemArmourIsTolerated() {
    // GIVEN a CSR as openssl writes it in PEM
    String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(DER)
        + "\n-----END CERTIFICATE REQUEST-----\n";
    // WHEN decoding THEN the armour lines are dropped
    assertThat(EstHttp.decodeBase64(pem)).isEqualTo(DER);
  }

  @Test
  void garbageAndEmptyBodiesAre400WithAReason() {
    // WHEN the body is not base64, or only whitespace THEN 400 says what to send
    assertThatThrownBy(() -> EstHttp.decodeBase64("not base64 !!!")).isInstanceOfSatisfying(EstException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).contains("not base64");
    });
    assertThatThrownBy(() -> EstHttp.decodeBase64(" \r\n ")).isInstanceOfSatisfying(EstException.class,
        e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void mediaTypesAreComparedWithoutParametersAndCase() {
    assertThat(EstHttp.mediaType("Application/PKCS10; charset=us-ascii")).isEqualTo("application/pkcs10");
    assertThat(EstHttp.mediaType("application/pkcs10")).isEqualTo("application/pkcs10");
  }

  @Test
  void base64LinesEndInCrlfAndRoundTrip() {
    String encoded = EstHttp.base64Lines(DER);
    assertThat(encoded).endsWith("\r\n").contains("\r\n");
    assertThat(EstHttp.decodeBase64(encoded)).isEqualTo(DER);
  }
}
