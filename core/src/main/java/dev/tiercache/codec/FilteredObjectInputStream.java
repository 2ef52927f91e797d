package dev.tiercache.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter.Status;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

import org.jspecify.annotations.Nullable;

/**
 * Reads one payload behind an {@link AllowList}. A class is checked by the name in the
 * stream before it is resolved, so a refused class is never loaded, let alone
 * instantiated; the class loader is the application's when the codec was given one, else
 * the thread context class loader (the application's under Spring Boot's fat jar).
 *
 * @author tiercache
 */
final class FilteredObjectInputStream extends ObjectInputStream {

	private final AllowList allowList;

	private final @Nullable ClassLoader classLoader;

	/** Why the payload was refused, for the error message; {@code null} if it was not. */
	private @Nullable String refusal;

	FilteredObjectInputStream(InputStream in, AllowList allowList, @Nullable ClassLoader classLoader)
			throws IOException {
		super(in);
		this.allowList = allowList;
		this.classLoader = classLoader;
		setObjectInputFilter((info) -> {
			Class<?> type = info.serialClass();
			if (type != null && !allowList.allows(type)) {
				return refuse("class " + type.getName() + " is outside the deserialization allow-list");
			}
			return allowList.checkInput(info);
		});
	}

	@Override
	protected Class<?> resolveClass(ObjectStreamClass descriptor) throws IOException, ClassNotFoundException {
		String name = descriptor.getName();
		if (!this.allowList.allows(name)) {
			refuse("class " + name + " is outside the deserialization allow-list");
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

	/**
	 * Return why the payload was refused.
	 * @return the reason, or {@code null} if nothing was refused
	 */
	@Nullable String refusal() {
		return this.refusal;
	}

	private Status refuse(String reason) {
		if (this.refusal == null) {
			this.refusal = reason;
		}
		return Status.REJECTED;
	}

}
