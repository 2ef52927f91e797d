package dev.tiercache.autoconfigure;

import dev.tiercache.remote.peers.Discovery;
import dev.tiercache.remote.peers.PeersRemoteTier;
import dev.tiercache.remote.peers.PeersSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Peers mode: a {@link PeersRemoteTier} that joins the application's other instances with
 * JGroups, configured from {@code tiercache.cluster.*}. Only when JGroups is on the class
 * path: core and the starter declare it optional, so an application in peers mode adds
 * {@code org.jgroups:jgroups}.
 *
 * @author tiercache
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = Libraries.JGROUPS_CLASS)
@ConditionalOnProperty(name = "tiercache.mode", havingValue = "peers")
class PeersModeConfiguration {

	private static final Log logger = LogFactory.getLog(PeersModeConfiguration.class);

	/**
	 * The peers tier; a lifecycle bean that joins the cluster once the context is
	 * refreshed (after the web server has bound its port, which is part of the default
	 * node name) and hands its entries to the other members before it leaves.
	 */
	@Bean
	PeersRemoteTier tierCacheRemoteTier(TierCacheProperties properties, TierCacheNode node, BeanFactory beanFactory,
			Environment environment) {
		TierCacheClusterProperties cluster = properties.getCluster();
		PeersSettings settings = RemoteTierSupport.settings("tiercache", properties,
				() -> new PeersSettings(clusterName(cluster, environment, beanFactory), node.name(),
						bindAddress(cluster), cluster.getPort(), cluster.getPortRange(), cluster.getDiscovery(),
						cluster.getMembers(), cluster.getDnsQuery(), cluster.getStack(), cluster.getSecret(),
						cluster.getRpcTimeout(), cluster.getLeaseTimeout(), cluster.isFetchTransport()));
		if (!StringUtils.hasText(cluster.getSecret()) && cluster.getDiscovery() != Discovery.LOOPBACK) {
			logger.warn("tiercache: tiercache.cluster.secret is not set, so cache traffic between members is "
					+ "neither authenticated nor encrypted; set the same secret on every member");
		}
		return PeersRemoteTier.create(settings, RemoteTierSupport.codec(properties, beanFactory), node::name);
	}

	/**
	 * The cluster name: {@code tiercache.cluster.name}, else
	 * {@code spring.application.name}, else the application's package (that of its
	 * {@code @SpringBootApplication}), so that two unrelated applications on one host
	 * never join each other's cluster.
	 */
	static String clusterName(TierCacheClusterProperties cluster, Environment environment, BeanFactory beanFactory) {
		if (StringUtils.hasText(cluster.getName())) {
			return cluster.getName();
		}
		String application = environment.getProperty("spring.application.name");
		if (StringUtils.hasText(application)) {
			return application;
		}
		if (AutoConfigurationPackages.has(beanFactory) && !AutoConfigurationPackages.get(beanFactory).isEmpty()) {
			String name = "tiercache:" + AutoConfigurationPackages.get(beanFactory).get(0);
			logger.info("tiercache: neither tiercache.cluster.name nor spring.application.name is set; the cluster is "
					+ "named '" + name + "' after the application's package");
			return name;
		}
		throw new IllegalStateException("tiercache.mode=peers needs a cluster name, so that unrelated applications "
				+ "on one host do not share a cache: set spring.application.name or tiercache.cluster.name");
	}

	private static String bindAddress(TierCacheClusterProperties cluster) {
		if (StringUtils.hasText(cluster.getBindAddress())) {
			return cluster.getBindAddress();
		}
		return (cluster.getDiscovery() == Discovery.LOOPBACK) ? "127.0.0.1" : "NON_LOOPBACK";
	}

}
