package dev.tiercache.benchmarks.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.tiercache.benchmarks.Table;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs benchmarks 1 and 2 with JMH's GC profiler and prints each result as a ratio
 * against the baseline measured in the same run.
 *
 * <p>
 * Usage: {@code HitPathBenchmarks quick|full <jmh-log-file>}.
 *
 * @author tiercache
 */
public final class HitPathBenchmarks {

	private HitPathBenchmarks() {
	}

	public static void main(String[] args) throws RunnerException {
		boolean quick = args.length == 0 || args[0].equals("quick");
		String log = (args.length > 1) ? args[1] : "target/jmh.log";
		Collection<RunResult> proxy = run(options(quick, log + ".proxy").include(ProxyHitBenchmark.class.getName()));
		report("1. @Cacheable hit through Spring's proxy, 1 thread (baseline: caffeine)", proxy, "caffeine");
		for (int threads : new int[] { 1, 2 }) {
			Collection<RunResult> get = run(
					options(quick, log + ".get-" + threads + "t").include(CacheGetBenchmark.class.getName())
						.threads(threads));
			report("2. Cache.get hit, " + threads + " thread(s) (baseline: caffeine-cache)", get, "caffeine-cache");
		}
	}

	private static ChainedOptionsBuilder options(boolean quick, String log) {
		return new OptionsBuilder().addProfiler(GCProfiler.class)
			.forks(quick ? 1 : 2)
			.warmupIterations(quick ? 2 : 3)
			.warmupTime(TimeValue.seconds(quick ? 1 : 2))
			.measurementIterations(quick ? 3 : 5)
			.measurementTime(TimeValue.seconds(quick ? 1 : 2))
			.jvmArgsAppend("-Xmx1g")
			.shouldFailOnError(true)
			.output(log);
	}

	private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
		return new Runner(options.build()).run();
	}

	private static void report(String title, Collection<RunResult> results, String baseline) {
		Table table = new Table(title, "method", "contender", "ns/op", "± error", "B/op", "time vs " + baseline);
		List<String> methods = new ArrayList<>();
		results.forEach((result) -> {
			String method = method(result);
			if (!methods.contains(method)) {
				methods.add(method);
			}
		});
		for (String method : methods) {
			double base = results.stream()
				.filter((result) -> method(result).equals(method) && contender(result).equals(baseline))
				.mapToDouble((result) -> result.getPrimaryResult().getScore())
				.findFirst()
				.orElse(0);
			for (RunResult result : results) {
				if (method(result).equals(method)) {
					Result<?> primary = result.getPrimaryResult();
					table.row(method, contender(result), primary.getScore(), primary.getScoreError(),
							allocation(result), Table.ratio(primary.getScore(), base));
				}
			}
		}
		table.print();
	}

	private static String method(RunResult result) {
		String benchmark = result.getParams().getBenchmark();
		String fill = result.getParams().getParam("fill");
		return benchmark.substring(benchmark.lastIndexOf('.') + 1) + ((fill != null) ? ", cache " + fill : "");
	}

	private static String contender(RunResult result) {
		return result.getParams().getParam("contender");
	}

	private static Object allocation(RunResult result) {
		for (Map.Entry<String, Result> entry : result.getSecondaryResults().entrySet()) {
			if (entry.getKey().endsWith("gc.alloc.rate.norm")) {
				return entry.getValue().getScore();
			}
		}
		return "-";
	}

}
