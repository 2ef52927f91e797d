package dev.tiercache.codec;

import java.io.Serializable;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.hibernate.collection.spi.PersistentBag;
import org.hibernate.collection.spi.PersistentMap;
import org.hibernate.collection.spi.PersistentSet;
import org.hibernate.collection.spi.PersistentSortedSet;
import org.junit.jupiter.api.Test;
import other.hostile.Gadget;
import other.hostile.SerializableBase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The writer applies the readers' rules to every object of a value, not only to its
 * top-level class, so nothing is written that no node could read; and it writes the
 * collections of an ORM as the plain collections they stand for.
 */
class WholeGraphEncodingTests {

	private final ValueCodec codec = ValueCodec.java(AllowList.of(List.of("dev.tiercache")));

	@Test
	void aNestedObjectOutsideTheAllowListFailsTheWriteNamingItsClass() {
		assertThatExceptionOfType(CodecException.class)
			.isThrownBy(() -> this.codec.encode(new ArrayList<>(List.of("a", new Gadget()))))
			.withMessageContaining("java.util.ArrayList")
			.withMessageContaining("other.hostile.Gadget")
			.withMessageContaining("tiercache.serialization.allowed-packages");
	}

	@Test
	void aSuperclassOutsideTheAllowListFailsTheWrite() {
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(new Derived()))
			.withMessageContaining("other.hostile.SerializableBase")
			.withMessageContaining("tiercache.serialization.allowed-packages");
	}

	@Test
	void aClassObjectOutsideTheAllowListFailsTheWrite() {
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(List.of(Gadget.class)))
			.withMessageContaining("other.hostile.Gadget");
	}

	@Test
	void aDynamicProxyFailsTheWrite() {
		Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Runnable.class },
				(InvocationHandlerValue) (target, method, args) -> null);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(List.of(proxy)))
			.withMessageContaining("dynamic proxy")
			.withMessageContaining("java.lang.Runnable");
	}

	@Test
	void aValueLargerThanAReaderAcceptsFailsTheWrite() {
		assertThatExceptionOfType(CodecException.class)
			.isThrownBy(() -> this.codec.encode(new byte[PayloadFilter.MAX_BYTES]))
			.withMessageContaining("[B")
			.withMessageContaining("longer than " + PayloadFilter.MAX_BYTES + " bytes");
	}

	@Test
	void aValueOfMoreObjectsThanAReaderAcceptsFailsTheWrite() {
		List<Object> objects = new ArrayList<>();
		for (int i = 0; i <= PayloadFilter.MAX_REFERENCES; i++) {
			objects.add(new int[0]);
		}
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(objects))
			.withMessageContaining("more than " + PayloadFilter.MAX_REFERENCES + " objects");
	}

	@Test
	void aValueTooDeepToSerializeFailsTheWriteInsteadOfOverflowingTheStack() {
		Link chain = null;
		for (int i = 0; i < 1_000_000; i++) {
			chain = new Link(chain);
		}
		Link value = chain;
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(value))
			.withMessageContaining("nested far deeper than the " + PayloadFilter.MAX_DEPTH + " levels");
	}

	@Test
	void hibernateCollectionsAreWrittenAsPlainCollections() {
		PersistentSet<String> books = new PersistentSet<>();
		books.add("Dune");
		books.add("Emma");
		PersistentMap<String, Integer> ranks = new PersistentMap<>();
		ranks.put("Dune", 1);
		PersistentSortedSet<String> aliases = new PersistentSortedSet<>(Comparator.reverseOrder());
		aliases.addAll(List.of("a", "c", "b"));
		Author author = new Author("Herbert", books, new PersistentBag<>(List.of("sf", "classic")), ranks,
				new TreeSet<>(aliases));
		Author withOrmCollections = new Author("Herbert", books, new PersistentBag<>(List.of("sf", "classic")), ranks,
				aliases);

		Author decoded = (Author) this.codec.decode(this.codec.encode(withOrmCollections));

		assertThat(decoded.books()).isExactlyInstanceOf(LinkedHashSet.class).containsExactlyElementsOf(books);
		assertThat(decoded.tags()).isExactlyInstanceOf(ArrayList.class).containsExactly("sf", "classic");
		assertThat(decoded.ranks()).isExactlyInstanceOf(LinkedHashMap.class).isEqualTo(Map.of("Dune", 1));
		assertThat(decoded.aliases()).isExactlyInstanceOf(TreeSet.class).containsExactly("c", "b", "a");
		assertThat(decoded).isEqualTo(author);
	}

	@Test
	void anUninitializedHibernateCollectionFailsTheWriteSayingSo() {
		Author author = new Author("Herbert", Set.of(), PersistentBag.uninitialized(), Map.of(), new TreeSet<>());
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(author))
			.withMessageContaining("org.hibernate.collection.spi.PersistentBag")
			.withMessageContaining("not initialized");
	}

	record Author(String name, Set<String> books, List<String> tags, Map<String, Integer> ranks,
			Set<String> aliases) implements Serializable {
	}

	record Link(Link next) implements Serializable {
	}

	static class Derived extends SerializableBase {

	}

	interface InvocationHandlerValue extends java.lang.reflect.InvocationHandler, Serializable {

	}

}
