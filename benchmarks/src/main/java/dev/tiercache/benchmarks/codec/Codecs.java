package dev.tiercache.benchmarks.codec;

import java.util.List;
import java.util.Random;

import dev.tiercache.benchmarks.Book;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import tools.jackson.databind.json.JsonMapper;

/**
 * The codecs and values of benchmark 6, by the names its parameters use.
 *
 * @author tiercache
 */
final class Codecs {

	/** The codecs compared; {@code java} is tiercache's default and the baseline. */
	static final List<String> NAMES = List.of("java", "json", "kryo", "java+lz4", "json+lz4", "kryo+lz4");

	/** The values: the other benchmarks' book, the same with random content, an order. */
	static final List<String> VALUES = List.of("book", "book-random", "order");

	/**
	 * The compression threshold of the {@code +lz4} codecs: below the default (4 KiB) so
	 * that the 1 KiB book is compressed too.
	 */
	static final int LZ4_THRESHOLD = 512;

	private Codecs() {
	}

	static ValueCodec codec(String name) {
		AllowList allowList = AllowList.of(List.of("dev.tiercache.benchmarks"));
		ClassLoader loader = Codecs.class.getClassLoader();
		String base = name.replace("+lz4", "");
		ValueCodec codec = switch (base) {
			case "java" -> ValueCodec.java(allowList, loader);
			case "json" -> ValueCodec.json(JsonMapper.builder().build(), allowList, loader);
			case "kryo" -> ValueCodec.kryo(allowList, loader);
			default -> throw new IllegalArgumentException("No codec " + name);
		};
		return name.endsWith("+lz4") ? ValueCodec.lz4(codec, LZ4_THRESHOLD) : codec;
	}

	static Object value(String name) {
		return switch (name) {
			case "book" -> Book.of(1);
			case "book-random" -> {
				byte[] content = new byte[1000];
				new Random(5).nextBytes(content);
				yield new Book(1, "book-1", content);
			}
			case "order" -> PurchaseOrder.sample(1);
			default -> throw new IllegalArgumentException("No value " + name);
		};
	}

}
