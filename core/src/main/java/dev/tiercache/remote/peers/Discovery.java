package dev.tiercache.remote.peers;

/**
 * How members of a cluster find each other.
 *
 * @author tiercache
 */
public enum Discovery {

	/**
	 * TCP bound to 127.0.0.1, probing a port range: several instances on one machine, no
	 * multicast. The default.
	 */
	LOOPBACK,

	/**
	 * A static list of {@code host[port]} members ({@code TCPPING}).
	 */
	STATIC,

	/**
	 * A DNS name that resolves to every member ({@code dns.DNS_PING}), such as a
	 * Kubernetes headless service.
	 */
	DNS,

	/**
	 * The Kubernetes API ({@code KUBE_PING}); needs
	 * {@code org.jgroups.kubernetes:jgroups-kubernetes}.
	 */
	KUBERNETES,

	/**
	 * A whole JGroups XML stack of the application's own.
	 */
	STACK

}
