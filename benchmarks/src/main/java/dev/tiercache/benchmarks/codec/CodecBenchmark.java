package dev.tiercache.benchmarks.codec;

import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.ValueCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One encode and one decode of a value, as a put on one node and a read on another cost
 * them.
 *
 * @author tiercache
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

	@Param({ "java", "json", "kryo", "java+lz4", "json+lz4", "kryo+lz4" })
	String codec;

	@Param({ "book", "book-random", "order" })
	String value;

	private ValueCodec valueCodec;

	private Object object;

	@Setup
	public void setUp() {
		this.valueCodec = Codecs.codec(this.codec);
		this.object = Codecs.value(this.value);
	}

	@Benchmark
	public Object encodeDecode() {
		return this.valueCodec.decode(this.valueCodec.encode(this.object));
	}

}
