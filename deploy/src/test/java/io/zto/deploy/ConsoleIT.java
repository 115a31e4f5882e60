package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser: Debian's chromium driven by Selenium through chromium-driver,
 * headless, against {@code target/zto.jar} started once for the class, with device agents as processes
 * ({@code zto device}). The tests run in order, as an operator's session would: sign in, import, approve
 * a waiting device, revoke a certificate, read the audit log, look at every page.
 *
 * <p>With {@code -Dzto.console.screenshots=DIR} the pages are saved as DIR/*.png (1280x800) for
 * docs/console.md. A failing test saves the browser's view as target/console-failures/TEST.png.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration UI = Duration.ofSeconds(30);
  private static final Duration DEVICE = Duration.ofSeconds(120);
  private static final String WAITING = "gw-000001";
  private static final String IMPORTED = "gw-000002";

  @TempDir
  static Path tmp;

  private static ZtoProcess zto;
  private static OperatorClient operator;
  private static Path factory;
  private static ChromeDriver browser;
  private static DeviceProcess waitingAgent;
  private static DeviceProcess importedAgent;

  @RegisterExtension
  static final TestWatcher SCREENSHOT_ON_FAILURE = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (browser != null) {
        save(Path.of("target", "console-failures"), context.getRequiredTestMethod().getName());
      }
    }
  };

  @BeforeAll
  static void start() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("the console's browser tests need Debian's chromium and chromium-driver: apt-get install -y chromium"
            + " chromium-driver (.ci/run installs them)")
        .isTrue();
    zto = ZtoProcess.start(tmp.resolve("zto-data"), tmp.resolve("zto.log"));
    operator = new OperatorClient(zto.api(), zto.token());
    factory = factory();
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,800", "--lang=en");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().withTimeout(Duration.ofSeconds(60)).build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(UI).scriptTimeout(UI);
    viewport(1280, 800);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    for (DeviceProcess agent : new DeviceProcess[] {waitingAgent, importedAgent}) {
      if (agent != null) {
        agent.close();
      }
    }
    if (zto != null) {
      zto.stop();
    }
  }

  @Test
  @Order(1)
  void signInRefusesAWrongTokenAndAcceptsTheRightOne() throws Exception {
    // GIVEN the operator listener's root
    browser.get(zto.api() + "/");
    // THEN it leads to the console's sign-in page
    WebElement token = await(By.id("token"));
    assertThat(browser.getCurrentUrl()).contains("/console/");
    shot("sign-in");
    // WHEN a wrong token is entered
    token.sendKeys("not-the-token");
    browser.findElement(By.id("sign-in-button")).click();
    // THEN the page says the API refused it, keeps nothing, and the refusal is audited
    WebElement error = await(By.id("sign-in-error"));
    wait(UI).until(ExpectedConditions.textToBePresentInElement(error, "refused (401)"));
    assertThat(error.getText()).contains("wrong bearer token");
    assertThat(sessionToken()).isNull();
    assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
    wait(UI).until(driver -> !audit("api.authenticate", "refused").isEmpty());
    // WHEN the right token is typed and Enter pressed (the keyboard is enough)
    token.clear();
    token.sendKeys(zto.token(), Keys.ENTER);
    // THEN the overview shows the funnel and the token is kept for this tab only
    await(By.cssSelector("#funnel [data-count='registered']"));
    assertThat(browser.findElement(By.id("nav")).isDisplayed()).isTrue();
    assertThat(sessionToken()).isEqualTo(zto.token());
    assertThat(localStorageSize()).isZero();
    // WHEN the operator signs out THEN the token is forgotten and the sign-in page is back
    browser.findElement(By.id("sign-out")).click();
    await(By.id("token"));
    assertThat(sessionToken()).isNull();
    signIn();
  }

  @Test
  @Order(2)
  void anImportWithABadLineShowsThatLinesErrorAndARefusalIsExplained() throws Exception {
    // GIVEN a JSON lines file: the imported device's enrollment, then a line that is not JSON
    String good = Files.readAllLines(factory.resolve("enrollments.jsonl")).stream()
        .filter(line -> line.contains(IMPORTED)).findFirst().orElseThrow();
    Path file = tmp.resolve("plant-7.jsonl");
    Files.writeString(file, good + "\nthis is not json\n");
    // WHEN it is imported from the enrollments page
    go("enrollments");
    await(By.id("import-file")).sendKeys(file.toAbsolutePath().toString());
    browser.findElement(By.id("import-button")).click();
    // THEN the page names line 2 and why, and says one was imported
    WebElement line2 = await(By.cssSelector("#import-errors li[data-line='2']"));
    assertThat(line2.getText()).contains("line 2").contains("not a JSON object");
    assertThat(browser.findElement(By.id("import-summary")).getText()).contains("1 imported, 1 failed");
    // AND the good line is an enrollment, listed
    await(By.cssSelector("#enrollments tr[data-device='" + IMPORTED + "']"));
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/enrollments", null, null)).getJsonArray("items"))
        .hasSize(1);
    shot("enrollments");
    // WHEN the same device is registered again by hand THEN the page says what the API refused, and why
    browser.findElement(By.xpath("//summary[contains(., 'Register a device')]")).click();
    WebElement form = await(By.id("enrollment-form"));
    form.findElement(By.name("deviceId")).sendKeys(IMPORTED);
    form.findElement(By.cssSelector("button[type='submit']")).click();
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.id("errors"), "409"));
    assertThat(browser.findElement(By.id("errors")).getText()).contains("Registering failed (409 conflict)");
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/enrollments", null, null)).getJsonArray("items"))
        .hasSize(1);
  }

  @Test
  @Order(3)
  void aDeviceWaitingForApprovalAppearsInTheQueueWithoutAReloadAndIsApprovedFromThePage() throws Exception {
    // GIVEN a group of the customer CA whose devices wait for an operator, created on the page
    go("enrollments");
    click(By.xpath("//summary[contains(., 'Create a group')]"));
    Select anchor = new Select(await(By.id("group-anchor")));
    wait(UI).until(driver -> !anchor.getOptions().isEmpty());
    anchor.selectByIndex(0);
    WebElement form = browser.findElement(By.id("group-form"));
    form.findElement(By.name("name")).sendKeys("line-1");
    new Select(form.findElement(By.name("approval"))).selectByValue("manual");
    form.findElement(By.cssSelector("button[type='submit']")).click();
    await(By.xpath("//table[@id='groups']//td[normalize-space()='line-1']"));
    // AND the queue open, marked so that a reload would show
    go("queue");
    await(By.cssSelector("#provisioning-requests"));
    ((JavascriptExecutor) browser).executeScript("window.ztoNotReloaded = true");
    // WHEN a device of that CA powers on
    waitingAgent = DeviceProcess.start(factory, WAITING);
    // THEN its request appears in the queue by itself, with the evidence
    WebElement row = wait(DEVICE).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#provisioning-requests tr[data-device='" + WAITING + "']")));
    assertThat(((JavascriptExecutor) browser).executeScript("return window.ztoNotReloaded")).isEqualTo(true);
    assertThat(row.getText()).contains("LDevID fingerprint");
    shot("queue");
    // WHEN the operator approves it on the page
    click(By.cssSelector("#provisioning-requests tr[data-device='" + WAITING + "'] button[data-action='approve']"));
    // THEN the agent onboards: provisioned, enrolled over EST, connected
    waitingAgent.await("connected", DEVICE);
    assertThat(waitingAgent.said()).contains(WAITING + " provisioned", WAITING + " enrolled");
    // AND the queue empties without a reload
    wait(UI).until(ExpectedConditions.invisibilityOfElementLocated(
        By.cssSelector("#provisioning-requests tr[data-device='" + WAITING + "']")));
  }

  @Test
  @Order(4)
  void aCertificateRevokedFromTheDevicePageDropsTheDevice() throws Exception {
    // GIVEN the imported device onboarded and connected
    importedAgent = DeviceProcess.start(factory, IMPORTED);
    importedAgent.await("connected", DEVICE);
    // AND its page, with its valid certificate
    go("devices/" + IMPORTED);
    WebElement row = await(By.cssSelector("#certificate-table tr[data-serial]"));
    String serial = row.getAttribute("data-serial");
    assertThat(row.getText()).contains("valid");
    // WHEN the operator revokes it for key compromise (found afresh: live events may redraw the row)
    wait(UI).ignoring(StaleElementReferenceException.class).until(driver -> {
      WebElement current = driver.findElement(By.cssSelector("#certificate-table tr[data-serial='" + serial + "']"));
      new Select(current.findElement(By.name("reason"))).selectByValue("keyCompromise");
      current.findElement(By.cssSelector("button[data-action='revoke']")).click();
      return true;
    });
    // THEN the agent reports its session dropped
    importedAgent.await("disconnected", DEVICE);
    // AND the page shows the certificate revoked with the reason, and so does the API
    WebElement revoked = wait(UI).until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#certificate-table tr[data-serial='" + serial + "'] .badge-revoked")));
    assertThat(revoked.findElement(By.xpath("./ancestor::tr")).getText()).contains("keyCompromise");
    assertThat(browser.findElements(By.cssSelector("#certificate-table tr[data-serial='" + serial
        + "'] button[data-action='revoke']"))).isEmpty();
    JsonObject certificate = OperatorClient.json(operator.api("GET", "/api/v1/certificates/" + serial, null, null));
    assertThat(certificate.getString("status")).isEqualTo("revoked");
    assertThat(certificate.getString("revocationReason")).isEqualTo("keyCompromise");
    shot("device");
  }

  @Test
  @Order(5)
  void aCommandSentFromTheDevicePageShowsTheDevicesReply() throws Exception {
    // GIVEN the approved device, connected, on its page
    go("devices/" + WAITING);
    WebElement form = await(By.id("command-form"));
    // WHEN the operator sends it a ping
    WebElement name = form.findElement(By.name("name"));
    name.clear();
    name.sendKeys("ping");
    form.findElement(By.cssSelector("button[type='submit']")).click();
    // THEN the agent verifies and answers it, and the page shows the reply without a reload
    waitingAgent.await("command ping", DEVICE);
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.id("command-table"), "completed"));
    assertThat(browser.findElement(By.id("command-table")).getText()).contains("ping", "\"status\":\"ok\"");
  }

  @Test
  @Order(6)
  void aReprovisioningAfterRevocationIsRejectedFromTheQueueWithAReason() throws Exception {
    // GIVEN the revoked device back at the provisioning listener, waiting for an operator (key compromise)
    go("queue");
    WebElement row = wait(DEVICE).until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#provisioning-requests tr[data-device='" + IMPORTED + "']")));
    assertThat(row.getText()).contains("keyCompromise");
    // WHEN the operator ticks it and rejects the selection with a reason
    WebElement reason = browser.findElement(By.id("reject-reason"));
    reason.clear();
    reason.sendKeys("key found on a forum");
    wait(UI).ignoring(StaleElementReferenceException.class).until(driver -> {
      WebElement box = driver.findElement(By.cssSelector(
          "#provisioning-requests tr[data-device='" + IMPORTED + "'] input[data-select]"));
      if (!box.isSelected()) {
        box.click();
      }
      return box.isSelected();
    });
    browser.findElement(By.id("reject-selected")).click();
    // THEN the device hears the rejection with the reason, the queue empties, and the audit log has it
    assertThat(importedAgent.await("rejected", DEVICE)).contains("key found on a forum");
    wait(UI).until(ExpectedConditions.invisibilityOfElementLocated(
        By.cssSelector("#provisioning-requests tr[data-device='" + IMPORTED + "']")));
    wait(UI).until(driver -> audit("provisioning.reject", "succeeded").stream()
        .anyMatch(entry -> IMPORTED.equals(entry.getString("subject"))
            && "key found on a forum".equals(entry.getString("reason"))));
  }

  @Test
  @Order(7)
  void disableDropsTheDeviceEnableLetsItBackAndRetireAsksFirst() throws Exception {
    // GIVEN the approved device, connected, on its page
    go("devices/" + WAITING);
    // WHEN the operator disables it
    click(By.cssSelector("#device-actions button[data-action='disable']"));
    // THEN its agent is dropped and the page shows it disabled
    waitingAgent.await("disconnected", DEVICE);
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-header"), "disabled"));
    // WHEN it is enabled again THEN it is no longer disabled (provisioned, or pending already when its agent,
    // refused meanwhile, asked its manual-approval group again)
    click(By.cssSelector("#device-actions button[data-action='enable']"));
    wait(UI).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#device-actions button[data-action='disable']")));
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/devices/" + WAITING, null, null)).getString("state"))
        .isIn("provisioned", "pending");
    // WHEN the revoked device is to be retired THEN the page asks first, and nothing happens on cancel
    go("devices/" + IMPORTED);
    click(By.cssSelector("#device-actions button[data-action='retire']"));
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#device-actions .confirm"),
        "certificates are revoked"));
    click(By.xpath("//div[@id='device-actions']//div[contains(@class,'confirm')]//button[normalize-space()='Cancel']"));
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/devices/" + IMPORTED, null, null)).getString("state"))
        .isNotEqualTo("retired");
    // WHEN it is confirmed THEN the device is retired
    click(By.cssSelector("#device-actions button[data-action='retire']"));
    click(By.cssSelector("#device-actions button[data-action='retire-confirm']"));
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-header"), "retired"));
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/devices/" + IMPORTED, null, null)).getString("state"))
        .isEqualTo("retired");
  }

  @Test
  @Order(8)
  void theAuditPageShowsTheseActions() throws Exception {
    // GIVEN the actions of the tests before
    go("audit");
    // THEN the audit page lists each of them
    List<String> expected = List.of("api.authenticate", "enrollment.import", "enrollment-group.create",
        "provisioning.approve", "certificate.revoke", "command.send", "device.disable", "device.enable", "device.retire");
    for (String action : expected) {
      await(By.cssSelector("#audit tr[data-entry='" + action + "']"));
    }
    shot("audit");
    // WHEN filtered by action and outcome
    WebElement filters = browser.findElement(By.id("audit-filters"));
    filters.findElement(By.name("action")).sendKeys("certificate.revoke");
    new Select(filters.findElement(By.name("outcome"))).selectByValue("succeeded");
    filters.findElement(By.cssSelector("button[type='submit']")).click();
    // THEN only the revocation remains, by the operator, naming the imported device's certificate
    wait(UI).until(driver -> driver.findElements(By.cssSelector("#audit tbody tr")).size() == 1
        && !driver.findElements(By.cssSelector("#audit tr[data-entry='certificate.revoke']")).isEmpty());
    assertThat(browser.findElement(By.cssSelector("#audit tr[data-entry='certificate.revoke']")).getText())
        .contains("operator", "keyCompromise");
  }

  @Test
  @Order(9)
  void markupInAClientIdIsShownAsTextAndRunsNothing() throws Exception {
    // GIVEN an attacker who reaches the operational listener, without a certificate, with markup as client id
    String markup = "<img src=x onerror=window.ztoPwned=1>";
    Process attacker = new ProcessBuilder("mosquitto_pub", "-h", "localhost", "-p", Integer.toString(zto.operational()),
        "--cafile", zto.dataDir().resolve("root-ca.pem").toString(), "-V", "mqttv311", "-i", markup,
        "-u", "nobody", "-P", "wrong", "-t", "t", "-m", "x").redirectErrorStream(true).start();
    attacker.getOutputStream().close();
    if (!attacker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      attacker.destroyForcibly();
      throw new AssertionError("mosquitto_pub did not finish within 30 s");
    }
    // THEN it is refused, and the audit log names it by that client id
    assertThat(attacker.exitValue()).isNotZero();
    wait(UI).until(driver -> audit("mqtt.connect", "refused").stream()
        .anyMatch(entry -> markup.equals(entry.getString("actor"))));
    // WHEN the operator reads the refusals on the audit page
    go("audit");
    WebElement filters = await(By.id("audit-filters"));
    WebElement action = filters.findElement(By.name("action"));
    action.clear();
    action.sendKeys("mqtt.connect");
    new Select(filters.findElement(By.name("outcome"))).selectByValue("refused");
    filters.findElement(By.cssSelector("button[type='submit']")).click();
    // THEN the client id shows as the text it is, no element was made of it, and nothing ran
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), markup));
    assertThat(browser.findElements(By.cssSelector("#audit img"))).isEmpty();
    assertThat(((JavascriptExecutor) browser).executeScript("return window.ztoPwned === undefined")).isEqualTo(true);
  }

  @Test
  @Order(10)
  void everyPageRendersWithoutAnErrorAndFitsANarrowWindow() throws Exception {
    // GIVEN the fleet of the tests before
    String[][] pages = {{"overview", "#funnel [data-count='enrolled']"}, {"devices", "#devices tbody tr[data-device]"},
        {"enrollments", "#enrollments tbody tr"}, {"trust", "#anchors tbody tr"}, {"queue", "#provisioning-requests"},
        {"audit", "#audit tbody tr"}};
    for (String[] page : pages) {
      // WHEN each page is opened THEN it shows its content and no error
      go(page[0]);
      await(By.cssSelector(page[1]));
      assertThat(browser.findElement(By.id("errors")).getText()).as(page[0]).isEmpty();
    }
    go("devices");
    await(By.cssSelector("#devices tbody tr[data-device]"));
    shot("devices");
    // AND the overview counts the onboarded devices
    go("overview");
    wait(UI).until(ExpectedConditions.textToBe(By.cssSelector("#funnel [data-count='provisionRequested']"), "2"));
    wait(UI).until(ExpectedConditions.textToBe(By.cssSelector("#states [data-state='retired']"), "1"));
    await(By.cssSelector("#activity li"));
    shot("overview");
    // AND a refresh of the platform's CRL from the trust page reports its outcome
    go("trust");
    click(By.cssSelector("#crl-sources button[data-action='refresh']"));
    wait(UI).until(ExpectedConditions.textToBePresentInElementLocated(By.id("refresh-outcome"), "crl"));
    shot("trust");
    // AND the browser logged no script error on the way
    List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        // the refusals the tests provoke on purpose (the wrong token, the duplicate registration)
        .filter(entry -> !entry.getMessage().contains("status of 401") && !entry.getMessage().contains("status of 409"))
        .toList();
    assertThat(severe).isEmpty();
    // WHEN the window is as narrow as a phone THEN nothing needs horizontal scrolling
    viewport(400, 800);
    go("devices");
    await(By.cssSelector("#devices tbody tr[data-device]"));
    Object overflow = ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    shot("narrow");
    viewport(1280, 800);
    assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
  }

  // ---- helpers

  private static void signIn() throws Exception {
    browser.get(zto.api() + "/console/");
    await(By.id("token")).sendKeys(zto.token(), Keys.ENTER);
    await(By.id("funnel"));
  }

  /** Opens a page of the console by its hash route; a page change, not a reload. */
  private static void go(String route) {
    ((JavascriptExecutor) browser).executeScript("location.hash = arguments[0]", "#/" + route);
    wait(UI).until(driver -> ((JavascriptExecutor) driver).executeScript("return location.hash").equals("#/" + route));
  }

  /** Sizes the window so that the page itself (the screenshot) is width x height. */
  private static void viewport(int width, int height) {
    browser.manage().window().setSize(new Dimension(width, height));
    Number chrome = (Number) ((JavascriptExecutor) browser).executeScript("return window.outerHeight - window.innerHeight");
    browser.manage().window().setSize(new Dimension(width, height + chrome.intValue()));
  }

  /** Clicks what the locator finds once visible, finding it again if a live update redrew it meanwhile. */
  private static void click(By locator) {
    wait(UI).ignoring(StaleElementReferenceException.class).until(driver -> {
      WebElement element = ExpectedConditions.visibilityOfElementLocated(locator).apply(driver);
      if (element == null) {
        return false;
      }
      element.click();
      return true;
    });
  }

  private static WebElement await(By locator) {
    return wait(UI).until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  private static WebDriverWait wait(Duration timeout) {
    return new WebDriverWait(browser, timeout);
  }

  private static Object sessionToken() {
    return ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('zto.token')");
  }

  private static long localStorageSize() {
    return (Long) ((JavascriptExecutor) browser).executeScript("return localStorage.length");
  }

  /** Entries of the audit log, read through the API (the refusal's entry is written after the 401 is sent). */
  private static List<JsonObject> audit(String action, String outcome) {
    try {
      return OperatorClient.json(operator.api("GET", "/api/v1/audit?action=" + action + "&outcome=" + outcome, null,
          null)).getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    } catch (Exception e) {
      throw new IllegalStateException("the audit log could not be read: " + e, e);
    }
  }

  /** Saves the page for docs/console.md when -Dzto.console.screenshots names a directory. */
  private static void shot(String name) {
    String dir = System.getProperty("zto.console.screenshots");
    if (dir != null && !dir.isBlank()) {
      save(Path.of(dir), name);
    }
  }

  private static void save(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      File png = browser.getScreenshotAs(OutputType.FILE);
      Files.copy(png.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      System.err.println("could not save a screenshot " + name + ": " + e);
    }
  }

  /** Two factory devices, their CAs trusted (customer: ldevid, manufacturer: idevid); nothing enrolled. */
  private static Path factory() throws Exception {
    Path out = tmp.resolve("factory");
    Process process = new ProcessBuilder(ZtoProcess.java(), "-jar", ZtoProcess.JAR.toString(), "factory", "--out",
        out.toString(), "--count", "2", "--platform-data-dir", zto.dataDir().toString(),
        "--provisioning-url", "mqtts://localhost:" + zto.provisioning())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("factory.log").toFile()).start();
    if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("zto factory did not finish within 120 s");
    }
    assertThat(process.exitValue()).as(Files.readString(tmp.resolve("factory.log"))).isZero();
    for (String[] ca : new String[][] {{"customer", "ldevid"}, {"manufacturer", "idevid"}}) {
      assertThat(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", ca[0])
          .put("purpose", ca[1]).put("pem", Files.readString(out.resolve(ca[0] + "-ca.pem"))).encode()).statusCode())
          .isEqualTo(201);
    }
    return out;
  }
}
