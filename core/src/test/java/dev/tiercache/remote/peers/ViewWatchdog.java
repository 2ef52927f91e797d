package dev.tiercache.remote.peers;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.tiercache.remote.ClusterView;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.pbcast.GMS;

/**
 * A diagnostic for tests: whenever the live members' views (tiercache's and JGroups')
 * have disagreed for longer than a threshold, it writes a full thread dump and each
 * member's view state to a file, once per incident.
 */
final class ViewWatchdog implements AutoCloseable {

	private final Supplier<Map<String, PeersRemoteTier>> live;

	private final Path directory;

	private final String prefix;

	private final long thresholdNanos;

	private final Thread thread;

	private final Thread stalls;

	private final Map<String, Long> viewsThreads = new ConcurrentHashMap<>();

	private volatile boolean running = true;

	private int incidents;

	ViewWatchdog(Supplier<Map<String, PeersRemoteTier>> live, Path directory, String prefix, long thresholdMillis) {
		this.live = live;
		this.directory = directory;
		this.prefix = prefix;
		this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMillis);
		this.thread = new Thread(this::run, "view-watchdog");
		this.thread.setDaemon(true);
		this.thread.start();
		this.stalls = new Thread(this::detectStalls, "stall-detector");
		this.stalls.setDaemon(true);
		this.stalls.start();
	}

	/**
	 * Print whenever a 20 ms sleep took over 300 ms: the whole JVM stalled (a pause, or
	 * no CPU).
	 */
	private void detectStalls() {
		while (this.running) {
			long before = System.nanoTime();
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				return;
			}
			long took = (System.nanoTime() - before) / 1_000_000;
			if (took > 300) {
				System.out.println("stall-detector: a 20 ms sleep took " + took + " ms, until " + Instant.now());
			}
		}
	}

	/**
	 * Note which thread runs {@code tier}'s views executor.
	 */
	void started(String name, PeersRemoteTier tier) {
		Future<Long> probe = probe(tier);
		if (probe != null) {
			try {
				this.viewsThreads.put(name, probe.get(2, TimeUnit.SECONDS));
			}
			catch (Exception ex) {
				// Not known.
			}
		}
	}

	private static Future<Long> probe(PeersRemoteTier tier) {
		try {
			return views(tier).submit(() -> Thread.currentThread().getId());
		}
		catch (Exception ex) {
			return null;
		}
	}

	private static ExecutorService views(PeersRemoteTier tier) throws ReflectiveOperationException {
		Field field = PeersRemoteTier.class.getDeclaredField("views");
		field.setAccessible(true);
		return (ExecutorService) field.get(tier);
	}

	private void run() {
		long disagreeingSince = 0;
		boolean dumped = false;
		while (this.running) {
			try {
				Thread.sleep(100);
				String disagreement = disagreement(this.live.get());
				if (disagreement == null) {
					disagreeingSince = 0;
					dumped = false;
				}
				else if (disagreeingSince == 0) {
					disagreeingSince = System.nanoTime();
				}
				else if (!dumped && System.nanoTime() - disagreeingSince > this.thresholdNanos) {
					dumped = true;
					dump(disagreement, (System.nanoTime() - disagreeingSince) / 1_000_000);
				}
			}
			catch (InterruptedException ex) {
				return;
			}
			catch (RuntimeException ex) {
				// Keep watching.
			}
		}
	}

	/**
	 * Describe how the live members' views differ, or {@code null} if they agree.
	 */
	private static String disagreement(Map<String, PeersRemoteTier> live) {
		if (live.isEmpty()) {
			return null;
		}
		Map<String, String> tierViews = new LinkedHashMap<>();
		Map<String, String> channelViews = new LinkedHashMap<>();
		boolean lagging = false;
		for (Map.Entry<String, PeersRemoteTier> entry : live.entrySet()) {
			PeersRemoteTier tier = entry.getValue();
			Membership membership = tier.membership();
			JChannel channel = tier.channel();
			View view = (channel != null) ? channel.getView() : null;
			tierViews.put(entry.getKey(), names(tier));
			channelViews.put(entry.getKey(), (view != null) ? String.valueOf(view.getViewId()) : "none");
			if (membership == null || view == null || !Objects.equals(membership.view(), view.getViewId())) {
				lagging = true;
			}
		}
		boolean tierDiffers = tierViews.values().stream().distinct().count() > 1;
		boolean channelDiffers = channelViews.values().stream().distinct().count() > 1;
		if (!tierDiffers && !channelDiffers && !lagging) {
			return null;
		}
		return "tier views " + tierViews + "; channel view ids " + channelViews + "; tier lags channel: " + lagging;
	}

	private static String names(PeersRemoteTier tier) {
		return tier.view()
			.members()
			.stream()
			.map(ClusterView.Member::name)
			.collect(Collectors.toCollection(TreeSet::new))
			.toString();
	}

	private void dump(String disagreement, long forMillis) {
		StringWriter text = new StringWriter();
		PrintWriter out = new PrintWriter(text);
		out.println("View disagreement for " + forMillis + " ms at " + Instant.now());
		out.println(disagreement);
		out.println();
		Map<String, PeersRemoteTier> live = this.live.get();
		Map<String, Future<Long>> probes = new LinkedHashMap<>();
		live.forEach((name, tier) -> probes.put(name, probe(tier)));
		for (Map.Entry<String, PeersRemoteTier> entry : live.entrySet()) {
			describe(out, entry.getKey(), entry.getValue());
		}
		// A probe still pending now means the views executor is busy or stuck.
		try {
			Thread.sleep(300);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		probes.forEach((name, probe) -> out.println("views executor probe of " + name + ": " + ((probe == null)
				? "could not submit" : probe.isDone() ? "ran within 300 ms" : "PENDING after 300 ms")));
		out.println();
		Map<Long, String> owners = new LinkedHashMap<>();
		this.viewsThreads.forEach((name, id) -> owners.put(id, "views executor of " + name));
		out.println("=== threads ===");
		for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
			describe(out, info, owners.get(info.getThreadId()));
		}
		out.flush();
		String file = this.prefix + "-" + (++this.incidents) + ".txt";
		try {
			Files.createDirectories(this.directory);
			Files.writeString(this.directory.resolve(file), text.toString());
			System.out.println(
					"view-watchdog: views disagreed for " + forMillis + " ms; dump in " + file + ": " + disagreement);
		}
		catch (IOException ex) {
			System.out.println("view-watchdog: could not write " + file + ": " + ex);
		}
	}

	private void describe(PrintWriter out, String name, PeersRemoteTier tier) {
		out.println("=== " + name + " ===");
		try {
			Membership membership = tier.membership();
			out.println("tier view: "
					+ ((membership != null) ? membership.view() + " " + membership.ring().members() : "none"));
			JChannel channel = tier.channel();
			if (channel == null) {
				out.println("no channel");
				return;
			}
			out.println("address: " + channel.getAddress() + " (" + channel.getAddress().getClass().getSimpleName()
					+ ") state " + channel.getState());
			out.println("channel view: " + channel.getView());
			GMS gms = channel.getProtocolStack().findProtocol(GMS.class);
			if (gms != null) {
				out.println("GMS view id " + gms.getViewId() + " coord " + gms.isCoord() + " leaving " + gms.isLeaving()
						+ " view handler size " + gms.getViewHandlerSize() + " suspended "
						+ gms.isViewHandlerSuspended());
				out.println("GMS view handler queue: " + gms.dumpViewHandlerQueue());
				out.println("GMS view handler history:\n" + gms.dumpViewHandlerHistory());
				out.println("GMS previous views:\n" + gms.printPreviousViews());
			}
			TP transport = channel.getProtocolStack().getTransport();
			if (transport instanceof TCP tcp) {
				out.println("TCP connections:\n" + tcp.printConnections());
			}
			UNICAST3 unicast = channel.getProtocolStack().findProtocol(UNICAST3.class);
			if (unicast != null) {
				out.println("UNICAST3 connections:\n" + unicast.printConnections());
			}
			out.println("protocols: " + channel.getProtocolStack().printProtocolSpec(false));
		}
		catch (RuntimeException ex) {
			out.println("could not describe: " + ex);
		}
		out.println();
	}

	private static void describe(PrintWriter out, ThreadInfo info, String role) {
		long cpu = ManagementFactory.getThreadMXBean().getThreadCpuTime(info.getThreadId());
		out.print("\"" + info.getThreadName() + "\" id=" + info.getThreadId() + " " + info.getThreadState() + " cpu="
				+ (cpu / 1_000_000) + "ms");
		if (role != null) {
			out.print(" [" + role + "]");
		}
		if (info.getLockName() != null) {
			out.print(" on " + info.getLockName());
		}
		if (info.getLockOwnerName() != null) {
			out.print(" owned by \"" + info.getLockOwnerName() + "\" id=" + info.getLockOwnerId());
		}
		out.println();
		StackTraceElement[] stack = info.getStackTrace();
		MonitorInfo[] monitors = info.getLockedMonitors();
		for (int i = 0; i < stack.length; i++) {
			out.println("\tat " + stack[i]);
			for (MonitorInfo monitor : monitors) {
				if (monitor.getLockedStackDepth() == i) {
					out.println("\t-  locked " + monitor);
				}
			}
		}
		LockInfo[] synchronizers = info.getLockedSynchronizers();
		if (synchronizers.length > 0) {
			out.println("\tLocked synchronizers:");
			for (LockInfo lock : synchronizers) {
				out.println("\t- " + lock);
			}
		}
		out.println();
	}

	@Override
	public void close() {
		this.running = false;
		this.thread.interrupt();
		this.stalls.interrupt();
	}

}
