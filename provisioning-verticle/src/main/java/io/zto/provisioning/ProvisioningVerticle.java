package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.CommandReply;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.config.Role;
import io.zto.shared.net.Health;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import io.zto.shared.trust.TrustKernel;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning service on the event bus: answers {@link Addresses#PROVISIONING_REQUEST} from the
 * broker with the answer JSON of contract section 4, takes operators' decisions, signs and tracks
 * remote-management commands, purges sealed answers, challenges and overdue commands, and warns about
 * certificates due for renewal ({@link RenewalWatch}).
 */
public final class ProvisioningVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningVerticle.class);
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

  private final Platform platform;
  private final Clock clock;
  private ProvisioningService service;
  private OperatorDecisions decisions;
  private CommandService commands;
  private RenewalWatch renewals;
  private TrustKernel kernel;

  public ProvisioningVerticle(Platform platform) {
    this(platform, Clock.systemUTC());
  }

  ProvisioningVerticle(Platform platform, Clock clock) {
    this.platform = platform;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    AnswerSeal seal = new AnswerSeal(platform.pki().issuingKey());
    SecretIssuer secrets = new SecretIssuer(vertx, platform, clock);
    kernel = TrustKernel.create(vertx, platform);
    service = new ProvisioningService(vertx, platform, clock, kernel, secrets, seal);
    decisions = new OperatorDecisions(vertx, platform, clock, secrets, seal);
    commands = new CommandService(vertx, platform, clock);
    renewals = new RenewalWatch(platform, clock);
    vertx.setPeriodic(PURGE_INTERVAL.toMillis(), id -> purge());
    vertx.setPeriodic(platform.config().provisioning().renewalCheckInterval().toMillis(), id -> checkRenewals());
    return Future.join(
        vertx.eventBus().<JsonObject>consumer(Addresses.PROVISIONING_REQUEST, this::request).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PROVISIONING_DECIDE, this::decide).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.COMMAND_CREATE,
            msg -> reply(msg, commands.create(msg.body() == null ? new JsonObject() : msg.body()), "command")).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.COMMAND_REPLY, this::commandReply).completion(),
        Health.register(vertx, Role.PROVISIONING.label(), () -> HealthReport.up(Role.PROVISIONING.label(),
            new JsonObject().put("database", platform.db().kind()))));
  }

  @Override
  public Future<?> stop() {
    return kernel == null ? Future.succeededFuture() : kernel.close();
  }

  private void request(Message<JsonObject> message) {
    ProvisioningRequestMessage request;
    try {
      request = ProvisioningRequestMessage.fromJson(message.body());
    } catch (RuntimeException e) {
      message.fail(BusFailure.BAD_REQUEST, "malformed provisioning request: " + e.getMessage());
      return;
    }
    reply(message, service.handle(request), "provisioning request of " + request.deviceId());
  }

  private void decide(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String id = body.getString("id");
    String decision = body.getString("decision");
    if (id == null || !("approve".equals(decision) || "reject".equals(decision))) {
      message.fail(BusFailure.BAD_REQUEST, "a decision needs an id and decision approve or reject");
      return;
    }
    reply(message, decisions.decide(id, "approve".equals(decision), body.getString("reason"),
        body.getString("actor", "operator")), "decision on provisioning request " + id);
  }

  private static void reply(Message<JsonObject> message, Future<JsonObject> result, String what) {
    result.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result());
      } else if (done.cause() instanceof ProvisioningException refused) {
        message.fail(refused.status(), refused.getMessage());
      } else {
        LOG.error("{} failed", what, done.cause());
        message.fail(BusFailure.INTERNAL, what + " failed: " + done.cause().getMessage());
      }
    });
  }

  private void commandReply(Message<JsonObject> message) {
    try {
      commands.reply(CommandReply.fromJson(message.body()))
          .onFailure(failure -> LOG.warn("cannot record a command reply: {}", failure.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("malformed command reply on the bus: {}", e.getMessage());
    }
  }

  private void checkRenewals() {
    renewals.check().onFailure(failure -> LOG.warn("cannot check certificates due for renewal: {}",
        failure.getMessage()));
  }

  private void purge() {
    var now = clock.instant();
    ProvisioningRequestRepository requests = new ProvisioningRequestRepository(platform.db());
    requests.purgeExpiredAnswers(now)
        .compose(ignored -> new ChallengeRepository(platform.db()).purgeExpired(now))
        .compose(ignored -> commands.expire())
        .compose(ignored -> requests.purgeUnknownOlderThan(now.minus(
            platform.config().provisioning().unknownRequestRetention())))
        .compose(ignored -> new AuditRepository(platform.db()).purgeOlderThan(now.minus(
            platform.config().audit().retention())))
        .onFailure(failure -> LOG.warn("cannot purge expired answers, challenges, stale requests or audit rows: {}",
            failure.getMessage()));
  }
}
