package io.zto.shared.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that runs once per storage back end (embedded SQLite and PostgreSQL), each time with a fresh
 * {@link io.zto.shared.store.Database} injected as a parameter. This is how one repository contract
 * suite covers both back ends.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BackendExtension.class)
public @interface BackendTest {}
