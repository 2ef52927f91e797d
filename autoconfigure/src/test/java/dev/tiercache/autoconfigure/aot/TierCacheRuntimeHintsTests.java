package dev.tiercache.autoconfigure.aot;

import java.lang.reflect.Field;

import org.jgroups.protocols.BasicTCP;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints for what tiercache and JGroups load reflectively.
 */
class TierCacheRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	@Test
	void jgroupsResourcesProtocolsHeadersAndTheirSuperclassesAreRegistered() throws Exception {
		new TierCacheRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		for (String resource : TierCacheRuntimeHints.JGROUPS_RESOURCES) {
			assertThat(RuntimeHintsPredicates.resource().forResource(resource)).as(resource).accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(NAKACK2.class)
			.withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS, MemberCategory.ACCESS_DECLARED_FIELDS))
			.accepts(this.hints);
		// A field of a superclass of TCP, set from the stack's XML.
		Field bindAddress = BasicTCP.class.getDeclaredField("client_bind_addr");
		assertThat(RuntimeHintsPredicates.reflection().onField(bindAddress)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("org.jgroups.stack.IpAddress")))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(TypeReference.of("dev.tiercache.remote.peers.ServeOnReceiver"))
			.withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(this.hints);
		assertThat(TierCacheRuntimeHints.classNames("jg-magic-map.xml", getClass().getClassLoader()))
			.hasSizeGreaterThan(20);
	}

	@Test
	void whatTierCachePutsOnTheWireIsRegisteredForSerialization() {
		new TierCacheRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.serialization().onType(SimpleKey.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.serialization().onType(java.util.ArrayList.class)).accepts(this.hints);
	}

	@Test
	void withoutJGroupsNoJGroupsHints() {
		new TierCacheRuntimeHints().registerHints(this.hints, new FilteredClassLoader("org.jgroups"));
		assertThat(RuntimeHintsPredicates.resource().forResource("jg-magic-map.xml")).rejects(this.hints);
		assertThat(RuntimeHintsPredicates.serialization().onType(SimpleKey.class)).accepts(this.hints);
	}

	@Test
	void registeredInAotFactoriesAsSpringLoadsThem() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(TierCacheRuntimeHints.class);
	}

}
