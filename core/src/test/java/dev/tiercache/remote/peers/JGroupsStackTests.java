package dev.tiercache.remote.peers;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jgroups.JChannel;
import org.jgroups.blocks.cs.NioServer;
import org.jgroups.blocks.cs.TcpServer;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.TCP;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JGroups stack tiercache builds listens on the configured bind address only, and
 * connects from it.
 */
class JGroupsStackTests {

	@Test
	void everySocketOfTheStackIsBoundToTheBindAddress() throws Exception {
		int port = PeersCluster.freePortRange(3);
		PeersSettings settings = PeersCluster.settings("bind-" + port, port, 1, 1);
		InetAddress loopback = InetAddress.getByName("127.0.0.1");
		try (JChannel channel = JGroupsStack.channel(settings)) {
			channel.connect(settings.clusterName());
			TcpServer transportServer = (TcpServer) field(TCP.class, "srv", channel.getProtocolStack().getTransport());
			ServerSocket transport = (ServerSocket) field(TcpServer.class, "srv_sock", transportServer);
			NioServer failureDetection = (NioServer) field(FD_SOCK2.class, "srv",
					channel.getProtocolStack().findProtocol(FD_SOCK2.class));
			InetSocketAddress failureDetectionAddress = (InetSocketAddress) failureDetection.getChannel()
				.getLocalAddress();
			assertThat(transport.getInetAddress()).isEqualTo(loopback);
			assertThat(transportServer.clientBindAddress()).as("client sockets").isEqualTo(loopback);
			assertThat(failureDetectionAddress.getAddress()).isEqualTo(loopback);
			// The kernel's view, where it gives one (Linux): both listen, neither on
			// *:port.
			List<String> listening = listeningSockets(transport.getLocalPort(), failureDetectionAddress.getPort());
			if (!listening.isEmpty()) {
				assertThat(listening).hasSize(2).noneMatch((address) -> address.matches("0+"));
			}
		}
	}

	private static Object field(Class<?> declaringClass, String name, Object target)
			throws ReflectiveOperationException {
		Field field = declaringClass.getDeclaredField(name);
		field.setAccessible(true);
		return field.get(target);
	}

	/**
	 * The local addresses ({@code ADDRESS:PORT} in hexadecimal) of the sockets that
	 * listen on {@code ports}, from {@code /proc/net/tcp} and {@code tcp6}; empty where
	 * there are none.
	 */
	private static List<String> listeningSockets(int... ports) throws IOException {
		List<String> sockets = new ArrayList<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			Path path = Path.of(table);
			if (!Files.isReadable(path)) {
				continue;
			}
			for (String line : Files.readAllLines(path)) {
				String[] columns = line.trim().split("\\s+");
				boolean listen = columns.length > 3 && columns[3].equals("0A");
				for (int port : ports) {
					if (listen && columns[1].endsWith(":" + hex(port))) {
						sockets.add(columns[1].substring(0, columns[1].indexOf(':')));
					}
				}
			}
		}
		return sockets;
	}

	private static String hex(int port) {
		return String.format(Locale.ROOT, "%04X", port);
	}

}
