package io.zto.shared.testing;

import io.vertx.core.Vertx;
import io.zto.shared.store.Database;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** Runs a {@link BackendTest} once per {@link Backend} and injects its {@link Database}. */
public final class BackendExtension implements TestTemplateInvocationContextProvider {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BackendExtension.class);

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getRequiredTestMethod().isAnnotationPresent(BackendTest.class);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    return Arrays.stream(Backend.values()).map(BackendExtension::invocation);
  }

  private static TestTemplateInvocationContext invocation(Backend backend) {
    return new TestTemplateInvocationContext() {
      @Override
      public String getDisplayName(int index) {
        return "[" + backend.name().toLowerCase() + "]";
      }

      @Override
      public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions() {
        return List.of(new DatabaseResolver(backend));
      }
    };
  }

  /** Opens the database on a Vert.x instance of its own, closed with the test. */
  private record DatabaseResolver(Backend backend) implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      Class<?> type = parameter.getParameter().getType();
      return type == Database.class || type == Backend.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      if (parameter.getParameter().getType() == Backend.class) {
        return backend;
      }
      return context.getStore(NS).getOrComputeIfAbsent("db", key -> open(), OpenDatabase.class).db;
    }

    private OpenDatabase open() {
      Vertx vertx = Vertx.vertx();
      return new OpenDatabase(vertx, Await.result(backend.open(vertx)));
    }
  }

  private record OpenDatabase(Vertx vertx, Database db) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      try {
        Await.result(db.close());
      } finally {
        Await.result(vertx.close());
      }
    }
  }
}
