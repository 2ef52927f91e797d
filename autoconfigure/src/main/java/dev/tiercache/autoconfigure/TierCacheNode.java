package dev.tiercache.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The name of this node: {@code tiercache.node-name}, or the host name and the port the
 * web server listens on. The port is read when the name is asked for, so that a random
 * port ({@code server.port=0}) shows as the port actually bound.
 *
 * @author tiercache
 */
public final class TierCacheNode {

	private final String configuredName;

	private final Environment environment;

	private final String hostName;

	TierCacheNode(String configuredName, Environment environment) {
		this.configuredName = configuredName;
		this.environment = environment;
		this.hostName = hostName();
	}

	/**
	 * Return the node's name.
	 * @return the configured name, or host and port
	 */
	public String name() {
		if (StringUtils.hasText(this.configuredName)) {
			return this.configuredName;
		}
		String port = this.environment.getProperty("local.server.port",
				this.environment.getProperty("server.port", "8080"));
		return this.hostName + ":" + port;
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

	@Override
	public String toString() {
		return name();
	}

}
