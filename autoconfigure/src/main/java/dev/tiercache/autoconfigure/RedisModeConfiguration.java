package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.tiercache.remote.redis.RedisRemoteTier;
import dev.tiercache.remote.redis.RedisTierSettings;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.resource.Delay;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Redis mode: a {@link RedisRemoteTier} on the application's
 * {@link RedisConnectionFactory}, which Spring Boot configures from
 * {@code spring.data.redis.*}.
 *
 * @author tiercache
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnProperty(name = "tiercache.mode", havingValue = "redis")
class RedisModeConfiguration {

	private static final Log logger = LogFactory.getLog(RedisModeConfiguration.class);

	/**
	 * The Redis tier; a lifecycle bean, so it subscribes once the connection factory has
	 * started, and is stopped (as is the manager that uses it) at shutdown.
	 */
	@Bean
	RedisRemoteTier tierCacheRemoteTier(TierCacheProperties properties,
			ObjectProvider<RedisConnectionFactory> connections, TierCacheNode node, BeanFactory beanFactory,
			Environment environment) {
		RedisConnectionFactory connectionFactory = connections.getIfAvailable();
		if (connectionFactory == null) {
			throw new IllegalStateException("tiercache.mode=redis needs a RedisConnectionFactory: add "
					+ "org.springframework.boot:spring-boot-starter-data-redis and set spring.data.redis.host and "
					+ "spring.data.redis.port (or spring.data.redis.url)");
		}
		if (environment.getProperty("spring.data.redis.timeout") == null) {
			logger.warn("tiercache: spring.data.redis.timeout is not set, so a dead Redis holds each request for the "
					+ "client's default timeout (60s for Lettuce) before tiercache falls back to the local tier; "
					+ "set it to a few hundred milliseconds, for example spring.data.redis.timeout=250ms");
		}
		return RedisRemoteTier.create(connectionFactory, RemoteTierSupport.codec(properties, beanFactory),
				settings(properties.getRedis()), node::name);
	}

	/**
	 * Lettuce's reconnect back-off, capped at {@code tiercache.redis.retry-interval}:
	 * Lettuce's default doubles up to 30 s, so after an outage of 10 s a connection came
	 * back up to 10 s after Redis, and no node heard invalidations meanwhile. Applied
	 * first, so that an application's own customizer overrides it.
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	ClientResourcesBuilderCustomizer tierCacheReconnectDelay(TierCacheProperties properties) {
		Duration cap = properties.getRedis().getRetryInterval();
		return (builder) -> builder
			.reconnectDelay(() -> Delay.exponential(Duration.ofMillis(1), cap, 2, TimeUnit.MILLISECONDS));
	}

	/**
	 * On a Redis Cluster, a periodic topology refresh unless the application has one
	 * ({@link PeriodicClusterTopologyRefresh}).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ LettuceClientOptionsBuilderCustomizer.class, ClusterClientOptions.class })
	static class LettuceClusterConfiguration {

		@Bean
		LettuceClientOptionsBuilderCustomizer tierCacheClusterTopologyRefresh() {
			return new PeriodicClusterTopologyRefresh();
		}

	}

	private static RedisTierSettings settings(TierCacheRedisProperties redis) {
		return RemoteTierSupport.settings("tiercache.redis", redis,
				() -> new RedisTierSettings(redis.getKeyPrefix(), redis.getLeaseTimeout(),
						redis.getInvalidationTimeout(), redis.getHeartbeatInterval(), redis.isTimeToIdle(),
						redis.getFailureThreshold(), redis.getRetryInterval(), redis.getClientTracking(),
						redis.getOnOutage()));
	}

}
