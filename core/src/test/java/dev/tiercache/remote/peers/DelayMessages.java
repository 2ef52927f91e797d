package dev.tiercache.remote.peers;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * A protocol for tests, inserted above the transport of one member: it slows that member
 * for a while, delaying each incoming message by up to {@code inMillis} on the thread
 * that received it and sending each outgoing one up to {@code outMillis} late (so that
 * they are reordered), until {@link #end()}; then it lets everything through at once.
 *
 * <p>
 * It replaces JGroups' own {@code DELAY}, whose sending thread (5.5.7) loops on
 * {@code DelayQueue.drainTo} without ever blocking and cannot be stopped: every fault
 * made with it left a thread spinning on a core for the rest of the test JVM, which on a
 * 2-core machine starved every test that ran after it, and sent every later message of
 * that member through the spinning thread. Here late messages are sent by a scheduler
 * whose thread sleeps between them and ends once the last one is out.
 */
final class DelayMessages extends Protocol {

	/** The name of every sending thread starts with this. */
	static final String THREAD_PREFIX = "delay-messages-";

	private final int inMillis;

	private final int outMillis;

	private final ScheduledThreadPoolExecutor sender;

	private volatile boolean delaying = true;

	DelayMessages(int inMillis, int outMillis, String member) {
		this.inMillis = inMillis;
		this.outMillis = outMillis;
		this.sender = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, THREAD_PREFIX + member);
			thread.setDaemon(true);
			return thread;
		});
		// Messages scheduled before end() still go out, late, as delayed ones do.
		this.sender.setExecuteExistingDelayedTasksAfterShutdownPolicy(true);
	}

	/**
	 * Stop delaying: messages from now on pass at once; those already waiting go out at
	 * their time, after which the sending thread ends.
	 */
	void end() {
		this.delaying = false;
		this.sender.shutdown();
	}

	/**
	 * Return whether a sending thread of this protocol is still alive, in this JVM.
	 * @return whether one is
	 */
	static boolean anyThreadAlive() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.anyMatch((thread) -> thread.getName().startsWith(THREAD_PREFIX));
	}

	@Override
	public Object up(Message message) {
		sleep();
		return this.up_prot.up(message);
	}

	@Override
	public void up(MessageBatch batch) {
		sleep();
		this.up_prot.up(batch);
	}

	@Override
	public Object down(Message message) {
		if (this.delaying && this.outMillis > 0) {
			long micros = ThreadLocalRandom.current().nextLong(this.outMillis * 1000L + 1);
			try {
				this.sender.schedule(() -> this.down_prot.down(message), micros, TimeUnit.MICROSECONDS);
				return null;
			}
			catch (RuntimeException ex) {
				// Ended meanwhile: send it now.
			}
		}
		return this.down_prot.down(message);
	}

	@Override
	public void stop() {
		end();
		super.stop();
	}

	private void sleep() {
		if (this.delaying && this.inMillis > 0) {
			long micros = ThreadLocalRandom.current().nextLong(this.inMillis * 1000L + 1);
			try {
				TimeUnit.MICROSECONDS.sleep(micros);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
