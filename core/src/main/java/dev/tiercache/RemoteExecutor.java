package dev.tiercache;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads of asynchronous remote work: fetches, loads and lease waits of methods that
 * return a {@code CompletableFuture} or a reactive type.
 *
 * <p>
 * With platform threads it is a pool of at most {@code maxThreads}, started on demand and
 * stopped after a minute idle, with no queue: when every thread is busy the calling
 * thread runs the work itself. That bounds the threads whatever the load, and it cannot
 * deadlock as a bounded queue could, where work waiting for other queued work holds every
 * thread. With virtual threads (Java 21 and later, as Spring Boot's own executors use
 * them when {@code spring.threads.virtual.enabled=true}) each task gets a virtual thread
 * of its own; they are not pooled.
 *
 * @author tiercache
 */
final class RemoteExecutor implements Executor, AutoCloseable {

	private static final String PREFIX = "tiercache-remote-";

	private final @Nullable ThreadPoolExecutor pool;

	private final @Nullable SimpleAsyncTaskExecutor virtual;

	private final @Nullable TaskDecorator decorator;

	private RemoteExecutor(@Nullable ThreadPoolExecutor pool, @Nullable SimpleAsyncTaskExecutor virtual,
			@Nullable TaskDecorator decorator) {
		this.pool = pool;
		this.virtual = virtual;
		this.decorator = decorator;
	}

	/**
	 * Create the executor.
	 * @param maxThreads the most platform threads
	 * @param virtualThreads whether to run each task on a virtual thread instead; only on
	 * Java 21 and later, else platform threads are used
	 * @param decorator decorates every task, such as to propagate the caller's context,
	 * or {@code null}
	 * @return the executor
	 */
	static RemoteExecutor create(int maxThreads, boolean virtualThreads, @Nullable TaskDecorator decorator) {
		if (virtualThreads && supportsVirtualThreads()) {
			SimpleAsyncTaskExecutor virtual = new SimpleAsyncTaskExecutor(PREFIX);
			virtual.setVirtualThreads(true);
			return new RemoteExecutor(null, virtual, decorator);
		}
		CustomizableThreadFactory threads = new CustomizableThreadFactory(PREFIX);
		threads.setDaemon(true);
		ThreadPoolExecutor pool = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
				threads, new CallerRunsUnlessShutDown());
		return new RemoteExecutor(pool, null, decorator);
	}

	static boolean supportsVirtualThreads() {
		return Runtime.version().feature() >= 21;
	}

	@Override
	public void execute(Runnable command) {
		Runnable task = (this.decorator != null) ? this.decorator.decorate(command) : command;
		if (this.pool != null) {
			this.pool.execute(task);
		}
		else {
			this.virtual.execute(task);
		}
	}

	/**
	 * Run {@code command} on a thread of this executor if one is free (or can be
	 * started), and otherwise not at all: unlike {@link #execute(Runnable)}, never on the
	 * calling thread. For background work that no caller may wait for, such as a refresh.
	 * @param command the task
	 * @return whether it was accepted; {@code false} when every thread is busy or the
	 * executor is closed
	 */
	boolean tryExecute(Runnable command) {
		Runnable task = (this.decorator != null) ? this.decorator.decorate(command) : command;
		try {
			if (this.pool != null) {
				this.pool.execute(new Background(task));
			}
			else {
				this.virtual.execute(task);
			}
			return true;
		}
		catch (RejectedExecutionException ex) {
			// Busy, or closed (a virtual executor throws TaskRejectedException, a
			// subclass).
			return false;
		}
	}

	/**
	 * Return whether tasks run on virtual threads.
	 * @return whether the threads are virtual
	 */
	boolean isVirtual() {
		return this.virtual != null;
	}

	/**
	 * Return the most platform threads this executor had at once.
	 * @return the largest pool size; 0 with virtual threads
	 */
	int largestPoolSize() {
		return (this.pool != null) ? this.pool.getLargestPoolSize() : 0;
	}

	/**
	 * Stop: running tasks are interrupted, and new ones are refused.
	 */
	@Override
	public void close() {
		if (this.pool != null) {
			this.pool.shutdownNow();
		}
		else {
			this.virtual.setCancelRemainingTasksOnClose(true);
			this.virtual.close();
		}
	}

	/**
	 * Runs a task on the calling thread when every thread is busy, and refuses it (as the
	 * default policy does) once the executor is shut down, so that no caller waits for a
	 * task that was silently dropped.
	 */
	private static final class CallerRunsUnlessShutDown implements RejectedExecutionHandler {

		@Override
		public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
			if (executor.isShutdown()) {
				throw new RejectedExecutionException("tiercache is closed");
			}
			if (task instanceof Background) {
				throw new RejectedExecutionException("every tiercache-remote thread is busy");
			}
			task.run();
		}

	}

	/**
	 * A task of {@link #tryExecute(Runnable)}, which must never run on its caller.
	 */
	private record Background(Runnable task) implements Runnable {

		@Override
		public void run() {
			this.task.run();
		}

	}

}
