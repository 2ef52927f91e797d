package dev.tiercache.autoconfigure.actuate;

import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.ClusterView;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports tiercache's state as details. A cache is an optimisation, so a degraded remote
 * tier is reported in the details while the status stays UP: an orchestrator must not
 * restart healthy instances because their cache lost a peer or Redis.
 *
 * @author tiercache
 */
public class TierCacheHealthIndicator extends AbstractHealthIndicator {

	private final TierCacheManager cacheManager;

	private final ClusterView clusterView;

	public TierCacheHealthIndicator(TierCacheManager cacheManager, ClusterView clusterView) {
		super("tiercache health check failed");
		this.cacheManager = cacheManager;
		this.clusterView = clusterView;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.up()
			.withDetail("mode", this.clusterView.mode())
			.withDetail("node", this.clusterView.localMember())
			.withDetail("members", this.clusterView.members().size())
			.withDetail("caches", this.cacheManager.getCacheNames().size())
			.withDetail("degraded", this.clusterView.degraded())
			.withDetails(this.clusterView.details());
	}

}
