package dev.tiercache.autoconfigure;

import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import dev.tiercache.TierCacheConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated configuration metadata is what users see in their IDE: every property
 * must have a description and a default, and the documented defaults must be the ones the
 * code applies.
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyHasADescriptionAndADefault() throws Exception {
		List<Map<String, Object>> properties = properties();
		assertThat(properties).isNotEmpty();
		assertThat(properties).allSatisfy((property) -> {
			assertThat(property.get("description")).as("description of %s", property.get("name")).isNotNull();
			boolean collection = ((String) property.get("type")).startsWith("java.util.");
			if (!collection) {
				// Lists and maps are empty by default, which metadata cannot record.
				assertThat(property).as("default of %s", property.get("name")).containsKey("defaultValue");
			}
		});
	}

	@Test
	void documentedDefaultsBindToTheCoreDefaults() throws Exception {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		for (Map<String, Object> property : properties()) {
			String name = (String) property.get("name");
			if (name.startsWith("tiercache.defaults.")) {
				source.put(name, String.valueOf(property.get("defaultValue")));
			}
		}
		TierCacheProperties bound = new Binder(source).bind("tiercache", TierCacheProperties.class).get();
		assertThat(bound.defaultConfiguration()).isEqualTo(TierCacheConfiguration.defaultCacheConfig());
	}

	@Test
	void everyCacheSettingIsDescribedForCompletionUnderDefaultsAndCaches() throws Exception {
		List<String> described = properties().stream()
			.filter((property) -> property.get("description") != null)
			.map((property) -> (String) property.get("name"))
			.toList();
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(CacheSpec.class)) {
			if (property.getWriteMethod() != null) {
				String name = "tiercache.defaults." + dashed(property.getName());
				assertThat(described).as("metadata of %s", name).contains(name);
			}
		}
		Map<String, Object> caches = properties().stream()
			.filter((property) -> property.get("name").equals("tiercache.caches"))
			.findFirst()
			.orElseThrow();
		assertThat((String) caches.get("type")).endsWith("<java.lang.String,dev.tiercache.autoconfigure.CacheSpec>");
		assertThat(hintNames()).contains("tiercache.caches.keys");
	}

	@Test
	void hintsOfEnumPropertiesListExactlyTheirValues() throws Exception {
		Map<String, Class<? extends Enum<?>>> enums = Map.of("tiercache.mode", TierCacheProperties.Mode.class,
				"tiercache.single-flight", TierCacheProperties.SingleFlight.class, "tiercache.cluster.discovery",
				dev.tiercache.remote.peers.Discovery.class, "tiercache.serialization.codec",
				TierCacheSerializationProperties.Codec.class, "tiercache.serialization.compression",
				TierCacheSerializationProperties.Compression.class, "tiercache.redis.on-outage",
				dev.tiercache.remote.redis.RedisTierSettings.OnOutage.class);
		for (Map.Entry<String, Class<? extends Enum<?>>> entry : enums.entrySet()) {
			List<String> values = hintValues(entry.getKey());
			List<String> constants = java.util.Arrays.stream(entry.getValue().getEnumConstants())
				.map((constant) -> constant.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
				.toList();
			assertThat(values).as("hint values of %s", entry.getKey()).containsExactlyElementsOf(constants);
		}
		assertThat(hintValues("tiercache.cluster.bind-address")).contains("SITE_LOCAL", "NON_LOOPBACK",
				"match-interface:eth.*");
		assertThat(hintNames()).contains("tiercache.cluster.stack");
	}

	private static List<String> hintNames() throws Exception {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			return JsonPath.read(json, "$.hints[*].name");
		}
	}

	private static List<String> hintValues(String name) throws Exception {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			return JsonPath.read(json, "$.hints[?(@.name == '" + name + "')].values[*].value");
		}
	}

	private static String dashed(String name) {
		return name.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
	}

	private static List<Map<String, Object>> properties() throws Exception {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[?(@.name =~ /tiercache\\..*/)]");
			return new ArrayList<>(properties);
		}
	}

}
