package dev.tiercache.remote.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a node's callers wait for one load under a lease ({@link LoadWaiters}).
 */
class LoadWaitersTests {

	private final LoadWaiters waiters = new LoadWaiters();

	@Test
	void callerThatLeavesFirstLeavesTheWaitToTheOthers() {
		LoadWaiters.Wait first = this.waiters.join("key");
		LoadWaiters.Wait second = this.waiters.join("key");
		assertThat(second).isSameAs(first);
		// The first caller found the value (or took the lease) and left: the second
		// still waits, and the load's end must still reach it.
		this.waiters.leave("key", first);
		this.waiters.loaded("key");
		assertThat(second.loaded()).isDone();
	}

	@Test
	void lastCallerToLeaveRemovesTheWait() {
		LoadWaiters.Wait first = this.waiters.join("key");
		this.waiters.leave("key", first);
		LoadWaiters.Wait next = this.waiters.join("key");
		assertThat(next).isNotSameAs(first);
		this.waiters.loaded("key");
		assertThat(first.loaded()).isNotDone();
		assertThat(next.loaded()).isDone();
	}

	@Test
	void callerThatJoinsAfterALoadWaitsForTheNextOne() {
		LoadWaiters.Wait before = this.waiters.join("key");
		this.waiters.loaded("key");
		LoadWaiters.Wait after = this.waiters.join("key");
		assertThat(after).isNotSameAs(before);
		assertThat(after.loaded()).isNotDone();
		// Leaving a wait that is over changes nothing for the new one.
		this.waiters.leave("key", before);
		this.waiters.loaded("key");
		assertThat(after.loaded()).isDone();
	}

}
