package dev.tiercache.remote.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.tiercache.history.History;
import dev.tiercache.history.History.Kind;
import dev.tiercache.history.History.Operation;
import dev.tiercache.history.HistoryChecker;
import dev.tiercache.history.StaleReads;
import dev.tiercache.history.StaleReads.Stale;
import org.jspecify.annotations.Nullable;

/**
 * One scenario of {@link PeersStaleReadProcessTests}: the merged history of the three
 * processes, what the test saw, and the numbers it reports.
 */
final class StaleReadRun {

	private final String scenario;

	private final Duration hotTtl;

	private final Path directory;

	private final String victim;

	private final List<String> owners;

	final History history = new History();

	final List<String> stats = new ArrayList<>();

	final List<String> views = new CopyOnWriteArrayList<>();

	private final List<Operation> operations = new ArrayList<>();

	private final Map<Long, History.Load> loads = new HashMap<>();

	private @Nullable List<Stale> stale;

	private HistoryChecker.@Nullable Report report;

	long began;

	long faultAt;

	long resumedAt;

	long ended;

	StaleReadRun(String scenario, String victim, List<String> owners, Duration hotTtl, Path directory) {
		this.scenario = scenario;
		this.hotTtl = hotTtl;
		this.directory = directory;
		this.victim = victim;
		this.owners = owners;
	}

	/**
	 * Read a process's history: {@code R} reads, {@code W} writes and {@code L} loads,
	 * one a line (a {@code kill -9} may have cut the last one short).
	 */
	void read(Path file) throws IOException {
		for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
			String[] f = line.split(" ");
			if (f.length < 8) {
				continue;
			}
			switch (f[0]) {
				case "R" -> operation(new Operation(Long.parseLong(f[1]), f[2], Kind.LOAD_GET, f[3],
						Long.parseLong(f[4]), Long.parseLong(f[5]), 0, Map.of(), text(f[6]), failure(f[7])));
				case "W" -> operation(new Operation(Long.parseLong(f[1]), f[2], Kind.EVICT, f[3], Long.parseLong(f[4]),
						Long.parseLong(f[5]), Long.parseLong(f[6]), Map.of(), null, failure(f[7])));
				case "L" -> {
					History.Load load = new History.Load(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3], f[4],
							Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]));
					this.loads.put(load.id(), load);
					this.history.record(load);
				}
				default -> throw new IllegalStateException("Unknown record in " + file + ": " + line);
			}
		}
	}

	private void operation(Operation operation) {
		this.operations.add(operation);
		this.history.record(operation);
	}

	List<Stale> stale() {
		if (this.stale == null) {
			this.stale = StaleReads.find(this.operations);
		}
		return this.stale;
	}

	/**
	 * Where a stale read of the scenario with a stopped member happened. The pause
	 * explains only reads that ended after the member resumed and missed a write that
	 * began while it was stopped; writes begun after it resumed must behave as with no
	 * fault.
	 */
	Where where(Stale stale) {
		Operation read = stale.read();
		if (read.completed() <= this.resumedAt || stale.write().invoked() >= this.resumedAt) {
			return Where.ELSEWHERE;
		}
		if (this.victim.equals(read.node())) {
			return Where.ON_THE_STOPPED_MEMBER;
		}
		boolean itsKey = this.victim.equals(this.owners.get(Integer.parseInt(read.key())));
		return itsKey ? Where.ITS_KEYS_ELSEWHERE : Where.ELSEWHERE;
	}

	/**
	 * How long after the stopped member resumed, or after the write it missed if that
	 * completed later, the stale read began.
	 */
	long afterResume(Stale stale) {
		return stale.read().invoked() - Math.max(this.resumedAt, stale.write().completed());
	}

	List<Operation> failed() {
		return this.operations.stream().filter((operation) -> operation.failure() != null).toList();
	}

	/**
	 * The violations {@link HistoryChecker} finds besides repeated loads, which a timeout
	 * on this busy machine may cause and which this test only reports.
	 */
	List<String> checked() {
		return report().violations()
			.stream()
			.filter((violation) -> !HistoryChecker.ONE_LOAD.equals(violation.invariant()))
			.map((violation) -> violation.invariant() + ": " + violation.message())
			.limit(20)
			.toList();
	}

	HistoryChecker.Report report() {
		if (this.report == null) {
			this.report = HistoryChecker.check(this.history, this.hotTtl);
		}
		return this.report;
	}

	String victim() {
		return this.victim;
	}

	double seconds(long nanos) {
		return (nanos - this.began) / 1e9;
	}

	/**
	 * The stale reads grouped by the member, the value it returned and the write it
	 * missed: one line per incident, with the first read, how many reads and how long it
	 * lasted, the load that made the value and the write.
	 */
	List<String> incidents() {
		Map<String, List<Stale>> grouped = new LinkedHashMap<>();
		stale().forEach(
				(stale) -> grouped
					.computeIfAbsent(stale.read().node() + " " + stale.read().returned() + " " + stale.write().id(),
							(incident) -> new ArrayList<>())
					.add(stale));
		return grouped.values()
			.stream()
			.map((reads) -> String.format("%d stale read(s) on %s over %.1f ms, stale for up to %.1f ms; the first: %s",
					reads.size(), reads.get(0).read().node(),
					(reads.get(reads.size() - 1).read().invoked() - reads.get(0).read().invoked()) / 1e6,
					reads.stream().mapToLong(Stale::nanos).max().orElse(0) / 1e6, describe(reads.get(0))))
			.toList();
	}

	String describe(Stale stale) {
		History.Value value = History.parse(stale.read().returned());
		History.Load load = (value != null) ? this.loads.get(value.origin()) : null;
		return stale + "\n      the value of " + load + "; owner of " + stale.read().key() + ": "
				+ this.owners.get(Integer.parseInt(stale.read().key()));
	}

	/**
	 * Print the numbers of this run, its stale reads and failed requests, and append them
	 * to {@code summary.txt}; keep the merged history if anything went wrong.
	 * @param fault what the fault was
	 * @param settings how the run was made
	 */
	void print(String fault, String settings) throws IOException {
		long reads = this.operations.stream().filter((operation) -> !operation.kind().isWrite()).count();
		long writes = this.operations.size() - reads;
		long maxStale = stale().stream().mapToLong(Stale::nanos).max().orElse(0);
		StringBuilder text = new StringBuilder(String.format(
				"PeersStaleReadProcessTests %s (%s; %s): reads %d, writes %d, stale reads %d, max staleness %.1f ms, "
						+ "failed requests %d; %.1f s from start to stop%n  %s%n  %s%n",
				this.scenario, fault, settings, reads, writes, stale().size(), maxStale / 1e6, failed().size(),
				(this.ended - this.began) / 1e9, report().summary().replace("\n", "\n  "),
				String.join("\n  ", this.stats)));
		incidents().stream().limit(20).forEach((incident) -> text.append("  stale: ").append(incident).append('\n'));
		failed().stream().limit(10).forEach((failed) -> text.append("  failed: ").append(failed).append('\n'));
		System.out.print(text);
		Files.writeString(this.directory.resolve("summary.txt"), text, StandardOpenOption.CREATE,
				StandardOpenOption.APPEND);
		if (!stale().isEmpty() || !failed().isEmpty()) {
			this.history.writeTo(this.directory.resolve(this.scenario + "-history.txt"));
		}
	}

	private static @Nullable String text(String field) {
		return "-".equals(field) ? null : field;
	}

	private static @Nullable Throwable failure(String field) {
		return "-".equals(field) ? null : new IllegalStateException(field);
	}

	/**
	 * Where a stale read happened, in the scenario with a stopped member.
	 */
	enum Where {

		ON_THE_STOPPED_MEMBER("on the stopped member after it resumed"),

		ITS_KEYS_ELSEWHERE("of its keys on the others after it resumed"),

		ELSEWHERE("elsewhere, or missing a write begun after it resumed");

		final String description;

		Where(String description) {
			this.description = description;
		}

	}

}
