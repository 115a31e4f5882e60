package io.zto.simulator;

import io.vertx.core.json.JsonObject;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.ProvisioningCredentials;
import java.io.PrintStream;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code zto factory}: plays device factory and customer for tests and trials. Makes a manufacturer CA
 * (IDevIDs) and a customer CA (LDevIDs), then N devices, each with an IDevID carrying a
 * HardwareModuleName, an LDevID whose subject serialNumber is its device id, and a factory config
 * pointing at the platform's provisioning listener. Also writes {@code enrollments.jsonl} for the bulk
 * import. Keys are written owner-only.
 */
public final class FactoryTool {

  static final String USAGE = """
      usage: zto factory --out DIR [--count N] [--prefix gw-] [--provisioning-url mqtts://localhost:8884]
                         [--platform-data-dir ./zto-data] [--approval auto|manual]
        Makes a manufacturer CA, a customer CA and N device identities with factory configs in DIR.
        --platform-data-dir  where to read provisioning-credentials.json and root-ca.pem (default ./zto-data)
      """;

  private FactoryTool() {}

  /** Runs the tool; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options;
    try {
      options = options(args);
    } catch (IllegalArgumentException e) {
      err.println("zto factory: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (options.containsKey("help")) {
      out.print(USAGE);
      return 0;
    }
    try {
      Path dir = make(options);
      out.println("wrote " + options.getOrDefault("count", "1") + " devices to " + dir.toAbsolutePath().normalize());
      out.println("trust " + dir.resolve("customer-ca.pem") + " as purpose ldevid and "
          + dir.resolve("manufacturer-ca.pem") + " as idevid, then import " + dir.resolve("enrollments.jsonl"));
      return 0;
    } catch (RuntimeException e) {
      err.println("zto factory: " + e.getMessage());
      return 1;
    }
  }

  static Path make(Map<String, String> options) {
    Path out = Path.of(require(options, "out"));
    int count = Integer.parseInt(options.getOrDefault("count", "1"));
    if (count < 1) {
      throw new IllegalArgumentException("--count must be at least 1");
    }
    String prefix = options.getOrDefault("prefix", "gw-");
    Path platform = Path.of(options.getOrDefault("platform-data-dir", "zto-data"));
    JsonObject credentials = new JsonObject(SecureFiles.readString(platform.resolve("provisioning-credentials.json")));
    String root = SecureFiles.readString(platform.resolve("root-ca.pem"));
    String url = options.getOrDefault("provisioning-url", "mqtts://localhost:8884");
    String approval = options.getOrDefault("approval", "auto");

    SecureFiles.ensureDirectory(out);
    FactoryCa manufacturer = FactoryCa.create("Factory Manufacturer IDevID CA", "Factory");
    FactoryCa customer = FactoryCa.create("Factory Customer LDevID CA", "Customer");
    writeCa(out, "manufacturer-ca", manufacturer);
    writeCa(out, "customer-ca", customer);
    StringBuilder enrollments = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      String deviceId = String.format("%s%06d", prefix, i);
      writeDevice(out.resolve("devices").resolve(deviceId), deviceId, manufacturer, customer, url,
          new ProvisioningCredentials(credentials.getString("username"), credentials.getString("password")), root);
      enrollments.append(new JsonObject().put("deviceId", deviceId).put("approval", approval).encode()).append('\n');
    }
    SecureFiles.writeAtomically(out.resolve("enrollments.jsonl"), enrollments.toString());
    return out;
  }

  private static void writeCa(Path out, String name, FactoryCa ca) {
    SecureFiles.writeAtomically(out.resolve(name + ".pem"), Pem.encode(ca.certificate()));
    SecureFiles.writeAtomically(out.resolve(name + "-key.pem"), Pem.encode(ca.key()));
  }

  private static void writeDevice(Path dir, String deviceId, FactoryCa manufacturer, FactoryCa customer, String url,
                                  ProvisioningCredentials credentials, String root) {
    SecureFiles.ensureDirectory(dir);
    FactoryCa.Issued idevid = manufacturer.idevid("SN-" + deviceId, "HW-" + deviceId);
    FactoryCa.Issued ldevid = customer.ldevid(deviceId);
    SecureFiles.writeAtomically(dir.resolve("idevid.pem"), Pem.encode(idevid.certificate()));
    SecureFiles.writeAtomically(dir.resolve("idevid-key.pem"), Pem.encode(idevid.keyPair().getPrivate()));
    SecureFiles.writeAtomically(dir.resolve("ldevid.pem"), Pem.encode(ldevid.certificate()));
    SecureFiles.writeAtomically(dir.resolve("ldevid-key.pem"), Pem.encode(ldevid.keyPair().getPrivate()));
    FactoryConfig config = new FactoryConfig(deviceId, url, credentials.username(), credentials.password(), root,
        dir.resolve("ldevid.pem"), dir.resolve("ldevid-key.pem"), dir.resolve("idevid.pem"), dir.resolve("idevid-key.pem"));
    SecureFiles.writeAtomically(dir.resolve("factory.json"), config.toJson(dir).encodePrettily());
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        options.put("help", "true");
      } else if (arg.startsWith("--") && arg.contains("=")) {
        options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else if (arg.startsWith("--") && i + 1 < args.length) {
        options.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
    }
    return options;
  }

  private static String require(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

}
