package dev.tiercache.codec;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.springframework.util.Assert;

/**
 * The classes a remote payload may contain: the JDK's value types ({@code java.*}),
 * Spring's cache key and Spring Data's paging types, and the packages named here,
 * typically the application's own (Spring Boot's auto-configuration packages) plus
 * {@code tiercache.serialization.allowed-packages}. Everything else is refused by name,
 * before its class is loaded, and so are dynamic proxies, whatever their interfaces.
 *
 * @author tiercache
 */
public final class AllowList {

	/** The JDK's value types, collections, time and numbers. */
	private static final List<String> ALWAYS = List.of("java.");

	/**
	 * Spring's plain value classes that applications use as cache keys and values, by
	 * exact name rather than by package, so no other class of those frameworks passes:
	 * the key of a method of several arguments, and Spring Data's paging types (the
	 * abstract superclasses and enums are in the list because a reader checks every class
	 * of a hierarchy; {@code Unpaged} is not serializable and travels as
	 * {@link UnpagedPageable}, whose replacement the reader checks again).
	 */
	private static final Set<String> ALWAYS_CLASSES = Set.of("org.springframework.cache.interceptor.SimpleKey",
			"org.springframework.data.domain.Chunk", "org.springframework.data.domain.PageImpl",
			"org.springframework.data.domain.SliceImpl", "org.springframework.data.domain.AbstractPageRequest",
			"org.springframework.data.domain.PageRequest", "org.springframework.data.domain.Sort",
			"org.springframework.data.domain.Sort$Order", "org.springframework.data.domain.Sort$Direction",
			"org.springframework.data.domain.Sort$NullHandling", UnpagedPageable.NAME, UnpagedPageable.UNPAGED);

	/** The names of primitive types, which a stream may name as {@code int.class}. */
	private static final Set<String> PRIMITIVES = Set.of("boolean", "byte", "char", "short", "int", "long", "float",
			"double", "void");

	/**
	 * The superclass of dynamic proxies, refused although it is in {@code java.*}: a
	 * proxy runs its handler on every call.
	 */
	private static final String PROXY = Proxy.class.getName();

	private final List<String> prefixes;

	private AllowList(List<String> prefixes) {
		this.prefixes = prefixes;
	}

	/**
	 * Allow the JDK's types and the classes in {@code packages} and their sub-packages.
	 * @param packages package names such as {@code com.example.books}
	 * @return the allow-list
	 * @throws IllegalArgumentException if a name {@linkplain #isTooBroad(String) is too
	 * broad}: the default package, or a single segment such as {@code com}, would let a
	 * payload instantiate any class of any library under it
	 */
	public static AllowList of(Collection<String> packages) {
		List<String> prefixes = new ArrayList<>(ALWAYS);
		for (String name : packages) {
			Assert.isTrue(name != null && !name.isBlank(), "An allowed package name must not be empty: the default "
					+ "package would allow every class without a package. Name the package of your own classes, "
					+ "such as com.example.books, in tiercache.serialization.allowed-packages");
			Assert.isTrue(!isTooBroad(name),
					() -> "Allowed package '" + name + "' would allow every class under " + trim(name) + ".*, "
							+ "including the deserialization gadgets of any library there. Name the package of "
							+ "your own classes, such as com.example.books, in "
							+ "tiercache.serialization.allowed-packages");
			prefixes.add(trim(name) + ".");
		}
		return new AllowList(List.copyOf(prefixes));
	}

	/**
	 * Return whether allowing the package {@code packageName} would allow too much: the
	 * default package ({@code ""}) or a single segment such as {@code com} or
	 * {@code dev}, which spans a whole top-level domain of libraries.
	 * @param packageName a package name, with or without a trailing dot
	 * @return whether {@link #of(Collection)} refuses it
	 */
	public static boolean isTooBroad(String packageName) {
		String name = trim(packageName);
		return name.isEmpty() || name.indexOf('.') < 0;
	}

	private static String trim(String packageName) {
		String name = packageName.strip();
		return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
	}

	/**
	 * Return whether instances of {@code type} may be decoded; never for a dynamic proxy.
	 * @param type the class
	 * @return whether it is allowed
	 */
	public boolean allows(Class<?> type) {
		return !Proxy.isProxyClass(type) && allows(type.getName());
	}

	/**
	 * Return whether instances of the class named {@code className} may be decoded,
	 * without loading it: a reader asks before it resolves a class, so a refused class is
	 * never loaded.
	 * @param className a binary class name as {@link Class#getName()} returns it, for
	 * arrays such as {@code [Ljava.lang.String;} or {@code [I}
	 * @return whether it is allowed
	 */
	public boolean allows(String className) {
		if (PRIMITIVES.contains(className)) {
			return true;
		}
		if (className.equals(PROXY)) {
			return false;
		}
		String name = className;
		int dimensions = 0;
		while (dimensions < name.length() && name.charAt(dimensions) == '[') {
			dimensions++;
		}
		if (dimensions > 0) {
			if (name.length() == dimensions + 1) {
				// an array of a primitive type, such as [I
				return true;
			}
			if (name.charAt(dimensions) != 'L' || !name.endsWith(";")) {
				return false;
			}
			name = name.substring(dimensions + 1, name.length() - 1);
		}
		if (ALWAYS_CLASSES.contains(name)) {
			return true;
		}
		for (String prefix : this.prefixes) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return why a reader refuses the class named {@code className}, for every codec's
	 * error message.
	 * @param className the refused class
	 * @return the reason, naming the property that would allow it
	 */
	String refusal(String className) {
		return "class " + className + " is outside the deserialization allow-list " + this
				+ "; add its package to tiercache.serialization.allowed-packages if it is yours";
	}

	/**
	 * Return why a writer refuses a value holding the class named {@code className}.
	 * @param className the refused class
	 * @return the reason, naming the property that would allow it
	 */
	String writeRefusal(String className) {
		return "it contains class " + className + ", which is outside the deserialization allow-list " + this
				+ ", so no node could read it back. Add its package to tiercache.serialization.allowed-packages";
	}

	@Override
	public String toString() {
		return "AllowList" + this.prefixes.stream().map((prefix) -> prefix + "*").toList()
				+ " and Spring's value types";
	}

}
