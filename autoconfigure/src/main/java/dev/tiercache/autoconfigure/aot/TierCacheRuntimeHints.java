package dev.tiercache.autoconfigure.aot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.util.ClassUtils;

/**
 * What tiercache and its engines load reflectively, for Spring AOT and native images.
 *
 * <ul>
 * <li>Peers mode (when JGroups is present): JGroups reads its stack as XML and creates
 * each protocol by class name, sets its attributes through its annotated fields and
 * methods (those of its superclasses too), creates headers and messages by the class
 * names of {@code jg-magic-map.xml}, and reads that file, {@code jg-protocol-ids.xml} and
 * its version. tiercache's stack names its own message processing policy
 * ({@code ServeOnReceiver}) by class. Every class those two files list, and every
 * protocol of tiercache's stack, is registered with its superclasses.</li>
 * <li>The codecs: Java serialization of the JDK types and Spring's key that tiercache
 * itself puts on the wire. The application's own value types are registered by
 * {@link CacheableValuesAotProcessor}.</li>
 * </ul>
 *
 * @author tiercache
 */
public class TierCacheRuntimeHints implements RuntimeHintsRegistrar {

	private static final String JGROUPS = "org.jgroups.JChannel";

	/** The JGroups resources read at run time. */
	static final List<String> JGROUPS_RESOURCES = List.of("jg-magic-map.xml", "jg-protocol-ids.xml",
			"JGROUPS_VERSION.properties");

	/**
	 * The protocols of tiercache's stack ({@code JGroupsStack}), some not in the ids
	 * file.
	 */
	static final List<String> STACK = List.of("org.jgroups.protocols.TCP", "org.jgroups.protocols.TCPPING",
			"org.jgroups.protocols.dns.DNS_PING", "org.jgroups.protocols.MERGE3", "org.jgroups.protocols.FD_SOCK2",
			"org.jgroups.protocols.FD_ALL3", "org.jgroups.protocols.VERIFY_SUSPECT2",
			"org.jgroups.protocols.pbcast.NAKACK2", "org.jgroups.protocols.UNICAST3",
			"org.jgroups.protocols.pbcast.STABLE", "org.jgroups.protocols.pbcast.GMS", "org.jgroups.protocols.UFC",
			"org.jgroups.protocols.MFC", "org.jgroups.protocols.FRAG4", "org.jgroups.protocols.SYM_ENCRYPT",
			"dev.tiercache.remote.peers.ServeOnReceiver");

	/** The JDK's types and Spring's key, as Java serialization writes them. */
	static final List<String> SERIALIZED = List.of("java.lang.String", "java.lang.Long", "java.lang.Integer",
			"java.lang.Number", "java.lang.Boolean", "java.lang.Double", "java.util.ArrayList", "java.util.LinkedList",
			"java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet",
			"java.util.LinkedHashSet", "java.util.TreeSet", "java.util.Collections$UnmodifiableList",
			"java.util.Collections$UnmodifiableRandomAccessList", "java.util.Collections$UnmodifiableCollection",
			"java.util.Collections$EmptyList", "java.util.ImmutableCollections$ListN",
			"java.util.ImmutableCollections$List12", "java.util.CollSer", "java.time.Ser", "java.math.BigDecimal",
			"java.math.BigInteger", "org.springframework.cache.interceptor.SimpleKey");

	private static final Pattern CLASS_NAME = Pattern.compile("name=\"([\\w.$]+)\"");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		for (String type : SERIALIZED) {
			if (ClassUtils.isPresent(type, classLoader)) {
				hints.serialization().registerType(TypeReference.of(type));
			}
		}
		// SimpleKey holds its parameters in an array.
		hints.serialization().registerType(Object[].class);
		hints.serialization().registerType(byte[].class);
		if (!ClassUtils.isPresent(JGROUPS, classLoader)) {
			return;
		}
		JGROUPS_RESOURCES.forEach((resource) -> hints.resources().registerPattern(resource));
		Set<String> classes = new LinkedHashSet<>(STACK);
		classes.addAll(classNames("jg-magic-map.xml", classLoader));
		classes.addAll(classNames("jg-protocol-ids.xml", classLoader));
		for (String name : classes) {
			registerWithSuperclasses(hints, name, classLoader);
		}
	}

	private static void registerWithSuperclasses(RuntimeHints hints, String name, @Nullable ClassLoader classLoader) {
		Class<?> type;
		try {
			type = ClassUtils.forName(name, classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			// A protocol of an optional module (such as KUBE_PING) that is not present.
			return;
		}
		for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
			hints.reflection()
				.registerType(current, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
						MemberCategory.ACCESS_DECLARED_FIELDS, MemberCategory.INVOKE_DECLARED_METHODS);
		}
	}

	static Set<String> classNames(String resource, @Nullable ClassLoader classLoader) {
		ClassLoader loader = (classLoader != null) ? classLoader : ClassUtils.getDefaultClassLoader();
		Set<String> names = new LinkedHashSet<>();
		try (InputStream in = (loader != null) ? loader.getResourceAsStream(resource) : null) {
			if (in == null) {
				return names;
			}
			Matcher matcher = CLASS_NAME.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
			while (matcher.find()) {
				names.add(matcher.group(1));
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read JGroups' " + resource, ex);
		}
		return names;
	}

}
