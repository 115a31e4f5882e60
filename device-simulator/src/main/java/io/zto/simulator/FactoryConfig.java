package io.zto.simulator;

import io.vertx.core.json.JsonObject;
import io.zto.shared.files.SecureFiles;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A device's factory config ({@code factory.json}, contract section 1 step 1): where and how to ask to
 * be provisioned, and where its IDevID and LDevID (certificate and key, PEM) are. Relative paths are
 * relative to the file. The LDevID paths may be null where the LDevID is held in memory (the fleet
 * simulator); {@link #read} insists on them. The IDevID is optional, but a config that names one names its
 * key too: the device proves its IDevID by signing with that key ({@code idevidProof}).
 */
public record FactoryConfig(String deviceId, String provisioningUrl, String username, String password,
                            String trustAnchorsPem, Path ldevidCertificate, Path ldevidKey, Path idevidCertificate,
                            Path idevidKey) {

  public FactoryConfig {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(provisioningUrl, "provisioning.url");
  }

  public JsonObject toJson(Path base) {
    JsonObject json = new JsonObject()
        .put("deviceId", deviceId)
        .put("provisioning", new JsonObject().put("url", provisioningUrl).put("username", username)
            .put("password", password).put("trustAnchors", trustAnchorsPem))
        .put("ldevid", new JsonObject().put("certificate", relative(base, ldevidCertificate))
            .put("key", relative(base, ldevidKey)));
    if (idevidCertificate != null) {
      json.put("idevid", new JsonObject().put("certificate", relative(base, idevidCertificate))
          .put("key", relative(base, idevidKey)));
    }
    return json;
  }

  /** Reads a {@code factory.json}; a missing field is a clear error naming it. */
  public static FactoryConfig read(Path file) {
    JsonObject json = new JsonObject(SecureFiles.readString(file));
    Path base = file.toAbsolutePath().getParent();
    JsonObject provisioning = json.getJsonObject("provisioning", new JsonObject());
    JsonObject ldevid = json.getJsonObject("ldevid", new JsonObject());
    JsonObject idevid = json.getJsonObject("idevid");
    try {
      Objects.requireNonNull(ldevid.getString("certificate"), "ldevid.certificate");
      Objects.requireNonNull(ldevid.getString("key"), "ldevid.key");
      if (idevid != null) {
        // the IDevID counts only as a proof signed with its key (idevidProof), never as a bare certificate
        Objects.requireNonNull(idevid.getString("certificate"), "idevid.certificate");
        Objects.requireNonNull(idevid.getString("key"), "idevid.key");
      }
      return new FactoryConfig(json.getString("deviceId"), provisioning.getString("url"),
          provisioning.getString("username"), provisioning.getString("password"),
          provisioning.getString("trustAnchors"), resolve(base, ldevid.getString("certificate")),
          resolve(base, ldevid.getString("key")), idevid == null ? null : resolve(base, idevid.getString("certificate")),
          idevid == null ? null : resolve(base, idevid.getString("key")));
    } catch (NullPointerException e) {
      throw new IllegalArgumentException(file + " lacks " + e.getMessage());
    }
  }

  private static Path resolve(Path base, String path) {
    return path == null ? null : base.resolve(path);
  }

  private static String relative(Path base, Path path) {
    return path == null ? null : base.toAbsolutePath().relativize(path.toAbsolutePath()).toString();
  }
}
