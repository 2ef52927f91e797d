package dev.tiercache;

import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.jspecify.annotations.Nullable;

/**
 * The tests' codec with a gate: once {@linkplain #arm(Thread, Object) armed}, the armed
 * thread stops when it encodes the armed object and waits until the test
 * {@linkplain #open() opens} the gate. It holds a write at a chosen point (after the
 * writer dropped its local copy, before the remote tier applied the write) while the test
 * makes other calls.
 */
public final class GatedCodec implements ValueCodec {

	private final ValueCodec delegate = ValueCodec.java(AllowList.of(java.util.List.of("dev.tiercache")));

	private volatile @Nullable Thread thread;

	private volatile @Nullable Object object;

	private volatile boolean anyThread;

	private final CountDownLatch reached = new CountDownLatch(1);

	private final CountDownLatch open = new CountDownLatch(1);

	/**
	 * Stop {@code thread} the next time it encodes {@code object}.
	 */
	public void arm(Thread thread, Object object) {
		this.object = object;
		this.thread = thread;
	}

	/**
	 * Stop whichever thread next encodes {@code object}.
	 */
	public void armAnyThread(Object object) {
		this.object = object;
		this.anyThread = true;
	}

	/**
	 * Wait until the armed thread is held at the gate.
	 */
	public void awaitReached() throws InterruptedException {
		if (!this.reached.await(10, TimeUnit.SECONDS)) {
			throw new AssertionError("The armed thread never encoded " + this.object);
		}
	}

	/**
	 * Let the held thread go on.
	 */
	public void open() {
		this.open.countDown();
	}

	@Override
	public byte[] encode(@Nullable Object value) {
		if ((this.anyThread || Thread.currentThread() == this.thread) && Objects.equals(value, this.object)) {
			this.thread = null;
			this.anyThread = false;
			this.reached.countDown();
			try {
				if (!this.open.await(10, TimeUnit.SECONDS)) {
					throw new AssertionError("The gate was never opened");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		return this.delegate.encode(value);
	}

	@Override
	public @Nullable Object decode(byte[] bytes) {
		return this.delegate.decode(bytes);
	}

}
