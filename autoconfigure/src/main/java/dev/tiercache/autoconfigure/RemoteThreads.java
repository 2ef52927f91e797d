package dev.tiercache.autoconfigure;

import dev.tiercache.TierCacheManager;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.util.ClassUtils;

/**
 * The threads of asynchronous remote work, configured as Spring Boot configures its own
 * executors: virtual threads when {@code spring.threads.virtual.enabled=true} on Java 21
 * or later, else at most {@code tiercache.remote-threads} platform threads; every task
 * decorated with the application's {@link TaskDecorator}, or, when Micrometer's context
 * propagation library is present, with Spring's {@link ContextPropagatingTaskDecorator},
 * so that the caller's trace, MDC and security context reach loaders that run there.
 *
 * @author tiercache
 */
final class RemoteThreads {

	private static final String CONTEXT_PROPAGATION = "io.micrometer.context.ContextSnapshotFactory";

	private RemoteThreads() {
	}

	static void configure(TierCacheManager.Builder builder, TierCacheProperties properties, Environment environment,
			ObjectProvider<TaskDecorator> taskDecorators, @Nullable ClassLoader classLoader) {
		builder.virtualThreads(Threading.VIRTUAL.isActive(environment));
		RemoteTierSupport.settings("tiercache", properties, () -> builder.remoteThreads(properties.getRemoteThreads()));
		TaskDecorator decorator = taskDecorators.getIfUnique();
		if (decorator == null && ClassUtils.isPresent(CONTEXT_PROPAGATION, classLoader)) {
			decorator = new ContextPropagatingTaskDecorator();
		}
		if (decorator != null) {
			builder.taskDecorator(decorator);
		}
	}

}
