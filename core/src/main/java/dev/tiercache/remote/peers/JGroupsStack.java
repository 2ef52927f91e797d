package dev.tiercache.remote.peers;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.spec.KeySpec;

import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.jgroups.JChannel;
import org.jgroups.protocols.BasicTCP;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.ProtocolStack;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.util.ClassUtils;

/**
 * Builds the JGroups channel tiercache uses: TCP with {@code tcp_nodelay}, no bundler and
 * direct message processing (the latency-tuned settings measured in the design), with
 * tiercache's own requests served on the thread that read them ({@link ServeOnReceiver})
 * and non-blocking sends (a queue and a sender thread per connection, so a thread that
 * answers never blocks on a full socket, and queued messages go out in one write); no
 * diagnostics (they use multicast), fast failure detection, and the discovery the
 * settings ask for. Every socket is bound to the bind address, the transport's client
 * sockets too, and {@code FD_SOCK2}, which JGroups would bind to every interface, listens
 * on it at the transport's port plus 100 (up to 102 if taken). With a shared secret,
 * {@code SYM_ENCRYPT} encrypts every message above discovery with an AES key derived from
 * it, so a node with another secret can neither join nor read.
 *
 * @author tiercache
 */
final class JGroupsStack {

	private JGroupsStack() {
	}

	static JChannel channel(PeersSettings settings) throws Exception {
		JChannel channel = new JChannel(stack(settings));
		if (settings.discovery() != Discovery.STACK) {
			bindToTransportAddress(channel.getProtocolStack());
		}
		if (settings.secret() != null && !settings.secret().isBlank()) {
			SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(key(settings.secret(), settings.clusterName()));
			channel.getProtocolStack().insertProtocol(encrypt, ProtocolStack.Position.BELOW, NAKACK2.class);
			// The stack initialized its protocols when the channel was created.
			encrypt.init();
		}
		return channel.setName(settings.nodeName());
	}

	/**
	 * Bind {@code FD_SOCK2}'s server socket and the transport's client sockets to the
	 * address the transport resolved from the bind address. Unless told otherwise,
	 * JGroups binds {@code FD_SOCK2} to every interface, and a keyword such as
	 * {@code SITE_LOCAL} that finds no address leaves it there while the transport falls
	 * back to an address of its own; so the address is taken from the initialized
	 * transport rather than written into the XML. Protocols create their sockets when the
	 * channel connects, after this.
	 */
	private static void bindToTransportAddress(ProtocolStack stack) {
		TP transport = stack.getTransport();
		InetAddress address = transport.getBindAddress();
		if (transport instanceof BasicTCP tcp) {
			tcp.setClientBindAddr(address);
		}
		FD_SOCK2 failureDetection = stack.findProtocol(FD_SOCK2.class);
		if (failureDetection != null) {
			failureDetection.setBindAddress(address);
		}
	}

	private static InputStream stack(PeersSettings settings) throws Exception {
		if (settings.discovery() == Discovery.STACK) {
			Resource resource = new DefaultResourceLoader().getResource(settings.stack());
			if (!resource.exists()) {
				throw new IllegalStateException("JGroups stack '" + settings.stack() + "' (tiercache.cluster.stack) "
						+ "does not exist; name a classpath: or file: resource");
			}
			return resource.getInputStream();
		}
		String xml = """
				<config xmlns="urn:org:jgroups">
				  <TCP bind_addr="%s" bind_port="%d" port_range="%d" diag.enabled="false" tcp_nodelay="true"
				       bundler_type="no-bundler" non_blocking_sends="true" max_send_queue="512"
				       message_processing_policy="dev.tiercache.remote.peers.ServeOnReceiver"
				       use_virtual_threads="false" sock_conn_timeout="300ms" thread_pool.min_threads="0"
				       thread_pool.max_threads="200" thread_pool.keep_alive_time="30s"/>
				  %s
				  <MERGE3 min_interval="2s" max_interval="5s"/>
				  <FD_SOCK2/>
				  <FD_ALL3 timeout="8s" interval="2s"/>
				  <VERIFY_SUSPECT2 timeout="1s"/>
				  <pbcast.NAKACK2 use_mcast_xmit="false"/>
				  <UNICAST3/>
				  <pbcast.STABLE desired_avg_gossip="20s" max_bytes="4M"/>
				  <pbcast.GMS join_timeout="1s" print_local_addr="false"/>
				  <UFC max_credits="4M" min_threshold="0.4"/>
				  <MFC max_credits="4M" min_threshold="0.4"/>
				  <FRAG4 frag_size="60K"/>
				</config>
				""".formatted(settings.bindAddress(), settings.port(), settings.portRange(), discovery(settings));
		return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The discovery protocol. A joiner sends its discovery requests three times within
	 * the join timeout ({@code num_discovery_runs}): a request can be lost without any
	 * network fault, when the joiner's connection to a member crosses one that member
	 * opens to the joiner's port at the same moment (it still sends there to a member
	 * that had the port and just died) and the transport keeps only one of the two. A
	 * joiner that hears no coordinator makes itself the coordinator of a cluster of its
	 * own, which merges seconds later, and meanwhile owns every key alone.
	 */
	private static String discovery(PeersSettings settings) {
		return switch (settings.discovery()) {
			case LOOPBACK -> ("<TCPPING initial_hosts=\"%s[%d]\" port_range=\"%d\" async_discovery=\"true\" "
					+ "num_discovery_runs=\"3\"/>")
				.formatted(settings.bindAddress(), settings.port(), settings.portRange());
			case STATIC ->
				"<TCPPING initial_hosts=\"%s\" port_range=\"0\" async_discovery=\"true\" num_discovery_runs=\"3\"/>"
					.formatted(String.join(",", settings.members()));
			case DNS -> "<dns.DNS_PING dns_query=\"%s\" dns_record_type=\"A\" num_discovery_runs=\"3\"/>"
				.formatted(settings.dnsQuery());
			case KUBERNETES -> {
				if (!ClassUtils.isPresent("org.jgroups.protocols.kubernetes.KUBE_PING", null)) {
					throw new IllegalStateException("tiercache.cluster.discovery=kubernetes needs "
							+ "org.jgroups.kubernetes:jgroups-kubernetes on the classpath; or use discovery=dns "
							+ "with a headless service");
				}
				yield "<org.jgroups.protocols.kubernetes.KUBE_PING num_discovery_runs=\"3\"/>";
			}
			case STACK -> throw new IllegalStateException("unreachable");
		};
	}

	/**
	 * Derive an AES-256 key from the shared secret (PBKDF2, salted with the cluster
	 * name).
	 */
	static SecretKey key(String secret, String clusterName) throws Exception {
		KeySpec spec = new PBEKeySpec(secret.toCharArray(),
				("tiercache:" + clusterName).getBytes(StandardCharsets.UTF_8), 65_536, 256);
		byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
		return new SecretKeySpec(key, "AES");
	}

}
