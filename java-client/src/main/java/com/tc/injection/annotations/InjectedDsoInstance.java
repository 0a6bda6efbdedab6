package com.tc.injection.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of type {@link com.tc.cluster.DsoCluster} that the agent fills in (Terracotta's
 * annotation, same name). The injection itself comes with the agent's instrumentation; today call
 * {@code Kiln.cluster().dsoCluster()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectedDsoInstance {}
