package dev.tiercache.benchmarks.codec;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.tiercache.benchmarks.Book;
import dev.tiercache.benchmarks.Table;
import dev.tiercache.codec.ValueCodec;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Benchmark 6: every codec's encode + decode time (JMH, average per value) and bytes per
 * value, against Java serialization, tiercache's default. Each value is first checked to
 * come back equal through each codec.
 *
 * <p>
 * Usage: {@code CodecBenchmarks quick|full <jmh-log-file>}.
 *
 * @author tiercache
 */
public final class CodecBenchmarks {

	private CodecBenchmarks() {
	}

	public static void main(String[] args) throws RunnerException {
		boolean quick = args.length == 0 || args[0].equals("quick");
		String log = (args.length > 1) ? args[1] : "target/jmh-codec.log";
		for (String value : Codecs.VALUES) {
			for (String codec : Codecs.NAMES) {
				checkRoundTrip(codec, value);
			}
		}
		Collection<RunResult> results = new Runner(new OptionsBuilder().include(CodecBenchmark.class.getName())
			.forks(quick ? 1 : 2)
			.warmupIterations(quick ? 2 : 3)
			.warmupTime(TimeValue.seconds(1))
			.measurementIterations(quick ? 3 : 5)
			.measurementTime(TimeValue.seconds(1))
			.jvmArgsAppend("-Xmx1g")
			.shouldFailOnError(true)
			.output(log)
			.build()).run();
		Map<String, double[]> scores = new TreeMap<>();
		for (RunResult result : results) {
			String key = result.getParams().getParam("value") + "/" + result.getParams().getParam("codec");
			scores.put(key,
					new double[] { result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError() });
		}
		Table table = new Table(
				"6. Codecs: encode + decode of one value (baseline: java; lz4 from " + Codecs.LZ4_THRESHOLD + " bytes)",
				"value", "codec", "bytes", "bytes vs java", "ns/op", "± error", "time vs java");
		for (String value : Codecs.VALUES) {
			int javaBytes = Codecs.codec("java").encode(Codecs.value(value)).length;
			double javaTime = scores.get(value + "/java")[0];
			for (String codec : Codecs.NAMES) {
				int bytes = Codecs.codec(codec).encode(Codecs.value(value)).length;
				double[] score = scores.get(value + "/" + codec);
				table.row(value, codec, bytes, Table.ratio(bytes, javaBytes), score[0], score[1],
						Table.ratio(score[0], javaTime));
			}
		}
		table.print();
	}

	private static void checkRoundTrip(String codec, String value) {
		ValueCodec valueCodec = Codecs.codec(codec);
		Object original = Codecs.value(value);
		Object decoded = valueCodec.decode(valueCodec.encode(original));
		boolean equal = (original instanceof Book book && decoded instanceof Book copy) ? book.id() == copy.id()
				&& book.title().equals(copy.title()) && Arrays.equals(book.content(), copy.content())
				: Objects.equals(original, decoded);
		if (!equal) {
			throw new IllegalStateException(value + " did not survive " + codec + ": " + decoded);
		}
	}

}
