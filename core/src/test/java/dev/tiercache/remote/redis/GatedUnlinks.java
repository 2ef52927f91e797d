package dev.tiercache.remote.redis;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisKeyCommands;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Lettuce connection factory whose {@code UNLINK}s a test can hold: once
 * {@link #hold()} is called, the next {@code UNLINK} sent through it waits, after
 * {@link #awaitHeld()} returns, until {@link #release()}. Every other command goes
 * straight through. Lets a test put another node's commands between one node's steps.
 */
final class GatedUnlinks {

	private final LettuceConnectionFactory target;

	private volatile CountDownLatch held = new CountDownLatch(0);

	private volatile CountDownLatch released = new CountDownLatch(0);

	private volatile boolean holding;

	/**
	 * Gate a connection factory configured as {@code like}.
	 */
	GatedUnlinks(LettuceConnectionFactory like) {
		this.target = new Gated(like);
		this.target.afterPropertiesSet();
		this.target.start();
	}

	/** Hold the next {@code UNLINK}. */
	void hold() {
		this.held = new CountDownLatch(1);
		this.released = new CountDownLatch(1);
		this.holding = true;
	}

	/** Wait until the held {@code UNLINK} was sent (and is held). */
	void awaitHeld() throws InterruptedException {
		assertThat(this.held.await(10, TimeUnit.SECONDS)).as("an UNLINK was sent").isTrue();
	}

	/** Let the held {@code UNLINK} go on. */
	void release() {
		this.released.countDown();
	}

	/**
	 * The gated connection factory (a {@link LettuceConnectionFactory}, so that
	 * subscriptions work as they do with the application's); the test closes it.
	 */
	LettuceConnectionFactory connectionFactory() {
		return this.target;
	}

	private RedisConnection connection(RedisConnection connection) {
		return (RedisConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { RedisConnection.class }, (proxy, method, args) -> {
					Object result = invoke(connection, method, args);
					return (method.getName().equals("keyCommands") && result instanceof RedisKeyCommands keys)
							? keyCommands(keys) : result;
				});
	}

	private RedisKeyCommands keyCommands(RedisKeyCommands keys) {
		return (RedisKeyCommands) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { RedisKeyCommands.class }, (proxy, method, args) -> {
					if (method.getName().equals("unlink") && this.holding) {
						this.holding = false;
						this.held.countDown();
						this.released.await(10, TimeUnit.SECONDS);
					}
					return invoke(keys, method, args);
				});
	}

	private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * A factory whose connections hold {@code UNLINK}s when asked to.
	 */
	private final class Gated extends LettuceConnectionFactory {

		Gated(LettuceConnectionFactory like) {
			super(like.getStandaloneConfiguration(), like.getClientConfiguration());
		}

		@Override
		public RedisConnection getConnection() {
			return connection(super.getConnection());
		}

	}

}
