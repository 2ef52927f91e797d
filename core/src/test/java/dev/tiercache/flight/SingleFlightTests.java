package dev.tiercache.flight;

import dev.tiercache.stats.StatsCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link SingleFlight}'s own rules.
 */
class SingleFlightTests {

	private final SingleFlight<String> flights = new SingleFlight<>(StatsCounter.disabled());

	@Test
	void workThatAsksForItsOwnKeyFailsAlsoWhenTheFlightWasForgottenMeanwhile() {
		// An invalidation (a clear, a subscription gap) makes the group forget the flight
		// while its work runs; the inner call must still be seen as recursive, or in a
		// remote mode it waits for the outer call's lease forever (CacheContractTests
		// hung
		// on Redis once that way).
		assertThatIllegalStateException().isThrownBy(() -> this.flights.execute("k", (outer) -> {
			this.flights.forget("k");
			return this.flights.execute("k", (inner) -> "inner");
		})).withMessageContaining("Recursive load of key 'k'");
	}

	@Test
	void keyIsFreeForTheThreadAgainOnceItsWorkIsDone() {
		assertThat(this.flights.execute("k", (flight) -> "first")).isEqualTo("first");
		assertThat(this.flights.execute("k", (flight) -> "second")).isEqualTo("second");
	}

	@Test
	void keyIsFreeForTheThreadAgainWhenItsWorkFailed() {
		assertThatIllegalStateException().isThrownBy(() -> this.flights.execute("k", (flight) -> {
			throw new IllegalStateException("failed");
		})).withMessage("failed");
		assertThat(this.flights.execute("k", (flight) -> "after")).isEqualTo("after");
	}

}
