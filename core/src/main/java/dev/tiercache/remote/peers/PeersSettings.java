package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Immutable settings of the peers tier.
 *
 * @param clusterName the JGroups cluster; members of different applications must use
 * different names
 * @param nodeName this member's logical name, unique in the cluster and stable across
 * restarts
 * @param bindAddress the address to listen on
 * @param port the first port to try; the next {@code portRange} ports are tried too
 * @param portRange how many ports above {@code port} to try, and to probe for members
 * with {@link Discovery#LOOPBACK}
 * @param discovery how members find each other
 * @param members {@code host[port]} members for {@link Discovery#STATIC}
 * @param dnsQuery the DNS name for {@link Discovery#DNS}
 * @param stack the JGroups XML resource for {@link Discovery#STACK}
 * @param secret a shared secret that encrypts cluster traffic, or {@code null}
 * @param rpcTimeout how long to wait for a peer before loading locally
 * @param leaseTimeout how long a load lease lasts
 * @param fetchTransport whether reads from a key's owner travel on tiercache's own
 * connections ({@code FetchServer}) rather than through JGroups; ignored, and reads stay
 * on JGroups, when a {@code secret} is set, since those connections are not encrypted
 * @author tiercache
 */
public record PeersSettings(String clusterName, String nodeName, String bindAddress, int port, int portRange,
		Discovery discovery, List<String> members, @Nullable String dnsQuery, @Nullable String stack,
		@Nullable String secret, Duration rpcTimeout, Duration leaseTimeout, boolean fetchTransport) {

	public PeersSettings {
		Assert.hasText(clusterName, "cluster.name must not be empty; it defaults to spring.application.name");
		Assert.hasText(nodeName, "node-name must not be empty");
		Assert.isTrue(port > 0 && port < 65536, "cluster.port must be a TCP port between 1 and 65535");
		Assert.isTrue(portRange >= 0 && port + portRange < 65536, "cluster.port-range must keep ports below 65536");
		Assert.isTrue(discovery != Discovery.STATIC || !members.isEmpty(),
				"cluster.members must list host[port] members when cluster.discovery=static");
		Assert.isTrue(discovery != Discovery.DNS || (dnsQuery != null && !dnsQuery.isBlank()),
				"cluster.dns-query must name the DNS record of the members when cluster.discovery=dns");
		Assert.isTrue(discovery != Discovery.STACK || (stack != null && !stack.isBlank()),
				"cluster.stack must name a JGroups XML resource when cluster.discovery=stack");
		Assert.isTrue(!rpcTimeout.isNegative() && !rpcTimeout.isZero(), "cluster.rpc-timeout must be positive");
		Assert.isTrue(!leaseTimeout.isNegative() && !leaseTimeout.isZero(), "cluster.lease-timeout must be positive");
		members = List.copyOf(members);
	}

	/**
	 * Settings with the fetch transport on.
	 * @param clusterName the JGroups cluster
	 * @param nodeName this member's logical name
	 * @param bindAddress the address to listen on
	 * @param port the first port to try
	 * @param portRange how many ports above {@code port} to try
	 * @param discovery how members find each other
	 * @param members {@code host[port]} members for {@link Discovery#STATIC}
	 * @param dnsQuery the DNS name for {@link Discovery#DNS}
	 * @param stack the JGroups XML resource for {@link Discovery#STACK}
	 * @param secret a shared secret that encrypts cluster traffic, or {@code null}
	 * @param rpcTimeout how long to wait for a peer before loading locally
	 * @param leaseTimeout how long a load lease lasts
	 */
	public PeersSettings(String clusterName, String nodeName, String bindAddress, int port, int portRange,
			Discovery discovery, List<String> members, @Nullable String dnsQuery, @Nullable String stack,
			@Nullable String secret, Duration rpcTimeout, Duration leaseTimeout) {
		this(clusterName, nodeName, bindAddress, port, portRange, discovery, members, dnsQuery, stack, secret,
				rpcTimeout, leaseTimeout, true);
	}

	/**
	 * Return whether reads use the fetch transport: asked for, and no secret set.
	 * @return whether this member opens a fetch port and reads through it
	 */
	public boolean usesFetchTransport() {
		return this.fetchTransport && (this.secret == null || this.secret.isBlank());
	}

	/**
	 * Return these settings with another node name.
	 * @param name the node name
	 * @return the new settings
	 */
	public PeersSettings withNodeName(String name) {
		return new PeersSettings(this.clusterName, name, this.bindAddress, this.port, this.portRange, this.discovery,
				this.members, this.dnsQuery, this.stack, this.secret, this.rpcTimeout, this.leaseTimeout,
				this.fetchTransport);
	}

	/**
	 * Return these settings with the fetch transport on or off.
	 * @param fetchTransport whether reads travel on tiercache's own connections
	 * @return the new settings
	 */
	public PeersSettings withFetchTransport(boolean fetchTransport) {
		return new PeersSettings(this.clusterName, this.nodeName, this.bindAddress, this.port, this.portRange,
				this.discovery, this.members, this.dnsQuery, this.stack, this.secret, this.rpcTimeout,
				this.leaseTimeout, fetchTransport);
	}

}
