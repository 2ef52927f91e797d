package dev.tiercache.local;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An owner serializes a stored entry once, however many copies with their remaining time
 * to live it hands out.
 */
class CacheEntryTests {

	@Test
	void storedEntryIsSerializedOnceForAllItsCopies() {
		AtomicInteger encodings = new AtomicInteger();
		CacheEntry stored = new CacheEntry("Dune", 1_000);
		CacheEntry first = stored.withRemaining(900);
		CacheEntry second = first.withRemaining(800);
		byte[] bytes = first.encodedValue((value) -> {
			encodings.incrementAndGet();
			return ((String) value).getBytes();
		});
		assertThat(second.encodedValue((value) -> new byte[0])).isSameAs(bytes);
		assertThat(stored.encodedValue((value) -> new byte[0])).isSameAs(bytes);
		assertThat(encodings).hasValue(1);
		assertThat(second.ttlNanos()).isEqualTo(800);
		assertThat(second.get()).isEqualTo("Dune");
	}

}
