package dev.tiercache.remote.redis;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisKeyCommands;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection factory whose {@code UNLINK}s a test can hold: once {@link #hold()} is
 * called, the next {@code UNLINK} sent through it waits, after {@link #awaitHeld()}
 * returns, until {@link #release()}. Every other command goes straight through. Lets a
 * test put another node's commands between one node's steps.
 */
final class GatedUnlinks {

	private final RedisConnectionFactory target;

	private volatile CountDownLatch held = new CountDownLatch(0);

	private volatile CountDownLatch released = new CountDownLatch(0);

	private volatile boolean holding;

	GatedUnlinks(RedisConnectionFactory target) {
		this.target = target;
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

	RedisConnectionFactory connectionFactory() {
		return proxy(RedisConnectionFactory.class, this.target, (method, result) -> {
			if (method.getName().equals("getConnection") && result instanceof RedisConnection connection) {
				return connection(connection);
			}
			return result;
		});
	}

	private RedisConnection connection(RedisConnection connection) {
		return proxy(RedisConnection.class, connection, (method, result) -> {
			if (method.getName().equals("keyCommands") && result instanceof RedisKeyCommands keys) {
				return keyCommands(keys);
			}
			return result;
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

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, T target, Wrapper wrapper) {
		InvocationHandler handler = (proxy, method, args) -> wrapper.wrap(method, invoke(target, method, args));
		return (T) Proxy.newProxyInstance(GatedUnlinks.class.getClassLoader(), new Class<?>[] { type }, handler);
	}

	private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	@FunctionalInterface
	private interface Wrapper {

		Object wrap(Method method, Object result);

	}

}
