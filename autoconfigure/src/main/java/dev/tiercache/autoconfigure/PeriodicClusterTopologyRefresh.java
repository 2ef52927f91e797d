package dev.tiercache.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;

/**
 * Makes Lettuce refresh its view of a Redis Cluster every {@link #PERIOD} unless the
 * application has a periodic refresh already
 * ({@code spring.data.redis.lettuce.cluster.refresh.period} or a customizer of its own).
 * Spring Boot 4.1 and Lettuce 7 enable every adaptive trigger, but a trigger fires only
 * on a command's failure and at most once every 5 seconds, often while the failover is
 * still under way: after a master was killed, commands to its slots kept failing for 6 to
 * 7 seconds after the cluster had recovered; with this refresh, for at most
 * {@link #PERIOD}. Everything else the application configured is kept.
 *
 * @author tiercache
 */
final class PeriodicClusterTopologyRefresh implements LettuceClientOptionsBuilderCustomizer {

	static final Duration PERIOD = Duration.ofSeconds(5);

	@Override
	public void customize(ClientOptions.Builder builder) {
		if (!(builder instanceof ClusterClientOptions.Builder cluster)) {
			return;
		}
		ClusterTopologyRefreshOptions current = cluster.build().getTopologyRefreshOptions();
		if (current.isPeriodicRefreshEnabled()) {
			return;
		}
		cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
			.disableAllAdaptiveRefreshTriggers()
			.enableAdaptiveRefreshTrigger(current.getAdaptiveRefreshTriggers().toArray(RefreshTrigger[]::new))
			.adaptiveRefreshTriggersTimeout(current.getAdaptiveRefreshTimeout())
			.refreshTriggersReconnectAttempts(current.getRefreshTriggersReconnectAttempts())
			.closeStaleConnections(current.isCloseStaleConnections())
			.dynamicRefreshSources(current.useDynamicRefreshSources())
			.enablePeriodicRefresh(PERIOD)
			.build());
	}

}
