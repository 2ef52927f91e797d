package dev.tiercache.codec;

import java.io.ObjectInputFilter;
import java.lang.reflect.Proxy;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The reader's filter for one payload: the {@link AllowList} decides which classes may
 * appear, and bounds on the stream keep a small hostile payload from costing the
 * receiving node much more memory or CPU than it took to send.
 *
 * <ul>
 * <li>An array, or the table a collection allocates before it reads its elements, may
 * declare at most {@value #ELEMENTS_PER_BYTE} elements per byte of the payload: every
 * element takes at least a byte in the stream, and a hash table is at most eight times
 * larger than its entries, so no genuine payload comes near it, while a 30-byte payload
 * can no longer ask for a 16 GiB {@code long[]}.</li>
 * <li>Objects may nest at most {@value #MAX_DEPTH} deep. Hashing a structure that shares
 * its parts (sets of the same two sets, level after level) costs up to 2<sup>depth</sup>
 * calls when a {@code HashSet} or {@code HashMap} is read, so depth is what bounds that
 * work; the JDK's own filter for the RMI registry uses the same limit.</li>
 * <li>At most {@value #MAX_REFERENCES} object references (each costs an object or a
 * handle) and {@value #MAX_BYTES} bytes, the size of the largest peer message.</li>
 * </ul>
 *
 * @author tiercache
 */
final class PayloadFilter implements ObjectInputFilter {

	/** The largest Java serialization payload read or written. */
	static final int MAX_BYTES = 32 * 1024 * 1024;

	/** How deep objects may nest. */
	static final int MAX_DEPTH = 20;

	/** How many object references a payload may hold. */
	static final int MAX_REFERENCES = 1_000_000;

	/** How many array elements a payload may declare per byte it has. */
	static final int ELEMENTS_PER_BYTE = 8;

	private final AllowList allowList;

	private final long maxArrayLength;

	/** Why the payload was refused, for the error message; {@code null} if it was not. */
	private @Nullable String refusal;

	/**
	 * Create the filter of one payload.
	 * @param allowList the classes that may appear
	 * @param payloadBytes the payload's length
	 */
	PayloadFilter(AllowList allowList, int payloadBytes) {
		this.allowList = allowList;
		this.maxArrayLength = (long) ELEMENTS_PER_BYTE * payloadBytes;
	}

	@Override
	public Status checkInput(FilterInfo info) {
		if (info.arrayLength() > this.maxArrayLength) {
			return refuse("it declares an array of " + info.arrayLength() + " elements, more than a payload of its "
					+ "size can hold");
		}
		if (info.depth() > MAX_DEPTH) {
			return refuse("it holds objects nested deeper than " + MAX_DEPTH + " levels");
		}
		if (info.references() > MAX_REFERENCES) {
			return refuse("it holds more than " + MAX_REFERENCES + " object references");
		}
		if (info.streamBytes() > MAX_BYTES) {
			return refuse("it is longer than " + MAX_BYTES + " bytes");
		}
		Class<?> type = info.serialClass();
		if (type == null) {
			return Status.UNDECIDED;
		}
		if (Proxy.isProxyClass(type)) {
			return refuseProxy(Arrays.stream(type.getInterfaces()).map(Class::getName).toArray(String[]::new));
		}
		return this.allowList.allows(type) ? Status.ALLOWED : refuseClass(type.getName());
	}

	/**
	 * Refuse a dynamic proxy.
	 * @param interfaces the names of the interfaces it implements
	 * @return {@link Status#REJECTED}
	 */
	Status refuseProxy(String[] interfaces) {
		return refuse("it holds a dynamic proxy of " + String.join(", ", interfaces) + "; dynamic proxies are "
				+ "never decoded, whatever the allow-list, since their handler runs on every call");
	}

	/**
	 * Refuse the class named {@code className}.
	 * @param className the name
	 * @return {@link Status#REJECTED}
	 */
	Status refuseClass(String className) {
		return refuse("class " + className + " is outside the deserialization allow-list " + this.allowList
				+ "; add its package to tiercache.serialization.allowed-packages if it is yours");
	}

	/**
	 * Return whether the class named {@code className} may appear.
	 * @param className the name as the stream gives it
	 * @return whether it is allowed
	 */
	boolean allows(String className) {
		return this.allowList.allows(className);
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
