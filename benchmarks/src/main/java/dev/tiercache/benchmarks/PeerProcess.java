package dev.tiercache.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.peers.PeersCluster;
import dev.tiercache.remote.peers.PeersRemoteTier;

/**
 * A peers-mode node in a JVM of its own, as an application's nodes run: the benchmarks
 * start it with {@link #start}, and it runs until its standard input closes.
 *
 * <p>
 * With every node in the benchmark's JVM, the owner's JGroups threads, its garbage
 * collections and the benchmark's callers share one process, while Redis answers from a
 * process of its own; a node in its own process measures a peer fetch the way a
 * {@code GET} is measured.
 *
 * <p>
 * Usage (by {@link #start} only):
 * {@code PeerProcess <cluster> <base port> <index> <members> <hot ratio> <maximum size>};
 * its caches are created on first use, with those settings.
 *
 * @author tiercache
 */
public final class PeerProcess implements AutoCloseable {

	private static final String READY = "tiercache-peer-ready";

	private static final long READY_SECONDS = 60;

	private final Process process;

	private PeerProcess(Process process) {
		this.process = process;
	}

	/**
	 * Start member {@code index} of {@code cluster} in a new JVM, its caches configured
	 * by {@code config}'s hot ratio and size bound, and wait until it has started.
	 * @param cluster the cluster's name
	 * @param basePort the first port the members probe ({@link PeersCluster#settings})
	 * @param index the member's index
	 * @param members how many members the cluster has
	 * @param config the caches' settings
	 * @param fetchTransport whether it serves and sends reads on the fetch transport
	 * @return the process, to be closed
	 * @throws IOException if the JVM cannot be started or did not start the node
	 */
	public static PeerProcess start(String cluster, int basePort, int index, int members, TierCacheConfiguration config,
			boolean fetchTransport) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path")));
		String logback = System.getProperty("logback.configurationFile");
		if (logback != null) {
			command.add("-Dlogback.configurationFile=" + logback);
		}
		command.add("-Dtiercache.benchmarks.fetch-transport=" + fetchTransport);
		command.addAll(List.of(PeerProcess.class.getName(), cluster, Integer.toString(basePort),
				Integer.toString(index), Integer.toString(members), Double.toString(config.getHotRatio()),
				Long.toString(config.getMaximumSize())));
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		PeerProcess peer = new PeerProcess(process);
		CountDownLatch ready = new CountDownLatch(1);
		// Read on a thread of its own, to the end, so the child never blocks on a full
		// pipe.
		Thread reader = new Thread(() -> {
			try (BufferedReader output = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = output.readLine()) != null) {
					if (line.equals(READY)) {
						ready.countDown();
					}
				}
			}
			catch (IOException ex) {
				// The child is gone.
			}
		}, "peer-process-" + index);
		reader.setDaemon(true);
		reader.start();
		try {
			if (ready.await(READY_SECONDS, TimeUnit.SECONDS)) {
				return peer;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		process.destroyForcibly();
		throw new IOException("Peer process " + index + " of " + cluster + " was not ready within " + READY_SECONDS
				+ " s" + (process.isAlive() ? "" : " (it exited)"));
	}

	/**
	 * Stop the node: close its standard input, and kill it if it has not exited within 10
	 * seconds.
	 */
	@Override
	public void close() {
		try {
			this.process.getOutputStream().close();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (IOException ex) {
			this.process.destroyForcibly();
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	public static void main(String[] args) throws IOException {
		String cluster = args[0];
		int basePort = Integer.parseInt(args[1]);
		int index = Integer.parseInt(args[2]);
		int members = Integer.parseInt(args[3]);
		TierCacheConfiguration config = TierCacheConfiguration.defaultCacheConfig()
			.withHotRatio(Double.parseDouble(args[4]))
			.withMaximumSize(Long.parseLong(args[5]));
		PeersRemoteTier member = PeersRemoteTier.create(
				PeersCluster.settings(cluster, basePort, index, members).withFetchTransport(Contender.fetchTransport()),
				Contender.codec());
		member.start();
		try (TierCacheManager manager = TierCacheManager.builder().cacheDefaults(config).remoteTier(member).build()) {
			System.out.println(READY);
			System.out.flush();
			// Serve until the benchmark closes standard input.
			while (System.in.read() != -1) {
				// Nothing is sent on it.
			}
		}
		finally {
			member.close();
		}
	}

}
