package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tiercache.remote.peers.Discovery;

/**
 * Peers mode settings, under {@code tiercache.cluster}: how the application's instances
 * find and talk to each other.
 *
 * @author tiercache
 */
public class TierCacheClusterProperties {

	/**
	 * Name of the cluster; instances with the same name form one cache. Empty means
	 * 'spring.application.name', or else 'tiercache:' and the application's package.
	 */
	private String name = "";

	/**
	 * Address to listen on. Empty means 127.0.0.1 with 'loopback' discovery and the first
	 * non-loopback address otherwise; JGroups keywords such as 'SITE_LOCAL' or
	 * 'match-interface:eth.*' work too.
	 */
	private String bindAddress = "";

	/**
	 * First TCP port to listen on; when it is taken the next 'port-range' ports are
	 * tried.
	 */
	private int port = 7800;

	/**
	 * How many ports above 'port' to try, and (with 'loopback' discovery) to probe for
	 * other members, so that several instances can share a machine.
	 */
	private int portRange = 10;

	/**
	 * How members find each other: 'loopback' (instances on this machine), 'static' (the
	 * 'members' list), 'dns' (every address of 'dns-query', such as a Kubernetes headless
	 * service), 'kubernetes' (the Kubernetes API; needs
	 * org.jgroups.kubernetes:jgroups-kubernetes) or 'stack' (the JGroups XML named by
	 * 'stack').
	 */
	private Discovery discovery = Discovery.LOOPBACK;

	/**
	 * Members to contact with 'static' discovery, as host[port], such as 'app-1[7800]'.
	 */
	private List<String> members = new ArrayList<>();

	/**
	 * DNS name that resolves to the address of every member, for 'dns' discovery, such as
	 * 'books-peers.default.svc.cluster.local'.
	 */
	private String dnsQuery = "";

	/**
	 * JGroups XML configuration for 'stack' discovery, as a resource location such as
	 * 'classpath:jgroups.xml'.
	 */
	private String stack = "";

	/**
	 * Shared secret of the cluster. When set, every message is encrypted with a key
	 * derived from it, and a member with another secret can neither join nor read. Empty
	 * means no encryption; set it whenever the network is shared.
	 */
	private String secret = "";

	/**
	 * How long a node waits for a key's owner to answer before loading the value itself
	 * and keeping it in the hot tier only.
	 */
	private Duration rpcTimeout = Duration.ofMillis(250);

	/**
	 * How long the node loading a key holds its lease; other nodes asking for the key
	 * wait for the load, and take over after this if the loader died.
	 */
	private Duration leaseTimeout = Duration.ofSeconds(10);

	/**
	 * Whether a node fetches entries from their owners on connections of tiercache's own
	 * (one port per node, an ephemeral one on the bind address, advertised through the
	 * cluster) instead of through JGroups, which keeps membership, writes and
	 * invalidations. Faster; a node falls back to JGroups for an owner it cannot reach
	 * that way. Not used when a secret is set, since these connections are not encrypted.
	 */
	private boolean fetchTransport = true;

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public String getBindAddress() {
		return this.bindAddress;
	}

	public void setBindAddress(String bindAddress) {
		this.bindAddress = bindAddress;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public int getPortRange() {
		return this.portRange;
	}

	public void setPortRange(int portRange) {
		this.portRange = portRange;
	}

	public Discovery getDiscovery() {
		return this.discovery;
	}

	public void setDiscovery(Discovery discovery) {
		this.discovery = discovery;
	}

	public List<String> getMembers() {
		return this.members;
	}

	public void setMembers(List<String> members) {
		this.members = members;
	}

	public String getDnsQuery() {
		return this.dnsQuery;
	}

	public void setDnsQuery(String dnsQuery) {
		this.dnsQuery = dnsQuery;
	}

	public String getStack() {
		return this.stack;
	}

	public void setStack(String stack) {
		this.stack = stack;
	}

	public String getSecret() {
		return this.secret;
	}

	public void setSecret(String secret) {
		this.secret = secret;
	}

	public Duration getRpcTimeout() {
		return this.rpcTimeout;
	}

	public void setRpcTimeout(Duration rpcTimeout) {
		this.rpcTimeout = rpcTimeout;
	}

	public boolean isFetchTransport() {
		return this.fetchTransport;
	}

	public void setFetchTransport(boolean fetchTransport) {
		this.fetchTransport = fetchTransport;
	}

	public Duration getLeaseTimeout() {
		return this.leaseTimeout;
	}

	public void setLeaseTimeout(Duration leaseTimeout) {
		this.leaseTimeout = leaseTimeout;
	}

}
