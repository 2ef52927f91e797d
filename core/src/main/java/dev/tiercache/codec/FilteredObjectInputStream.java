package dev.tiercache.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

import org.jspecify.annotations.Nullable;

/**
 * Reads one payload behind a {@link PayloadFilter}. A class is checked by the name in the
 * stream before it is resolved, so a refused class is never loaded, let alone
 * instantiated; the filter then checks every resolved class again, with the bounds of the
 * payload. Classes resolve with the application's class loader when the codec was given
 * one, else with the thread context class loader (the application's under Spring Boot's
 * fat jar).
 *
 * @author tiercache
 */
final class FilteredObjectInputStream extends ObjectInputStream {

	private final PayloadFilter filter;

	private final @Nullable ClassLoader classLoader;

	FilteredObjectInputStream(InputStream in, PayloadFilter filter, @Nullable ClassLoader classLoader)
			throws IOException {
		super(in);
		this.filter = filter;
		this.classLoader = classLoader;
		setObjectInputFilter(filter);
	}

	@Override
	protected Class<?> resolveClass(ObjectStreamClass descriptor) throws IOException, ClassNotFoundException {
		String name = descriptor.getName();
		if (!this.filter.allows(name)) {
			this.filter.refuseClass(name);
			throw new InvalidClassException(name, "outside the deserialization allow-list");
		}
		ClassLoader loader = (this.classLoader != null) ? this.classLoader
				: Thread.currentThread().getContextClassLoader();
		if (loader != null) {
			try {
				return Class.forName(name, false, loader);
			}
			catch (ClassNotFoundException ex) {
				// fall back to the default resolution, which also knows primitive types
			}
		}
		return super.resolveClass(descriptor);
	}

	@Override
	protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
		this.filter.refuseProxy(interfaces);
		throw new InvalidClassException("dynamic proxy of " + String.join(", ", interfaces), "never decoded");
	}

}
