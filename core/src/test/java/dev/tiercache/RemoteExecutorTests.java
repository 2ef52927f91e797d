package dev.tiercache;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The threads of asynchronous remote work: bounded, never deadlocked, and virtual where
 * the JVM has virtual threads and the application asked for them.
 */
class RemoteExecutorTests {

	@Test
	void platformThreadsAreBoundedAndTheCallerRunsTheRest() throws Exception {
		try (RemoteExecutor executor = RemoteExecutor.create(2, false, null)) {
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch started = new CountDownLatch(2);
			List<Thread> ranOn = new CopyOnWriteArrayList<>();
			for (int i = 0; i < 2; i++) {
				executor.execute(() -> {
					ranOn.add(Thread.currentThread());
					started.countDown();
					await(release);
				});
			}
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			executor.execute(() -> ranOn.add(Thread.currentThread()));
			release.countDown();
			assertThat(ranOn).hasSize(3);
			assertThat(ranOn.get(0).getName()).startsWith("tiercache-remote-");
			assertThat(ranOn.get(2)).isSameAs(Thread.currentThread());
			assertThat(executor.largestPoolSize()).isEqualTo(2);
		}
	}

	@Test
	void aTaskWaitingForAnotherWhileEveryThreadIsBusyDoesNotDeadlock() throws Exception {
		try (RemoteExecutor executor = RemoteExecutor.create(1, false, null)) {
			CompletableFuture<String> outer = CompletableFuture
				.supplyAsync(() -> CompletableFuture.supplyAsync(() -> "inner", executor).join(), executor);
			assertThat(outer.get(10, TimeUnit.SECONDS)).isEqualTo("inner");
		}
	}

	@Test
	void aClosedExecutorRefusesWorkInsteadOfDroppingIt() {
		RemoteExecutor executor = RemoteExecutor.create(2, false, null);
		executor.close();
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> executor.execute(() -> {
		}));
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void virtualThreadsOnJava21AndLater() throws Exception {
		try (RemoteExecutor executor = RemoteExecutor.create(2, true, null)) {
			assertThat(executor.isVirtual()).isTrue();
			Thread thread = CompletableFuture.supplyAsync(Thread::currentThread, executor).get(10, TimeUnit.SECONDS);
			Method isVirtual = Thread.class.getMethod("isVirtual");
			assertThat(isVirtual.invoke(thread)).isEqualTo(true);
			assertThat(thread.getName()).startsWith("tiercache-remote-");
		}
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void platformThreadsBeforeJava21EvenWhenVirtualOnesAreAskedFor() {
		try (RemoteExecutor executor = RemoteExecutor.create(2, true, null)) {
			assertThat(executor.isVirtual()).isFalse();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
